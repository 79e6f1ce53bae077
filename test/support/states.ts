/**
 * Fixture States for the shells and the popover, built from the 2026-05-10 incident's numbers
 * (scenarios/incident-2026-05-10.md). Times are relative to `now`, so a browser reading its own
 * clock sees the same ages ("arrived 28 min ago", "held 3 d 2 h").
 */
import { MAC_MINI_IDENTITY } from './record-afternoon.js';
import type { ActionOffer, JobView, LockView, ServiceView } from '../../src/common/services.js';
import type { Finding, IncidentView } from '../../src/common/findings.js';
import type { MemoryView } from '../../src/common/memory.js';
import type { ModelServerView } from '../../src/common/models.js';
import type { Thief } from '../../src/common/processes.js';
import type { State } from '../../src/common/state.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const GB = 1e9;
const MIN = 60_000;
const HOUR = 60 * MIN;

export const INCIDENT_ID = 'inc-2026-05-10-cathedral';
export const CATHEDRAL_PID = 4120;
export const LOCK_PID = 10832;
export const LOCK_HELD_SECONDS = 3 * 86400 + 2 * 3600 + 15 * 60 + 11; // etime 03-02:15:11
export const LOCK_PATH = '/Users/bert/work/workspace.duckdb';
export const PLIST = '/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist';
export const BACKUP = `${PLIST}.pre-disable-compile-20260507-030615`;
const CATHEDRAL_COMMAND = '/Users/bert/.venvs/mlx/bin/python3 -m sanctum_mlx.server --model /Users/bert/models/Qwen3-32B-MLX-8bit --port 1337';

export const READOPT: ActionOffer = {
  id: 'readopt:cathedral',
  kind: 'readopt',
  target: 'cathedral',
  label: 'Re-adopt',
  confirm:
    `Copy ${BACKUP} to ${PLIST}, check it with plutil -lint, stop PID ${CATHEDRAL_PID} (SIGTERM), ` +
    'load it with launchctl bootstrap gui/501 and wait for /v1/models to answer. cathedral is down for about 30 s.',
};

export const RESTART_EMBED: ActionOffer = {
  id: 'restart:embeddings',
  kind: 'restart',
  target: 'embeddings',
  label: 'Restart',
  confirm: 'Restart embeddings with launchctl kickstart -k gui/501/com.bert.embeddings. It is down for a few seconds.',
};

export const RELEASE_LOCK: ActionOffer = {
  id: `release:${LOCK_PATH}:${LOCK_PID}`,
  kind: 'release',
  target: LOCK_PATH,
  label: 'Release',
  confirm: `Send SIGTERM to PID ${LOCK_PID} (python3.14 scripts/message-to-duckdb.py), which has held workspace.duckdb for 3 d 2 h. Work it has not saved is lost.`,
};

function memory(now: number, level: 'green' | 'amber' | 'red'): MemoryView {
  const base = {
    at: now - 2000,
    platform: 'darwin' as const,
    totalBytes: 64 * GiB,
    swapTotalBytes: level === 'green' ? 2 * GiB : 11264 * MiB,
    pressureSource: `kern.memorystatus_vm_pressure_level = ${level === 'red' ? 4 : level === 'amber' ? 2 : 1}`,
    counters: null,
  };
  if (level === 'green') {
    return {
      ...base,
      freeBytes: 2.4 * GiB,
      availableBytes: 37.6 * GiB,
      compressedBytes: 1.1 * GiB,
      wiredBytes: 3.1 * GiB,
      swapUsedBytes: 0,
      pressure: 'normal',
      freePercent: 58,
      rates: { pageInBytesPerSec: 0, pageOutBytesPerSec: 0, swapInBytesPerSec: 0, swapOutBytesPerSec: 0, overSeconds: 5 },
    };
  }
  if (level === 'amber') {
    return {
      ...base,
      freeBytes: 1.6 * GiB,
      availableBytes: 6.2 * GiB,
      compressedBytes: 6.8 * GiB,
      wiredBytes: 3.2 * GiB,
      swapUsedBytes: 3.4 * GiB,
      pressure: 'warn',
      freePercent: 17,
      rates: { pageInBytesPerSec: 4 * MiB, pageOutBytesPerSec: 2 * MiB, swapInBytesPerSec: 3 * MiB, swapOutBytesPerSec: 9 * MiB, overSeconds: 5 },
    };
  }
  return {
    ...base,
    freeBytes: 820 * MiB,
    availableBytes: 2.1 * GiB,
    compressedBytes: 9.8 * GiB,
    wiredBytes: 3.4 * GiB,
    swapUsedBytes: Math.round(10386.19 * MiB),
    pressure: 'critical',
    freePercent: 6,
    rates: { pageInBytesPerSec: 140 * MiB, pageOutBytesPerSec: 52 * MiB, swapInBytesPerSec: 95 * MiB, swapOutBytesPerSec: 48 * MiB, overSeconds: 5 },
  };
}

