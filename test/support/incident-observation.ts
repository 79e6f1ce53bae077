/**
 * The afternoon of 2026-05-10 (scenarios/incident-2026-05-10.md) as the Observation the engine
 * judges, every number from the operator's write-up; and the same host on a healthy day.
 */
import type { MemoryView } from '../../src/common/memory.js';
import type { Thief } from '../../src/common/processes.js';
import type { JobView, LockView, ProbeSample, ProbeView, ServiceView } from '../../src/common/services.js';
import type { Observation } from '../../src/engine/assess.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
const MIN = 60_000;
const HOUR = 60 * MIN;

/** The third canary failure: 15:00 local on Sunday 2026-05-10. */
export const T = Date.UTC(2026, 4, 10, 13, 0, 0);
export const FIRST_FAILURE = T - 9 * MIN;
/** The LM Studio worker loaded its 13 GB model 28 minutes before the first failure. */
export const ARRIVED = FIRST_FAILURE - 28 * MIN;
export const LOCK_HELD_SECONDS = 3 * 86400 + 2 * 3600 + 15 * 60 + 11;
export const DUCKDB = '/Users/bert/data/workspace.duckdb';
export const PLIST = '/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist';

export function incidentMemory(now = T): MemoryView {
  return {
    at: now,
    platform: 'darwin',
    totalBytes: 64 * GiB,
    freeBytes: 820 * MiB,
    availableBytes: 1.6 * GiB,
    compressedBytes: 9 * GiB,
    wiredBytes: 4 * GiB,
    swapTotalBytes: 11264 * MiB,
    swapUsedBytes: 10386.19 * MiB,
    pressure: 'critical',
    pressureSource: 'kern.memorystatus_vm_pressure_level = 4',
    freePercent: 4,
    counters: { pageSizeBytes: 16384, pageins: 9_000_000, pageouts: 7_000_000, swapins: 3_000_000, swapouts: 4_000_000 },
    rates: { pageInBytesPerSec: 60 * MiB, pageOutBytesPerSec: 40 * MiB, swapInBytesPerSec: 55 * MiB, swapOutBytesPerSec: 38 * MiB, overSeconds: 5 },
  };
}

export function healthyMemory(now = T): MemoryView {
  return {
    ...incidentMemory(now),
    freeBytes: 300 * MiB,
    availableBytes: 22 * GiB,
    compressedBytes: 2 * GiB,
    swapUsedBytes: 0,
    pressure: 'normal',
    pressureSource: 'kern.memorystatus_vm_pressure_level = 1',
    freePercent: 61,
    rates: { pageInBytesPerSec: 0, pageOutBytesPerSec: 0, swapInBytesPerSec: 0, swapOutBytesPerSec: 0, overSeconds: 5 },
  };
}

const MLX_COMMAND = '/Users/bert/sanctum/.venv/bin/python3 -m sanctum_mlx.server --port 1337 --model mlx-community/Qwen2.5-VL-72B-4bit';

export function incidentThieves(now = T): Thief[] {
  const growthRate = 3.5e9;
  return [
    {
      pid: 812, startedAt: T - 11 * HOUR, name: 'sanctum-mlx', command: MLX_COMMAND,
      role: 'mlx-server', roleLabel: 'MLX server',
      rssBytes: 50.2e9, footprintBytes: 50.2e9, memoryMetric: 'footprint', memoryBytes: 50.2e9,
      cpuPercent: 4, sustainedCpu: null,
      growth: { bytesPerHour: growthRate, r2: 0.97, windowSeconds: 11 * 3600, exhaustsInSeconds: ((1.6 * GiB) / growthRate) * 3600 },
      arrivedAgoSeconds: null, reasons: ['memory', 'growth'],
      story: '~50.2 GB, growing 3.5 GB/h (R² 0.97 over 11 h)',
    },
    {
      pid: 4410, startedAt: ARRIVED, name: 'llmworker', command: '/Applications/LM Studio.app/Contents/Resources/app/.webpack/bin/llmworker --model Qwen2.5-Coder-14B-Instruct-Q6_K.gguf',
      role: 'lmstudio-worker', roleLabel: 'LM Studio worker',
      rssBytes: 13.0e9, footprintBytes: 13.0e9, memoryMetric: 'footprint', memoryBytes: 13.0e9,
      cpuPercent: 2, sustainedCpu: null, growth: null,
      arrivedAgoSeconds: (now - ARRIVED) / 1000, reasons: ['memory', 'arrival'],
      story: '13.0 GB, arrived 37 min ago',
    },
    {
      pid: 977, startedAt: T - 6 * 86400_000, name: 'qemu-system-aarch64', command: '/opt/homebrew/bin/qemu-system-aarch64 -machine virt -accel hvf -smp 4 -m 1024',
      role: 'vm', roleLabel: null,
      rssBytes: 1.3e9, footprintBytes: 1.3e9, memoryMetric: 'footprint', memoryBytes: 1.3e9,
      cpuPercent: 368, sustainedCpu: { averagePercent: 368, forSeconds: 45 * 60 }, growth: null,
      arrivedAgoSeconds: null, reasons: ['cpu'],
      story: '1.3 GB, 368% CPU for 45 min',
    },
  ];
}

