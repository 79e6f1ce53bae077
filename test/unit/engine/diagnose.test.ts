import { describe, expect, it } from 'vitest';
import { assess, type Observation } from '../../../src/engine/assess.js';
import { diagnose, firstFailureAt } from '../../../src/engine/diagnose.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { Diagnosis } from '../../../src/common/findings.js';
import type { JobView, ProbeSample } from '../../../src/common/services.js';
import {
  DUCKDB, FIRST_FAILURE, T, cathedral, duckdbLock, healthyMemory, incidentObservation, incidentThieves,
  probeView, weeklyRestart,
} from '../../support/incident-observation.js';
import { ARRIVED } from '../../support/incident-observation.js';

function run(input: Observation, now = T) {
  return diagnose(assess(input, null, DEFAULT_THRESHOLDS, now), input, now);
}

function diagnosisOf(result: ReturnType<typeof run>, key: string): Diagnosis {
  const d = result.diagnoses.get(key);
  if (!d) throw new Error(`no diagnosis for ${key}; have ${[...result.diagnoses.keys()].join(', ')}`);
  return d;
}

describe('diagnose: the canary failing while the host swaps', () => {
  const result = run(incidentObservation());
  const canary = diagnosisOf(result, 'service:cathedral:canary');

  it('links the symptom to the memory findings', () => {
    const finding = result.findings.find((f) => f.key === 'service:cathedral:canary')!;
    expect(finding.causes.sort()).toEqual(['memory:available', 'memory:pressure', 'memory:swap']);
  });

  it('links the memory findings to the leak that drains them', () => {
    const memory = result.findings.find((f) => f.key === 'memory:available')!;
    expect(memory.causes).toEqual([`thief:812:${T - 11 * 3_600_000}:growth`]);
  });

  it('states what was measured, not what it guesses', () => {
    expect(canary.symptom).toBe('cathedral canary: no answer within 10 s (3 of last 5 failed)');
    expect(JSON.stringify(canary)).not.toMatch(/crash/i);
  });

  it('puts the measured cause beside it, with numbers', () => {
    expect(canary.cause).toBe('memory pressure: swap 10.1 GiB used, 820 MiB free of 64 GiB (1.6 GiB available), pressure critical');
    expect(canary.causeEvidence).toContain('swapping out 38 MiB/s, in 55 MiB/s');
    expect(canary.causeEvidence).toContain('process alive and idle: PID 812 at 4% CPU — not computing (waiting on memory, disk or a stuck thread)');
  });

  it('names the thieves and the arrival, relative to the first failure', () => {
    expect(canary.thieves).toEqual([
      'cathedral (sanctum-mlx, PID 812), ~50.2 GB, growing 3.5 GB/h (R² 0.97 over 11 h)',
      'LM Studio worker (llmworker, PID 4410), 13.0 GB, arrived 28 min before the first failure',
      'qemu-system-aarch64 (PID 977), 1.3 GB, 368% CPU for 45 min',
    ]);
    expect(canary.suggestion).toBe('Free memory: unload or quit LM Studio worker (13.0 GB), then watch the canary');
  });

  it('measures the arrival from the first failure, not from when the finding was first seen', () => {
    const input = incidentObservation();
    const previous = new Map(assess(input, null, DEFAULT_THRESHOLDS, T).map((f) => [f.key, { ...f, since: T - 60_000 }]));
    const later = diagnose(assess(input, previous, DEFAULT_THRESHOLDS, T), input, T);
    expect(diagnosisOf(later, 'service:cathedral:canary').thieves[1]).toContain('arrived 28 min before the first failure');
  });

  it('does not call a process that arrived after the failures began the straw', () => {
    const input = incidentObservation();
    input.thieves = incidentThieves().map((t) => (t.pid === 4410 ? { ...t, startedAt: T - 5 * 60_000, arrivedAgoSeconds: 5 * 60, story: '13.0 GB, arrived 5 min ago' } : t));
    const d = diagnosisOf(run(input), 'service:cathedral:canary');
    expect(d.thieves[1]).toBe('LM Studio worker (llmworker, PID 4410), 13.0 GB, arrived 5 min ago');
    expect(d.suggestion).toBe('Free memory: stop or restart the largest or growing process above');
  });

  it('explains memory itself by its thieves, the arrival measured from when memory ran short', () => {
    const input = incidentObservation();
    const first = assess(input, null, DEFAULT_THRESHOLDS, T);
    const previous = new Map(first.map((f) => [f.key, f.key === 'memory:available' ? { ...f, since: ARRIVED + 2 * 60_000 } : f]));
    const d = diagnosisOf(diagnose(assess(input, previous, DEFAULT_THRESHOLDS, T), input, T), 'memory:available');
    expect(d.cause).toBe('LM Studio worker (13.0 GB) arrived 2 min before memory ran short');
    expect(d.thieves[1]).toBe('LM Studio worker (llmworker, PID 4410), 13.0 GB, arrived 2 min before memory ran short');
  });

  it('uses the configured arrival size and window, not the defaults', () => {
    const input = incidentObservation();
    const bigger = { ...DEFAULT_THRESHOLDS, arrivalMinBytes: 20e9 };
    const withBigger = diagnose(assess(input, null, bigger, T), input, T, bigger);
    const d = diagnosisOf(withBigger, 'service:cathedral:canary');
    expect(d.thieves.join('\n')).not.toContain('before the first failure');
    expect(d.suggestion).toBe('Free memory: stop or restart the largest or growing process above');
    const shorter = { ...DEFAULT_THRESHOLDS, arrivalWindowMinutes: 10 };
    const withShorter = diagnose(assess(input, null, shorter, T), input, T, shorter);
    expect(diagnosisOf(withShorter, 'service:cathedral:canary').suggestion).not.toContain('LM Studio worker');
  });

  it('does not blame a process that started more than the arrival window before memory ran short', () => {
    const d = diagnosisOf(result, 'memory:available');
    expect(d.cause).toBe('MLX server growing 3.5 GB/h');
  });
});