function thieves(now: number, level: 'green' | 'amber' | 'red'): Thief[] {
  const mlxBytes = level === 'green' ? 24.1 * GB : level === 'amber' ? 43.0 * GB : 50.2 * GB;
  const mlx: Thief = {
    pid: CATHEDRAL_PID,
    startedAt: now - 11 * HOUR,
    name: 'sanctum-mlx',
    command: CATHEDRAL_COMMAND,
    role: 'mlx-server',
    roleLabel: 'MLX server',
    rssBytes: mlxBytes,
    footprintBytes: null,
    memoryMetric: 'rss',
    memoryBytes: mlxBytes,
    cpuPercent: 104,
    sustainedCpu: null,
    growth: level === 'green' ? null : { bytesPerHour: 3.5 * GB, r2: 0.98, windowSeconds: 11 * 3600, exhaustsInSeconds: level === 'amber' ? 1.7 * 3600 : 0.6 * 3600 },
    arrivedAgoSeconds: null,
    reasons: level === 'green' ? ['memory'] : ['memory', 'growth'],
    story: level === 'green' ? `${(mlxBytes / GB).toFixed(1)} GB, steady over 11 h` : `~${(mlxBytes / GB).toFixed(1)} GB, growing 3.5 GB/h (R² 0.98 over 11 h)`,
  };
  const qemu: Thief = {
    pid: 2231,
    startedAt: now - 26 * HOUR,
    name: 'qemu-system-aarch64',
    command: '/opt/homebrew/bin/qemu-system-aarch64 -machine virt,highmem=on -accel hvf -cpu host -smp 4 -m 1024',
    role: 'vm',
    roleLabel: 'virtual machine',
    rssBytes: 1.3 * GB,
    footprintBytes: null,
    memoryMetric: 'rss',
    memoryBytes: 1.3 * GB,
    cpuPercent: 368,
    sustainedCpu: { averagePercent: 368, forSeconds: 3 * 3600 },
    growth: null,
    arrivedAgoSeconds: null,
    reasons: ['cpu'],
    story: '368% CPU for 3 h: four cores taken (idle spin)',
  };
  if (level === 'green') return [mlx];
  const worker: Thief = {
    pid: 9311,
    startedAt: now - 28 * MIN,
    name: 'LM Studio Helper',
    command: '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper.app/Contents/MacOS/LM Studio Helper --type=utility llmworker.js',
    role: 'lmstudio-worker',
    roleLabel: 'LM Studio worker',
    rssBytes: 13.1 * GB,
    footprintBytes: 13.4 * GB,
    memoryMetric: 'footprint',
    memoryBytes: 13.4 * GB,
    cpuPercent: 2,
    sustainedCpu: null,
    growth: null,
    arrivedAgoSeconds: 28 * 60,
    reasons: ['memory', 'arrival'],
    story: '~13.4 GB (Coder-14B GGUF), loaded 28 min ago by a helper',
  };
  return level === 'amber' ? [mlx, worker] : [mlx, worker, qemu];
}