/** Every 4.5 min up to T; the last three failed ("three canary failures in nine minutes"). */
export function canarySamples(failures = 3): ProbeSample[] {
  return Array.from({ length: 7 }, (_, i) => {
    const at = T - (6 - i) * 4.5 * MIN;
    const ok = i < 7 - failures;
    return { at, ok, latencyMs: ok ? 210 : null };
  });
}

export function probeView(overrides: Partial<ProbeView> = {}): ProbeView {
  const recent = overrides.recent ?? [];
  return {
    url: 'http://127.0.0.1:1337/v1/models',
    tier: 'healthy',
    ok: true,
    status: 200,
    latencyMs: 41,
    measured: '200 in 41 ms',
    at: T,
    baselineMs: 40,
    availability1h: 1,
    samples1h: 60,
    availability24h: 1,
    consecutiveFailures: 0,
    recentFailures: recent.filter((s) => !s.ok).length,
    recentCount: recent.length,
    recent,
    probesTotal: recent.length,
    failuresTotal: recent.filter((s) => !s.ok).length,
    ...overrides,
  };
}

export function incidentCanary(now = T): ProbeView {
  const recent = canarySamples();
  return probeView({
    url: 'http://127.0.0.1:1337/v1/chat/completions',
    tier: 'canary',
    ok: false,
    status: null,
    latencyMs: null,
    measured: 'no answer within 10 s',
    at: now,
    baselineMs: 210,
    consecutiveFailures: 3,
    recent,
    recentFailures: 3,
    recentCount: 5,
  });
}

export function cathedral(now = T, overrides: Partial<ServiceView> = {}): ServiceView {
  const process = { pid: 812, ppid: 1, uid: 501, startedAt: T - 11 * HOUR, name: 'sanctum-mlx', command: MLX_COMMAND };
  return {
    name: 'cathedral',
    source: 'config',
    goneAt: null,
    url: 'http://127.0.0.1:1337/v1/models',
    port: 1337,
    state: 'orphaned',
    stateReason: 'PID 812 serves port 1337 but no loaded launchd job owns it',
    process,
    supervision: {
      kind: 'launchd', target: 'gui/501/com.sanctum.mlx', loaded: false, jobState: null, jobPid: null,
      lastExit: null, runs: null, plist: { path: PLIST, exists: false, lintOk: null, lintMessage: null }, note: null,
    },
    probe: probeView({ at: now, recent: [{ at: now, ok: true, latencyMs: 41 }] }),
    canary: incidentCanary(now),
    orphan: {
      process,
      canonicalPath: PLIST,
      canonicalExists: false,
      backups: [
        { path: `${PLIST}.pre-disable-compile-20260507-030615`, matches: true, mtimeMs: Date.UTC(2026, 4, 7, 1, 6, 15) },
        { path: `${PLIST}.pre-multimodal-20260503-135006`, matches: false, mtimeMs: Date.UTC(2026, 4, 3, 11, 50, 6) },
        { path: `${PLIST}.pre-metalcaps-20260424-184209`, matches: false, mtimeMs: Date.UTC(2026, 3, 24, 16, 42, 9) },
      ],
      matchingBackup: `${PLIST}.pre-disable-compile-20260507-030615`,
      why: 'no loaded launchd job owns PID 812; com.sanctum.mlx.plist is missing; the newest backup matches its command line',
    },
    actions: [{
      id: 'readopt:cathedral', kind: 'readopt', target: 'cathedral', label: 'Re-adopt',
      confirm: `Copy the matching backup to ${PLIST}, lint it, stop PID 812, bootstrap gui/501`,
    }],
    snoozedUntil: null,
    ...overrides,
  };
}

