import { describe, expect, it } from 'vitest';
import { assess, type Observation } from '../../../src/engine/assess.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { Finding } from '../../../src/common/findings.js';
import type { MemoryView } from '../../../src/common/memory.js';
import type { ProbeSample, ServiceView } from '../../../src/common/services.js';
import {
  DUCKDB, GiB, MiB, T, cathedral, duckdbLock, healthyMemory, healthyObservation, incidentMemory,
  incidentObservation, incidentThieves, probeView, weeklyRestart,
} from '../../support/incident-observation.js';

const th = DEFAULT_THRESHOLDS;
const empty: Observation = { memory: null, memoryUnknown: null, thieves: [], services: [], locks: [], jobs: [], unknowns: [] };

function keys(findings: Finding[]): Record<string, string> {
  return Object.fromEntries(findings.map((f) => [f.key, f.severity]));
}

function byKey(findings: Finding[], key: string): Finding {
  const f = findings.find((x) => x.key === key);
  if (!f) throw new Error(`no finding ${key}; have ${findings.map((x) => x.key).join(', ')}`);
  return f;
}

describe('assess: the afternoon of 2026-05-10', () => {
  const findings = assess(incidentObservation(), null, th, T);

  it('finds every signal the operator found, at the right severity', () => {
    expect(keys(findings)).toEqual({
      'memory:pressure': 'crit',
      'memory:swap': 'warn',
      'memory:available': 'crit',
      [`thief:812:${T - 11 * 3_600_000}:growth`]: 'warn',
      [`thief:977:${T - 6 * 86_400_000}:cpu`]: 'warn',
      'service:cathedral:canary': 'crit',
      'service:cathedral:orphaned': 'warn',
      [`lock:${DUCKDB}:held`]: 'crit',
      'job:weekly-restart:failed': 'warn',
    });
  });

  it('writes titles and evidence with units', () => {
    expect(byKey(findings, 'service:cathedral:canary').title).toBe('cathedral: canary not answering within 10 s; 3 of the last 5 failed');
    expect(byKey(findings, 'service:cathedral:canary').evidence[0]!.text).toBe('no answer within 10 s (3 of last 5 failed)');
    expect(byKey(findings, 'memory:swap').evidence[0]!.text).toBe('10.1 GiB of 11 GiB');
    expect(byKey(findings, 'memory:swap').title).toBe('Swapping: 10.1 GiB in swap, writing 38 MiB/s');
    expect(byKey(findings, 'memory:available').evidence[0]!.text).toBe('1.6 GiB (2.5% of 64 GiB)');
    expect(byKey(findings, 'memory:available').evidence[1]!.text).toBe('820 MiB');
    expect(byKey(findings, `lock:${DUCKDB}:held`).title).toBe('workspace.duckdb: locked 3 d 2 h by PID 10832 (Python)');
    expect(byKey(findings, `lock:${DUCKDB}:held`).evidence[1]!.text).toBe('PID 10832 Python scripts/message-to-duckdb.py');
    expect(byKey(findings, `thief:977:${T - 6 * 86_400_000}:cpu`).title).toBe('qemu-system-aarch64 (PID 977) at 368% CPU for 45 min');
    expect(byKey(findings, `thief:812:${T - 11 * 3_600_000}:growth`).title).toBe(
      'cathedral (sanctum-mlx, PID 812) growing 3.5 GB/h: available memory gone in ~29 min',
    );
    expect(byKey(findings, 'service:cathedral:orphaned').title).toBe('cathedral: running unsupervised (plist missing) — nothing restarts it if it dies');
    expect(byKey(findings, 'job:weekly-restart:failed').title).toBe('weekly-restart: last run exit 5 (EIO: Input/output error)');
  });

  it('offers the service and lock actions on their findings', () => {
    expect(byKey(findings, 'service:cathedral:orphaned').actions.map((a) => a.kind)).toEqual(['readopt']);
    expect(byKey(findings, `lock:${DUCKDB}:held`).actions.map((a) => a.kind)).toEqual(['release']);
  });

  it('is silent on a healthy day', () => {
    expect(assess(healthyObservation(), null, th, T)).toEqual([]);
  });

  it('carries since from the previous cycle: since is the first time seen', () => {
    const first = assess(incidentObservation(T), null, th, T);
    const previous = new Map(first.map((f) => [f.key, f]));
    const later = assess(incidentObservation(T + 60_000), previous, th, T + 60_000);
    expect(byKey(later, 'memory:pressure').since).toBe(T);
    const fresh = assess(incidentObservation(T + 60_000), new Map(), th, T + 60_000);
    expect(byKey(fresh, 'memory:pressure').since).toBe(T + 60_000);
  });
});