function services(now: number, level: 'green' | 'amber' | 'red'): ServiceView[] {
  const process = { pid: CATHEDRAL_PID, ppid: level === 'green' ? 1 : 1, uid: 501, startedAt: now - 11 * HOUR, name: 'sanctum-mlx', command: CATHEDRAL_COMMAND };
  const recent = Array.from({ length: 12 }, (_, i) => ({ at: now - (12 - i) * 30_000, ok: true, latencyMs: 35 + (i % 4) * 3 }));
  const probe = {
    url: 'http://127.0.0.1:1337/v1/models',
    tier: 'healthy' as const,
    ok: true,
    status: 200,
    latencyMs: level === 'red' ? 212 : 41,
    measured: level === 'red' ? '200 in 212 ms' : '200 in 41 ms',
    at: now - 4000,
    baselineMs: 40,
    availability1h: 1,
    samples1h: 720,
    availability24h: 0.998,
    consecutiveFailures: 0,
    recentFailures: 0,
    recentCount: 12,
    recent,
    probesTotal: 1440,
    failuresTotal: 3,
  };
  const canary =
    level === 'red'
      ? {
          url: 'http://127.0.0.1:1337/v1/chat/completions',
          tier: 'canary' as const,
          ok: false,
          status: null,
          latencyMs: null,
          measured: 'no answer within 10 s',
          at: now - 60_000,
          baselineMs: 1900,
          availability1h: 0.7,
          samples1h: 9,
          availability24h: 0.97,
          consecutiveFailures: 3,
          recentFailures: 3,
          recentCount: 9,
          recent: [],
          probesTotal: 9,
          failuresTotal: 3,
        }
      : null;
  const cathedral: ServiceView = {
    name: 'cathedral',
    source: 'config',
    url: 'http://127.0.0.1:1337/v1/models',
    port: 1337,
    state: level === 'green' ? 'running' : 'orphaned',
    stateReason:
      level === 'green'
        ? 'launchd job gui/501/com.sanctum.mlx is running (PID 4120)'
        : 'PID 4120 serves port 1337 but no loaded launchd job owns it; com.sanctum.mlx.plist is missing',
    process,
    supervision: {
      kind: 'launchd',
      target: 'gui/501/com.sanctum.mlx',
      loaded: level === 'green',
      jobState: level === 'green' ? 'running' : null,
      jobPid: level === 'green' ? CATHEDRAL_PID : null,
      lastExit: null,
      runs: level === 'green' ? 3 : null,
      plist: { path: PLIST, exists: level === 'green', lintOk: level === 'green' ? true : null, lintMessage: null },
      note: null,
    },
    probe,
    canary,
    orphan:
      level === 'green'
        ? null
        : {
            process,
            canonicalPath: PLIST,
            canonicalExists: false,
            backups: [
              { path: BACKUP, matches: true, mtimeMs: now - 3 * 86400_000 },
              { path: `${PLIST}.pre-multimodal-20260503-135006`, matches: false, mtimeMs: now - 7 * 86400_000 },
              { path: `${PLIST}.pre-metalcaps-20260424-184209`, matches: false, mtimeMs: now - 16 * 86400_000 },
            ],
            matchingBackup: BACKUP,
            why: 'no loaded launchd job owns PID 4120; the plist is missing; the newest backup matches its command line byte for byte',
          },
    actions: level === 'green' ? [] : [READOPT],
    snoozedUntil: null,
    goneAt: null,
  };
  const embeddings: ServiceView = {
    name: 'embeddings',
    source: 'config',
    url: 'http://127.0.0.1:8081/health',
    port: 8081,
    state: 'running',
    stateReason: 'launchd job gui/501/com.bert.embeddings is running (PID 5012)',
    process: { pid: 5012, ppid: 1, uid: 501, startedAt: now - 30 * HOUR, name: 'llama-server', command: 'llama-server --port 8081 -m nomic-embed.gguf' },
    supervision: { kind: 'launchd', target: 'gui/501/com.bert.embeddings', loaded: true, jobState: 'running', jobPid: 5012, lastExit: null, runs: 1, plist: null, note: null },
    probe: { ...probe, url: 'http://127.0.0.1:8081/health', latencyMs: level === 'green' ? 12 : 840, measured: level === 'green' ? '200 in 12 ms' : '200 in 840 ms', baselineMs: 12, availability24h: level === 'green' ? 1 : 0.991 },
    canary: null,
    orphan: null,
    actions: level === 'green' ? [] : [RESTART_EMBED],
    snoozedUntil: null,
    goneAt: null,
  };
  return [cathedral, embeddings];
}