export function duckdbLock(now = T): LockView {
  const held = LOCK_HELD_SECONDS + (now - T) / 1000;
  return {
    path: DUCKDB,
    exists: true,
    holders: [{
      pid: 10832, ppid: 10801, uid: 501, startedAt: T - LOCK_HELD_SECONDS * 1000, name: 'Python',
      command: '/opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python scripts/message-to-duckdb.py',
      kind: 'posix-write', heldSeconds: held,
    }],
    heldSeconds: held,
    limitSeconds: 30 * 60,
    readerError: 'Could not set lock on file "workspace.duckdb": Conflicting lock is held in .../Python (PID 10832) by user bert',
    note: null,
    actions: [{ id: `release:${DUCKDB}`, kind: 'release', target: DUCKDB, label: 'Release', confirm: 'Send SIGTERM to PID 10832 (Python scripts/message-to-duckdb.py)' }],
  };
}

export function weeklyRestart(now = T): JobView {
  return {
    name: 'weekly-restart',
    kind: 'launchd',
    target: 'gui/501/com.sanctum.mlx.weekly-restart',
    lastExit: { code: 5, signal: null, neverExited: false, text: 'exit 5 (EIO: Input/output error)' },
    lastRunAt: T - 9 * HOUR,
    nextDueAt: now + 7 * 24 * HOUR - 9 * HOUR,
    overdueSeconds: null,
    logPath: '/Users/bert/Library/Logs/sanctum/weekly-restart.log',
    explanation: 'last exit 5: launchctl bootstrap could not find the plist (EIO)',
  };
}

export function incidentObservation(now = T): Observation {
  return {
    memory: incidentMemory(now),
    memoryUnknown: null,
    thieves: incidentThieves(now),
    services: [cathedral(now)],
    locks: [duckdbLock(now)],
    jobs: [weeklyRestart(now)],
    unknowns: [],
    wokeAt: null,
  };
}

/** The same host on a good day: green, and nothing to say. */
export function healthyObservation(now = T): Observation {
  const process = { pid: 812, ppid: 1, uid: 501, startedAt: T - 11 * HOUR, name: 'sanctum-mlx', command: MLX_COMMAND };
  return {
    memory: healthyMemory(now),
    memoryUnknown: null,
    thieves: [{ ...incidentThieves(now)[0]!, memoryBytes: 30e9, growth: null, reasons: ['memory'], story: '30.0 GB' }],
    services: [cathedral(now, {
      state: 'running',
      stateReason: 'launchd job com.sanctum.mlx running as PID 812',
      supervision: {
        kind: 'launchd', target: 'gui/501/com.sanctum.mlx', loaded: true, jobState: 'running', jobPid: 812,
        lastExit: { code: 0, signal: null, neverExited: true, text: 'never exited' }, runs: 1,
        plist: { path: PLIST, exists: true, lintOk: true, lintMessage: null }, note: null,
      },
      canary: probeView({ url: 'http://127.0.0.1:1337/v1/chat/completions', tier: 'canary', latencyMs: 210, measured: '200 in 210 ms', baselineMs: 205, recent: canarySamples(0) }),
      orphan: null,
      process,
    })],
    locks: [{ ...duckdbLock(now), holders: [], heldSeconds: null, readerError: null }],
    jobs: [{ ...weeklyRestart(now), lastExit: { code: 0, signal: null, neverExited: false, text: 'exit 0' }, explanation: 'last exit 0' }],
    unknowns: [],
    wokeAt: null,
  };
}