describe('assess: memory', () => {
  const cases: Array<{ name: string; memory: Partial<MemoryView>; expected: Record<string, string> }> = [
    { name: 'healthy', memory: {}, expected: {} },
    { name: 'pressure warn', memory: { pressure: 'warn' }, expected: { 'memory:pressure': 'warn' } },
    { name: 'pressure critical, plenty available', memory: { pressure: 'critical' }, expected: { 'memory:pressure': 'crit' } },
    {
      name: 'old swap, not swapping now',
      memory: { swapUsedBytes: 3 * GiB, rates: { pageInBytesPerSec: 0, pageOutBytesPerSec: 0, swapInBytesPerSec: 0, swapOutBytesPerSec: 0.5 * MiB, overSeconds: 5 } },
      expected: {},
    },
    { name: 'swap used, no rate yet (first sample)', memory: { swapUsedBytes: 3 * GiB, rates: null }, expected: {} },
    {
      name: 'swapping at the threshold',
      memory: { swapUsedBytes: 3 * GiB, rates: { pageInBytesPerSec: 0, pageOutBytesPerSec: 0, swapInBytesPerSec: 0, swapOutBytesPerSec: 1 * MiB, overSeconds: 5 } },
      expected: { 'memory:swap': 'warn' },
    },
    { name: 'little available but neither swapping nor critical', memory: { availableBytes: 1 * GiB }, expected: {} },
    {
      name: 'little available while swapping',
      memory: { availableBytes: 1 * GiB, swapUsedBytes: 3 * GiB, rates: { pageInBytesPerSec: 0, pageOutBytesPerSec: 0, swapInBytesPerSec: 0, swapOutBytesPerSec: 8 * MiB, overSeconds: 5 } },
      expected: { 'memory:swap': 'warn', 'memory:available': 'crit' },
    },
    { name: 'little available, pressure critical', memory: { availableBytes: 3 * GiB, pressure: 'critical' }, expected: { 'memory:pressure': 'crit', 'memory:available': 'crit' } },
    { name: 'just above the crit line', memory: { availableBytes: 3.3 * GiB, pressure: 'critical' }, expected: { 'memory:pressure': 'crit' } },
  ];
  it.each(cases)('$name', ({ memory, expected }) => {
    expect(keys(assess({ ...empty, memory: { ...healthyMemory(), ...memory } }, null, th, T))).toEqual(expected);
  });

  it('memory that could not be read is unknown with its reason, once', () => {
    const findings = assess({ ...empty, memoryUnknown: 'vm_stat: timed out after 2 s', unknowns: [{ part: 'memory', reason: 'same' }, { part: 'locks', reason: 'lsof: not installed' }] }, null, th, T);
    expect(keys(findings)).toEqual({ 'unknown:memory': 'unknown', 'unknown:locks': 'unknown' });
    expect(byKey(findings, 'unknown:memory').title).toBe('memory: not read — vm_stat: timed out after 2 s');
  });
});

describe('assess: thieves', () => {
  const [mlx, , qemu] = incidentThieves();
  const memory = incidentMemory();
  it.each([
    { name: 'growth that exhausts memory in 29 min', thief: mlx!, count: 1 },
    { name: 'growth that exhausts memory in 3 h', thief: { ...mlx!, growth: { ...mlx!.growth!, exhaustsInSeconds: 3 * 3600 } }, count: 0 },
    { name: 'growth with a poor fit', thief: { ...mlx!, growth: { ...mlx!.growth!, r2: 0.5 } }, count: 0 },
    { name: 'growth over too short a window', thief: { ...mlx!, growth: { ...mlx!.growth!, windowSeconds: 600 } }, count: 0 },
    { name: 'growth too slow to matter', thief: { ...mlx!, growth: { ...mlx!.growth!, bytesPerHour: 100 * MiB } }, count: 0 },
    { name: 'CPU sustained 45 min', thief: qemu!, count: 1 },
    { name: 'CPU spike of 5 min', thief: { ...qemu!, sustainedCpu: { averagePercent: 368, forSeconds: 300 } }, count: 0 },
    { name: 'CPU at 120%', thief: { ...qemu!, sustainedCpu: { averagePercent: 120, forSeconds: 3600 } }, count: 0 },
  ])('$name → $count finding(s)', ({ thief, count }) => {
    expect(assess({ ...empty, memory: { ...memory, pressure: 'normal', rates: null }, thieves: [thief] }, null, th, T)).toHaveLength(count);
  });
});