function locks(now: number, level: 'green' | 'amber' | 'red'): LockView[] {
  if (level === 'green') {
    return [{ path: LOCK_PATH, exists: true, holders: [], heldSeconds: null, limitSeconds: 3600, readerError: null, note: null, actions: [] }];
  }
  return [
    {
      path: LOCK_PATH,
      exists: true,
      holders: [
        {
          pid: LOCK_PID,
          ppid: 10790,
          uid: 501,
          startedAt: now - LOCK_HELD_SECONDS * 1000,
          name: 'python3.14',
          command: 'python3.14 scripts/message-to-duckdb.py',
          kind: 'posix-write',
          heldSeconds: LOCK_HELD_SECONDS,
        },
      ],
      heldSeconds: LOCK_HELD_SECONDS,
      limitSeconds: 3600,
      readerError: 'Could not set lock on file "workspace.duckdb": Conflicting lock is held in /opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python (PID 10832) by user bert',
      note: null,
      actions: [RELEASE_LOCK],
    },
  ];
}

function jobs(now: number, level: 'green' | 'amber' | 'red'): JobView[] {
  const failed = level !== 'green';
  return [
    {
      name: 'weekly cathedral restart',
      kind: 'launchd',
      target: 'gui/501/com.sanctum.weekly-restart',
      lastExit: failed
        ? { code: 5, signal: null, neverExited: false, text: 'exit 5 (EIO: Input/output error)' }
        : { code: 0, signal: null, neverExited: false, text: 'exit 0' },
      lastRunAt: now - 11 * HOUR,
      nextDueAt: now + 6 * 86400_000 + 13 * HOUR,
      overdueSeconds: null,
      logPath: '/Users/bert/Library/Logs/weekly-restart.log',
      explanation: failed ? 'last exit 5: launchctl bootstrap could not find the plist (EIO)' : 'last exit 0: ran fine',
    },
  ];
}

function finding(key: string, severity: Finding['severity'], title: string, since: number, subject: Finding['subject'], extra: Partial<Finding> = {}): Finding {
  return { key, severity, title, evidence: [], since, causes: [], actions: [], subject, ...extra };
}

export function greenState(now = Date.now()): State {
  return {
    version: 1,
    level: 'ok',
    headline: 'All normal: 37.6 GiB available, 2 services answering',
    generatedAt: now,
    sampledAt: now - 2000,
    stale: false,
    intervalSeconds: 5,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: 501, cpuCount: 16, identity: MAC_MINI_IDENTITY },
    memory: memory(now, 'green'),
    thieves: thieves(now, 'green'),
    services: services(now, 'green'),
    locks: locks(now, 'green'),
    jobs: jobs(now, 'green'),
    models: [],
    findings: [],
    incidents: [],
    unknowns: [],
    snoozedUntil: null,
    replay: false,
    history: { available: true, reason: null, readOnly: false },
    notes: [],
    senses: null,
    parts: [
      { name: 'memory', ok: true, seconds: 0.004 },
      { name: 'processes', ok: true, seconds: 0.012 },
      { name: 'footprint', ok: true, seconds: 0.35 },
      { name: 'services', ok: true, seconds: 0.041 },
      { name: 'locks', ok: true, seconds: 0.02 },
      { name: 'jobs', ok: true, seconds: 0.003 },
      { name: 'history', ok: true, seconds: 0.001 },
      { name: 'config', ok: true, seconds: null },
    ],
    channels: [],
  };
}