describe('diagnose: a failing probe without memory stress says what the process is doing', () => {
  const failing = (at: number): ProbeSample => ({ at, ok: false, latencyMs: null });
  const probe = probeView({ ok: false, measured: 'no answer within 3 s', recent: [failing(T - 2000), failing(T - 1000), failing(T)] });
  const base = cathedral(T, { state: 'running', orphan: null, canary: null, probe });
  const calm = { memory: healthyMemory(), memoryUnknown: null, thieves: [], locks: [], jobs: [], unknowns: [] };

  it.each([
    {
      name: 'gone',
      input: { ...calm, services: [{ ...base, state: 'missing' as const, stateReason: 'nothing listens on port 1337', process: null, supervision: { ...base.supervision!, lastExit: { code: 1, signal: null, neverExited: false, text: 'exit 1' } } }] },
      cause: 'process gone: nothing listens on port 1337; last exit 1',
    },
    {
      name: 'alive and busy',
      input: { ...calm, services: [base], processes: [{ pid: 812, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 97, cpuSeconds: null, elapsedSeconds: 1, startedAt: 0, name: 'sanctum-mlx', command: 'x', zombie: false }] },
      cause: 'process alive and busy: PID 812 at 97% CPU',
    },
    {
      name: 'alive and idle',
      input: { ...calm, services: [base], processes: [{ pid: 812, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 0.3, cpuSeconds: null, elapsedSeconds: 1, startedAt: 0, name: 'sanctum-mlx', command: 'x', zombie: false }] },
      cause: 'process alive and idle: PID 812 at 0.3% CPU — not computing (waiting on memory, disk or a stuck thread)',
    },
    { name: 'alive, CPU not read', input: { ...calm, services: [base] }, cause: 'process alive: PID 812 (CPU not measured)' },
  ])('$name', ({ input, cause }) => {
    const result = run(input);
    expect(result.findings.find((f) => f.key === 'service:cathedral:down')!.causes).toEqual([]);
    const d = diagnosisOf(result, 'service:cathedral:down');
    expect(d.symptom).toBe('cathedral health probe: no answer within 3 s (3 of last 3 failed)');
    expect(d.cause).toBe(cause);
    expect(d.thieves).toEqual([]);
  });

  it('a server that answers, only with an error, is not called idle or hung', () => {
    const answering = { ...base, probe: { ...probe, status: 500, measured: '500 in 2 ms' } };
    const processes = [{ pid: 812, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 0.3, cpuSeconds: null, elapsedSeconds: 1, startedAt: 0, name: 'sanctum-mlx', command: 'x', zombie: false }];
    const d = diagnosisOf(run({ ...calm, services: [answering], processes }), 'service:cathedral:down');
    expect(d.cause).toBe('process alive and answering (HTTP 500): PID 812 at 0.3% CPU');
  });

  it('judges busy or idle by the CPU measured over the last interval, not ps\'s lifetime average', () => {
    // A server that computed hard for hours and has been silent since: ps (Linux) still says 97%.
    const processes = [{ pid: 812, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 97, cpuSeconds: null, elapsedSeconds: 1, startedAt: 0, name: 'sanctum-mlx', command: 'x', zombie: false }];
    const input: Observation = { ...calm, services: [base], processes, cpuNow: (pid) => (pid === 812 ? 0.2 : null) };
    expect(diagnosisOf(run(input), 'service:cathedral:down').cause).toBe('process alive and idle: PID 812 at 0.2% CPU — not computing (waiting on memory, disk or a stuck thread)');
  });

  it('mentions a recent wake from sleep', () => {
    const d = diagnosisOf(run({ ...calm, services: [base], wokeAt: T - 4 * 60_000 - 5000 }), 'service:cathedral:down');
    expect(d.causeEvidence).toContain('host woke from sleep 4 min 5 s ago');
  });
});