describe('assess: services', () => {
  const f = (ok: boolean, at: number): ProbeSample => ({ at, ok, latencyMs: ok ? 40 : null });
  const run = (pattern: string, wokeAt: number | null = null) => {
    const recent = [...pattern].map((c, i) => f(c === '1', T - (pattern.length - 1 - i) * 60_000));
    const service = cathedral(T, { state: 'running', orphan: null, canary: null, probe: probeView({ ok: recent[recent.length - 1]!.ok, measured: 'connection refused', recent }) });
    return keys(assess({ ...empty, services: [service], wokeAt }, null, th, T));
  };

  it.each([
    ['11111', {}],
    ['11100', {}],
    ['00111', {}],
    ['11000', { 'service:cathedral:down': 'crit' }],
    ['10100', { 'service:cathedral:down': 'crit' }],
    // flapping: never three in a row, still three of five
    ['01010', { 'service:cathedral:down': 'crit' }],
    ['10101', {}],
    ['000', { 'service:cathedral:down': 'crit' }],
    // the old failures have left the window of 5
    ['0001111', {}],
    ['1111000', { 'service:cathedral:down': 'crit' }],
  ])('probe pattern %s (1 = ok, newest last) → %o', (pattern, expected) => {
    expect(run(pattern)).toEqual({ ...expected, 'service:cathedral:plist': 'warn' });
  });

  it('failures in the first minutes after wake are not counted', () => {
    // samples at T-2 min, T-1 min, T, all failing, woke at T-2.5 min
    expect(run('11000', T - 150_000)).not.toHaveProperty('service:cathedral:down');
    expect(run('11000', null)).toHaveProperty('service:cathedral:down', 'crit');
    expect(run('10000', T - 150_000)).not.toHaveProperty('service:cathedral:down');
    expect(run('10000', null)).toHaveProperty('service:cathedral:down', 'crit');
    // once the grace is over, failures count again
    expect(run('10000', T - 10 * 60_000)).toHaveProperty('service:cathedral:down', 'crit');
  });

  it('titles a failing probe with what it measured', () => {
    const service = cathedral(T, { state: 'running', orphan: null, canary: null, probe: probeView({ ok: false, measured: 'no answer within 3 s', recent: [f(false, T - 2), f(false, T - 1), f(false, T)] }) });
    const down = byKey(assess({ ...empty, services: [service] }, null, th, T), 'service:cathedral:down');
    expect(down.title).toBe('cathedral: not answering within 3 s');
  });

  const healthy = healthyObservation().services[0]!;
  it.each<{ name: string; service: Partial<ServiceView>; expected: Record<string, string> }>([
    { name: 'missing, supervised', service: { state: 'missing', stateReason: 'launchd job loaded, not running', process: null, probe: null, canary: null }, expected: { 'service:cathedral:down': 'crit' } },
    { name: 'crashed, supervised', service: { state: 'crashed', stateReason: 'exited 1, not respawned', process: null, probe: null, canary: null }, expected: { 'service:cathedral:down': 'crit' } },
    { name: 'missing, unsupervised: a configured process gone is certain, red', service: { state: 'missing', stateReason: 'no process matches', process: null, probe: null, canary: null, supervision: null }, expected: { 'service:cathedral:down': 'crit' } },
    { name: 'discovered and gone: its user quit it', service: { source: 'discovered', state: 'missing', stateReason: 'gone', process: null, probe: probeView({ ok: false, measured: 'connection refused', recent: [f(false, T - 2), f(false, T - 1), f(false, T)] }) }, expected: {} },
    { name: 'state not known', service: { state: 'unknown', stateReason: 'launchctl: no GUI domain (SSH session)' }, expected: { 'unknown:service:cathedral': 'unknown' } },
    { name: 'plist fails lint', service: { supervision: { ...healthy.supervision!, plist: { path: '/x.plist', exists: true, lintOk: false, lintMessage: 'Encountered unknown tag' } } }, expected: { 'service:cathedral:plist': 'warn' } },
    { name: 'slow: 300 ms against 41 ms', service: { probe: probeView({ latencyMs: 300, baselineMs: 41, measured: '200 in 300 ms' }) }, expected: { 'service:cathedral:slow': 'warn' } },
    { name: 'not slow: 11 ms against 2 ms is loopback noise', service: { probe: probeView({ latencyMs: 11, baselineMs: 2 }) }, expected: {} },
    { name: 'not slow: 3× baseline', service: { probe: probeView({ latencyMs: 900, baselineMs: 300 }) }, expected: {} },
    { name: 'slow canary', service: { canary: probeView({ tier: 'canary', latencyMs: 4000, baselineMs: 210 }) }, expected: { 'service:cathedral:slow': 'warn' } },
  ])('$name', ({ service, expected }) => {
    expect(keys(assess({ ...empty, services: [{ ...healthy, ...service }] }, null, th, T))).toEqual(expected);
  });

  it('says how slow, with units', () => {
    const service = { ...healthy, probe: probeView({ latencyMs: 4100, baselineMs: 41, measured: '200 in 4100 ms' }) };
    const slow = byKey(assess({ ...empty, services: [service] }, null, th, T), 'service:cathedral:slow');
    expect(slow.title).toBe('cathedral: health probe slow — 4.1 s, usually 41 ms');
    expect(slow.evidence[0]!.text).toBe('4.1 s vs baseline 41 ms (100×, warn from 5×)');
  });
});