export function amberState(now = Date.now()): State {
  const findings: Finding[] = [
    finding('memory:pressure', 'warn', 'Memory pressure warn: 6.2 GiB available, swap 3.4 GiB', now - 20 * MIN, { kind: 'memory', id: 'host' }),
    finding('process:4120:growth', 'warn', 'sanctum-mlx grows 3.5 GB/h: memory runs out in about 1 h 42 min', now - 40 * MIN, { kind: 'process', id: '4120' }),
    finding('service:cathedral:orphaned', 'warn', 'cathedral is not supervised: no launchd job owns PID 4120', now - 3 * 86400_000, { kind: 'service', id: 'cathedral' }, { actions: [READOPT] }),
    finding('service:embeddings:slow', 'warn', 'embeddings answers slowly: 840 ms (usually 12 ms)', now - 6 * MIN, { kind: 'service', id: 'embeddings' }, { actions: [RESTART_EMBED] }),
    finding(`lock:${LOCK_PATH}`, 'warn', 'workspace.duckdb held 3 d 2 h by PID 10832', now - LOCK_HELD_SECONDS * 1000, { kind: 'lock', id: LOCK_PATH }, { actions: [RELEASE_LOCK] }),
    finding('job:weekly cathedral restart:failed', 'warn', 'weekly cathedral restart: last exit 5', now - 11 * HOUR, { kind: 'job', id: 'weekly cathedral restart' }),
  ];
  return {
    ...greenState(now),
    level: 'warn',
    headline: 'Amber: memory pressure warn, cathedral unsupervised',
    memory: memory(now, 'amber'),
    thieves: thieves(now, 'amber'),
    services: services(now, 'amber'),
    locks: locks(now, 'amber'),
    jobs: jobs(now, 'amber'),
    findings,
    unknowns: [{ part: 'launchd jobs', reason: 'launchctl print gui/501 gave no answer within 5 s' }],
  };
}

export const UNLOAD_CODER: ActionOffer = {
  id: 'unload:lm-studio:qwen2.5-coder-14b',
  kind: 'unload',
  target: 'lm-studio',
  label: 'Unload',
  confirm:
    'Check that PID 1500 still serves 127.0.0.1:1234, then ask LM Studio to unload qwen2.5-coder-14b (POST /api/v1/models/unload {"instance_id":"qwen2.5-coder-14b"}), and measure the memory given back (host available, and PID 1500 with its children).',
};

/** LM Studio with the Coder-14B its JIT loading took in 28 min before, and an Ollama with a model that unloads in 4 min. */
function models(now: number): ModelServerView[] {
  const none = { vramBytes: null, contextLength: 32768, expiresAt: null };
  return [
    {
      service: 'lm-studio',
      kind: 'lmstudio',
      source: 'GET http://127.0.0.1:1234/api/v1/models',
      read: 'ok',
      reason: null,
      at: now - 20_000,
      latencyMs: 3.1,
      omitted: 0,
      process: { pid: 1500, pids: [1500, 9311], memoryBytes: 13_820_000_000, memoryMetric: 'footprint' },
      models: [{ name: 'qwen2.5-coder-14b', state: 'loaded', sizeBytes: 12_124_684_032, sizeMeaning: 'file', ...none, loadedAt: now - 37 * MIN, loadedAtSource: 'process', actions: [UNLOAD_CODER] }],
    },
    {
      service: 'ollama',
      kind: 'ollama',
      source: 'GET http://127.0.0.1:11434/api/ps',
      read: 'ok',
      reason: null,
      at: now - 20_000,
      latencyMs: 1.4,
      omitted: 0,
      process: { pid: 812, pids: [812, 8840], memoryBytes: 2_310_000_000, memoryMetric: 'footprint' },
      models: [{ name: 'llama3.2:3b', state: 'loaded', sizeBytes: 2_019_393_189, sizeMeaning: 'at-load', vramBytes: 2_019_393_189, contextLength: 4096, expiresAt: now + 4 * MIN + 30_000, loadedAt: now - 30_000, loadedAtSource: 'seen', actions: [] }],
    },
  ];
}

