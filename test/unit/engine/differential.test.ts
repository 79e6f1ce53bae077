import { describe, expect, it } from 'vitest';
import { alsoInLine, diskCandidate, logCandidate, memoryCandidate, networkCandidate, ruledOutLine } from '../../../src/engine/differential.js';
import type { MemoryView } from '../../../src/common/memory.js';
import type { ServiceView } from '../../../src/common/services.js';
import type { LogMetricView, SensesView } from '../../../src/common/senses.js';

const GiB = 1024 ** 3;
const memory = { totalBytes: 64 * GiB, freeBytes: 0.8 * GiB, availableBytes: 40 * GiB, swapUsedBytes: 0, swapTotalBytes: 0, pressure: 'normal' } as MemoryView;
const disk = (availableBytes: number): SensesView['disk'] => ({ ok: true, value: { volumes: [{ path: '/System/Volumes/VM', roles: ['swap'], paths: ['/System/Volumes/VM'], totalBytes: 994 * GiB, availableBytes }] } });
const senses = (over: Partial<SensesView> = {}): SensesView => ({ thermal: { ok: false, reason: '-' }, disk: disk(600 * GiB), load: { ok: false, reason: '-' }, logs: [], ...over });
const service = (over: Partial<ServiceView>) => ({ name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models', probe: null, canary: null, ...over }) as ServiceView;
const log = (ratio: number | null, text: string): LogMetricView => ({ service: 'cathedral', name: 'prefill', path: '/l', unit: 'ms', latest: null, baseline: null, ratio, count: 3, text, error: null });

describe('candidates', () => {
  it('memory: out with what is available; in when the swap volume cannot grow, even without pressure', () => {
    expect(memoryCandidate(memory, false, disk(600 * GiB))).toEqual({ name: 'memory', verdict: 'out', text: '40 GiB available of 64 GiB, pressure normal' });
    expect(memoryCandidate(memory, false, disk(1.5 * GiB))).toEqual({
      name: 'memory',
      verdict: 'in',
      text: 'swap 0 B used, 40 GiB available of 64 GiB, pressure normal; swap cannot grow: 1.5 GiB free on /System/Volumes/VM (0.2 %)',
    });
    expect(memoryCandidate(null, false, undefined).verdict).toBe('unknown');
  });

  it('disk: the tightest volume; unknown names why', () => {
    expect(diskCandidate(disk(600 * GiB), senses())).toEqual({ name: 'disk', verdict: 'out', text: '60 % free' });
    expect(diskCandidate({ ok: false, reason: 'none of /x exists' }, senses())).toEqual({ name: 'disk', verdict: 'unknown', text: 'none of /x exists' });
  });

  it('log: none configured, no baseline yet, under 5×, at 5× or more', () => {
    expect(logCandidate(service({}), senses())).toEqual({ name: 'log', verdict: 'unknown', text: 'no log configured for cathedral (services[].logs)' });
    expect(logCandidate(service({}), senses({ logs: [log(null, 'prefill 210 ms (no baseline yet: 1 earlier value)')] })).verdict).toBe('unknown');
    expect(logCandidate(service({}), senses({ logs: [log(1.1, 'prefill 220 ms, baseline 200 ms (1.1×)')] }))).toEqual({ name: 'log', verdict: 'out', text: 'prefill 220 ms, baseline 200 ms (1.1×)' });
    expect(logCandidate(service({}), senses({ logs: [log(296, 'prefill 59.2 s, baseline 200 ms (296×)')] })).verdict).toBe('in');
  });

  it('network: only for another host; in when the failure names DNS or routing, out when HTTP came back', () => {
    expect(networkCandidate(service({}))).toBeNull();
    const remote = (measured: string, status: number | null) => service({ url: 'http://gpu-box.lan:8000/v1/models', probe: { ok: false, measured, status } as ServiceView['probe'] });
    expect(networkCandidate(remote('getaddrinfo ENOTFOUND gpu-box.lan', null))).toEqual({ name: 'network', verdict: 'in', text: 'getaddrinfo ENOTFOUND gpu-box.lan' });
    expect(networkCandidate(remote('HTTP 503 in 12 ms', 503))).toEqual({ name: 'network', verdict: 'out', text: 'HTTP 503 came back' });
    expect(networkCandidate(remote('no answer within 10 s', null))).toEqual({ name: 'network', verdict: 'unknown', text: 'no answer within 10 s; DNS and connect time are not split out' });
  });

  it('the notification lines', () => {
    const c = [
      { name: 'memory', verdict: 'in', text: 'swap 10.1 GiB used' },
      { name: 'cpu', verdict: 'out', text: 'load 8.0 / 16' },
      { name: 'thermal', verdict: 'out', text: 'no warning' },
      { name: 'disk', verdict: 'out', text: '62 % free' },
      { name: 'log', verdict: 'unknown', text: 'no log configured' },
    ] as const;
    expect(ruledOutLine(c)).toBe('Ruled out: CPU (load 8.0 / 16), thermal (no warning), disk (62 % free)');
    expect(alsoInLine(c, 'memory')).toBeNull();
    expect(alsoInLine(c, null)).toBe('Also in: memory (swap 10.1 GiB used)');
    expect(ruledOutLine([])).toBeNull();
  });
});