describe('assess: locks and jobs', () => {
  const lock = duckdbLock();
  const job = weeklyRestart();
  it.each([
    { name: 'held 3 d 2 h with a refused reader', locks: [lock], jobs: [], expected: { [`lock:${DUCKDB}:held`]: 'crit' } },
    { name: 'held past the limit, no reader yet', locks: [{ ...lock, readerError: null }], jobs: [], expected: { [`lock:${DUCKDB}:held`]: 'warn' } },
    { name: 'held 10 min, nobody refused', locks: [{ ...lock, heldSeconds: 600, readerError: null }], jobs: [], expected: {} },
    { name: 'held 10 min, a reader refused', locks: [{ ...lock, heldSeconds: 600 }], jobs: [], expected: { [`lock:${DUCKDB}:held`]: 'crit' } },
    { name: 'not held', locks: [{ ...lock, holders: [], heldSeconds: null }], jobs: [], expected: {} },
    { name: 'job exit 5', locks: [], jobs: [job], expected: { 'job:weekly-restart:failed': 'warn' } },
    { name: 'job exit 0', locks: [], jobs: [{ ...job, lastExit: { code: 0, signal: null, neverExited: false, text: 'exit 0' } }], expected: {} },
    { name: 'job killed by a signal', locks: [], jobs: [{ ...job, lastExit: { code: null, signal: 'SIGKILL', neverExited: false, text: 'killed by SIGKILL (9)' } }], expected: { 'job:weekly-restart:failed': 'warn' } },
    { name: 'job never ran yet', locks: [], jobs: [{ ...job, lastExit: { code: null, signal: null, neverExited: true, text: 'never exited' } }], expected: {} },
    { name: 'job overdue 2 h (grace 1 h)', locks: [], jobs: [{ ...job, lastExit: null, overdueSeconds: 7200 }], expected: { 'job:weekly-restart:overdue': 'warn' } },
    { name: 'job late 30 min, inside grace', locks: [], jobs: [{ ...job, lastExit: null, overdueSeconds: 1800 }], expected: {} },
  ])('$name', ({ locks, jobs, expected }) => {
    expect(keys(assess({ ...empty, locks, jobs }, null, th, T))).toEqual(expected);
  });
});