describe('diagnose: locks, jobs and orphans', () => {
  const briefing: JobView = {
    ...weeklyRestart(),
    name: 'daily-briefing',
    explanation: 'exit 1: Could not set lock on file "workspace.duckdb": Conflicting lock is held in .../Python (PID 10832)',
    lastExit: { code: 1, signal: null, neverExited: false, text: 'exit 1' },
  };
  const input: Observation = { ...incidentObservation(), jobs: [weeklyRestart(), briefing] };
  const result = run(input);

  it('names the lock holder as the cause of a refused reader', () => {
    const d = diagnosisOf(result, `lock:${DUCKDB}:held`);
    expect(d.symptom).toBe('a reader of workspace.duckdb was refused: ' + duckdbLock().readerError);
    expect(d.cause).toBe('held by PID 10832 Python scripts/message-to-duckdb.py (posix-write, process up 3 d 2 h)');
    expect(d.suggestion).toBe('Release: Send SIGTERM to PID 10832 (Python scripts/message-to-duckdb.py)');
  });

  it('links a job refused by the lock to the lock', () => {
    expect(result.findings.find((f) => f.key === 'job:daily-briefing:failed')!.causes).toEqual([`lock:${DUCKDB}:held`]);
    expect(diagnosisOf(result, 'job:daily-briefing:failed').cause).toContain('PID 10832');
    expect(result.findings.find((f) => f.key === 'job:weekly-restart:failed')!.causes).toEqual([]);
    expect(diagnosisOf(result, 'job:weekly-restart:failed').cause).toBe('last exit 5: launchctl bootstrap could not find the plist (EIO)');
  });

  it('offers the re-adoption for an orphan', () => {
    const d = diagnosisOf(result, 'service:cathedral:orphaned');
    expect(d.symptom).toBe('cathedral: PID 812 runs with no loaded job owning it');
    expect(d.suggestion).toMatch(/^Re-adopt: Copy the matching backup/);
  });
});

describe('firstFailureAt', () => {
  const s = (pattern: string): ProbeSample[] => [...pattern].map((c, i) => ({ at: 1000 * (i + 1), ok: c === '1', latencyMs: null }));
  it.each([
    ['1111000', 5000],
    // one success inside a flapping run does not end it
    ['1101000', 3000],
    ['0011000', 5000],
    ['000', 1000],
    ['', 99_000],
  ])('%s → %d', (pattern, expected) => {
    expect(firstFailureAt(probeView({ recent: s(pattern) }), 99_000)).toBe(expected);
  });

  it('is the incident first failure, nine minutes before the third', () => {
    expect(firstFailureAt(incidentObservation().services[0]!.canary, T)).toBe(FIRST_FAILURE);
  });
});
