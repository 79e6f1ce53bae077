/**
 * A discovered server that stops: amber, never paged, for an hour, saying when it stopped and
 * what it served, with the offer to watch it from now on. Before, it stayed green forever.
 */
import { describe, expect, it } from 'vitest';
import type { ProcessRow, ProcessTable } from '../../../../src/common/processes.js';
import type { HttpRequest, HttpResult } from '../../../../src/platform/facts.js';
import { AlertPolicy } from '../../../../src/engine/alerts.js';
import { assess } from '../../../../src/engine/assess.js';
import { DEFAULT_NOTIFICATIONS, DEFAULT_THRESHOLDS } from '../../../../src/engine/defaults.js';
import { ServiceMonitor, VANISHED_SHOWN_MS } from '../../../../src/engine/services/monitor.js';
import { ScriptedFacts, fail, isTcpListenersArgv, lsofListeners, ok } from '../../../support/scripted-facts.js';

const NOW = Date.UTC(2026, 4, 10, 14, 0, 0);
const OLLAMA: ProcessRow = { pid: 900, ppid: 1, uid: 501, rssBytes: 2e9, cpuPercent: 1, cpuSeconds: 30, elapsedSeconds: 3600, startedAt: NOW - 3_600_000, name: 'ollama', command: '/usr/local/bin/ollama serve', zombie: false };

class Host extends ScriptedFacts {
  up = true;
  constructor() {
    super(async (request: HttpRequest): Promise<HttpResult> => {
      const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 2, timedOut: false, headers: {}, bodyTruncated: false };
      if (!this.up) return { ...base, status: null, error: 'connect ECONNREFUSED 127.0.0.1:11434', body: '' };
      return request.url === 'http://127.0.0.1:11434/' ? { ...base, status: 200, error: null, body: 'Ollama is running' } : { ...base, status: 404, error: null, body: '' };
    });
    this.on((argv) => (isTcpListenersArgv(argv) ? (this.up ? ok(argv, lsofListeners([{ pid: 900, command: 'ollama', port: 11434 }])) : fail(argv, 1, '')) : null));
  }
}

describe('a discovered server that stops', () => {
  it('is amber, never paged even with onWarn, says when it stopped and what it served, and offers to watch it', async () => {
    const host = new Host();
    const monitor = new ServiceMonitor(host, { discoveryEverySeconds: 300 });
    monitor.configure([], { discovery: true, platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS, timeZone: 'UTC' });
    const policy = new AlertPolicy({ ...DEFAULT_NOTIFICATIONS, onWarn: true }, null, { intervalSeconds: 5 });
    const sent: string[] = [];
    const cycle = async (at: number, rows: ProcessRow[]) => {
      const table: ProcessTable = { at, rows };
      await monitor.poll(at, table);
      await monitor.idle();
      const services = monitor.views(at, table);
      const findings = assess({ memory: null, memoryUnknown: null, thieves: [], services, locks: [], jobs: [], unknowns: [], timeZone: 'UTC' }, null, DEFAULT_THRESHOLDS, at);
      sent.push(...policy.step(findings, new Map(), at).notifications.map((n) => n.title));
      return { services, findings };
    };
    await cycle(NOW, [OLLAMA]);
    const running = await cycle(NOW + 5_000, [OLLAMA]);
    expect(running.services.map((s) => [s.name, s.source, s.state])).toEqual([['ollama', 'discovered', 'running']]);
    expect(running.services[0]!.actions.map((a) => a.id)).toEqual(['watch:ollama']);
    expect(running.services[0]!.actions[0]!.confirm).toBe('Add ollama (http://127.0.0.1:11434/, port 11434) to the config file as a service: Warden then pages when it stops or stops answering. Only its URL and port are written; no command.');
    expect(running.findings.filter((f) => f.severity !== 'ok')).toEqual([]);

    // It stops at 14:02: its pid leaves the table, nothing listens.
    host.up = false;
    const stopAt = NOW + 2 * 60_000;
    const stopped = await cycle(stopAt, []);
    const view = stopped.services.find((s) => s.name === 'ollama')!;
    expect(view.goneAt).toBe(stopAt);
    expect(view.stateReason).toBe('PID 900 (ollama) exited at 14:02; nothing listens on port 11434');
    const finding = stopped.findings.find((f) => f.key === 'service:ollama:stopped')!;
    expect(finding).toMatchObject({ severity: 'warn', quiet: true, title: 'ollama stopped at 14:02; it served port 11434' });
    expect(finding.actions.map((a) => a.kind)).toEqual(['watch']);

    // Past the next discovery round it is still shown; an hour later it is forgotten. Nothing is ever sent.
    for (let t = stopAt + 5_000; t < stopAt + 10 * 60_000; t += 5_000) await cycle(t, []);
    expect((await cycle(stopAt + 10 * 60_000, [])).findings.map((f) => f.title)).toEqual(['ollama stopped at 14:02; it served port 11434']);
    await cycle(stopAt + VANISHED_SHOWN_MS + 60_000, []);
    const later = await cycle(stopAt + VANISHED_SHOWN_MS + 10 * 60_000, []);
    expect(later.services).toEqual([]);
    expect(sent).toEqual([]);
  });
});