export function redState(now = Date.now()): State {
  const openedAt = now - 9 * MIN;
  const incident: IncidentView = {
    id: INCIDENT_ID,
    openedAt,
    closedAt: null,
    severity: 'crit',
    title: "cathedral's canary: no answer within 10 s (3 times in 9 min)",
    findingKeys: ['service:cathedral:canary', 'memory:pressure'],
    diagnosis: {
      symptom: "cathedral's multimodal canary got no answer within 10 s, 3 times in 9 min; /v1/models still answers 200.",
      cause: 'The host is swapping: 10.1 GiB of swap used, 820 MiB free of 64 GiB, pressure critical.',
      causeEvidence: ['swap used 10.1 GiB of 11 GiB', 'free 820 MiB of 64 GiB', 'pressure critical (kern.memorystatus_vm_pressure_level = 4)', 'swap-in 95 MiB/s'],
      thieves: [
        'sanctum-mlx ~50.2 GB RSS, growing 3.5 GB/h',
        'LM Studio worker ~13.4 GB footprint, arrived 28 min before the first failure',
        'qemu-system-aarch64 at 368% CPU',
      ],
      suggestion: 'Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b), then watch the canary',
      actionId: UNLOAD_CODER.id,
      differential: [
        { name: 'memory', verdict: 'in', text: 'swap 10.1 GiB used, 1.7 GiB available of 64 GiB, pressure critical' },
        { name: 'cpu', verdict: 'in', text: 'load 19.5 / 16; qemu-system-aarch64 368% (3.7 cores)' },
        { name: 'thermal', verdict: 'out', text: 'no warning' },
        { name: 'disk', verdict: 'out', text: '62 % free' },
        { name: 'log', verdict: 'in', text: 'prefill 59.2 s, baseline 200 ms (296×)' },
      ],
    },
    notified: true,
  };
  const amber = amberState(now);
  const findings: Finding[] = [
    finding('service:cathedral:canary', 'crit', "cathedral's canary: no answer within 10 s", openedAt, { kind: 'service', id: 'cathedral' }, { causes: ['memory:pressure'] }),
    finding('memory:pressure', 'crit', 'Memory pressure critical: 820 MiB free, swap 10.1 GiB', now - 25 * MIN, { kind: 'memory', id: 'host' }),
    finding('process:9311:arrival', 'warn', 'LM Studio worker arrived 28 min ago holding 13.4 GB', now - 28 * MIN, { kind: 'process', id: '9311' }),
    finding('process:2231:cpu', 'warn', 'qemu-system-aarch64 at 368% CPU for 3 h', now - 3 * HOUR, { kind: 'process', id: '2231' }),
    ...amber.findings.filter((f) => f.key !== 'memory:pressure'),
  ];
  return {
    ...amber,
    level: 'crit',
    headline: "Red: cathedral's canary not answering; host swapping 10.1 GiB, 820 MiB free",
    memory: memory(now, 'red'),
    thieves: thieves(now, 'red'),
    services: services(now, 'red'),
    findings,
    incidents: [incident],
    models: models(now),
    unknowns: [],
    channels: [
      { name: 'phone', kind: 'ntfy', queued: 0, sentTotal: 1, failedTotal: 0, lastSentAt: openedAt + 30_000, retrying: null, lastFailure: null },
      {
        name: 'ops-webhook',
        kind: 'webhook',
        queued: 1,
        sentTotal: 0,
        failedTotal: 0,
        lastSentAt: null,
        retrying: { title: incident.title, attempts: 4, since: openedAt + 30_000, error: 'HTTP 502: Bad Gateway', nextAttemptAt: now + 16_000, givesUpAt: openedAt + 30_000 + 30 * MIN },
        lastFailure: null,
      },
    ],
  };
}

export function staleState(now = Date.now()): State {
  const state = greenState(now);
  return { ...state, level: 'unknown', stale: true, sampledAt: now - 47_000, headline: 'Stale: last sample 47 s ago' };
}

/** A process name and command written to break a careless renderer: HTML, ANSI colour, bidi overrides, 10 kB. */
export const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">\u001b[31mred\u001b[0m\u202Egnp.exe';
export const HOSTILE_COMMAND = `<script>window.__pwned=2</script>${'A'.repeat(10_000)}`;

export function hostileState(now = Date.now()): State {
  const state = amberState(now);
  const [first, ...rest] = state.thieves;
  return { ...state, thieves: [{ ...first!, name: HOSTILE_NAME, command: HOSTILE_COMMAND, story: `2.1 GB RSS, ${HOSTILE_NAME} ${'x'.repeat(10_000)}` }, ...rest] };
}
