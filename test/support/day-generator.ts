/**
 * Days Warden has not seen: a seeded plan of a multi-hour darwin or linux day (healthy noise
 * plus injected events), written as a capture bundle the real engine replays. Everything
 * follows from the seed, so a failing day is replayed by its seed alone.
 *
 * Healthy noise: short-lived processes come and go on a small pid range (so pids are reused),
 * RSS jitters, probes answer at random latencies with a rare single failure, the engine's
 * cycles start a few ms late. Injected events, each in its own stretch of the day with time
 * to settle after it: an outage of the API (k failed probes), a flap (failing every other
 * probe), a leak (a process growing at a known rate), a crash of the configured model server
 * (SIGKILL, restarted minutes later), a discovered server that quits for good (LM Studio on
 * port 1234, found by discovery, never configured), memory pressure gone critical for minutes or
 * for a spike of seconds, and a sleep (no samples, then the clock jumps).
 *
 * The host the plan describes answers in the real formats: test/support/day-host.ts.
 */
import type { WardenConfigInput } from '../../src/common/config.js';
import { seededRandom } from './seeded-random.js';

export type DayPlatform = 'darwin' | 'linux';
export type EventKind = 'outage' | 'flap' | 'leak' | 'crash' | 'discovered-crash' | 'pressure' | 'pressure-spike' | 'sleep';

export interface DayOptions {
  seed: number;
  intervalSeconds: number;
  /** The API's health probe interval. */
  probeSeconds: number;
  /** At least this long; a day grows to hold its events. */
  minutes: number;
  platform?: DayPlatform;
  events?: readonly EventKind[];
  /** A large long-lived process exits and a small new one takes its pid seconds later. */
  bigPidReuse?: boolean;
  /** Whether the model server has a supervisor (launchd or systemd); drawn from the seed when absent. */
  llmSupervised?: boolean;
}

/** Every event has settled by `until`: what it pages, and its recovery, falls before. */
export type Injected = { until: number } & (
  | { kind: 'outage'; service: string; from: number; to: number; failedProbes: number; how: 'timeout' | 'status' }
  | { kind: 'flap'; service: string; from: number; to: number; failedProbes: number; probes: number }
  | { kind: 'leak'; pid: number; from: number; to: number; bytesPerHour: number; startsWithProcess: boolean }
  | { kind: 'crash'; service: string; pid: number; at: number; restartAt: number }
  | { kind: 'discovered-crash'; service: string; pid: number; port: number; at: number; to: number }
  | { kind: 'pressure'; from: number; to: number; spike: boolean }
  | { kind: 'sleep'; from: number; to: number; wakeFailSeconds: number }
);

export interface PlannedProcess {
  pid: number;
  ppid: number;
  uid: number;
  command: string;
  startedAt: number;
  /** Exclusive: the process is gone at this time. */
  endsAt: number;
  rssBytes: number;
  /** Relative RSS jitter, e.g. 0.003. */
  jitter: number;
  cpuPercent: number;
  /** Footprint (top's MEM) as a share of RSS (darwin). */
  footprintShare: number;
  /** Linear growth in bytes per hour between growFrom and growTo. */
  growth?: { from: number; to: number; bytesPerHour: number };
  /** The TCP port it listens on. */
  port?: number;
}

export interface PlannedService {
  name: string;
  port: number;
  url: string;
  probeSeconds: number;
  supervisor: { kind: 'launchd'; label: string; plist: string } | { kind: 'systemd'; unit: string } | null;
  /** Healthy latency: median and spread (ms). */
  latencyMs: number;
}

export interface DayPlan {
  seed: number;
  platform: DayPlatform;
  intervalSeconds: number;
  start: number;
  end: number;
  timeZone: string;
  totalBytes: number;
  home: string;
  uid: number;
  user: string;
  sampleTimes: number[];
  services: PlannedService[];
  /** A server no config names, which discovery finds (with discovery on only when there is one). */
  discovered: PlannedService | null;
  processes: PlannedProcess[];
  events: Injected[];
  /** Sample times at which one probe fails alone (a blip N-of-M must ignore), per service. */
  blips: Map<string, Set<number>>;
  /** Sample times at which each service is probed (the engine's schedule, computed the same way). */
  probeTimes: Map<string, number[]>;
  config: WardenConfigInput;
  /** Probe failures (N of the last M) the day's config pages on. */
  failuresN: number;
  windowM: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const GB = 1e9;
const DAY_START = Date.UTC(2026, 5, 2, 7, 0, 0);
const ZONES = ['Europe/Amsterdam', 'America/Los_Angeles', 'Asia/Tokyo', 'UTC', 'America/New_York'];
const UID = 501;
/** Transients take pids from this small range, so pids are reused all day. */
const PID_FIRST = 30_000;
const PID_COUNT = 48;
export const API = 'api';
export const LLM = 'llm';
/** The discovered server's name, as discovery names LM Studio on its default port. */
export const LM_STUDIO = 'lm-studio';

type Rand = () => number;

function between(rand: Rand, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function shuffle<T>(rand: Rand, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** The engine's probe schedule: due at the first cycle at or after the last probe plus the interval. */
export function probeSchedule(sampleTimes: readonly number[], probeSeconds: number): number[] {
  const out: number[] = [];
  let next = -Infinity;
  for (const t of sampleTimes) {
    if (t >= next) {
      out.push(t);
      next = t + probeSeconds * 1000;
    }
  }
  return out;
}

/** The probe interval as the engine runs it: a whole number of cycles. */
export function effectiveProbeMs(probeSeconds: number, intervalSeconds: number): number {
  return Math.ceil(probeSeconds / intervalSeconds - 1e-9) * intervalSeconds * 1000;
}

interface Slot {
  kind: EventKind;
  /** How long the event itself lasts, and how long the day needs after it to settle. */
  lengthMs: number;
  settleMs: number;
  start: number;
}

export function planDay(options: DayOptions): DayPlan {
  const rand = seededRandom(options.seed);
  const platform: DayPlatform = options.platform ?? (rand() < 0.5 ? 'darwin' : 'linux');
  const I = options.intervalSeconds * 1000;
  const failuresN = rand() < 0.5 ? 2 : 3;
  const windowM = 5;
  const llmProbeSeconds = pick(rand, [5, 10, 15, 30, 60]);
  const apiP = effectiveProbeMs(options.probeSeconds, options.intervalSeconds);
  const llmP = effectiveProbeMs(llmProbeSeconds, options.intervalSeconds);
  // Time to settle after an event: M probes to clear the window, recovery, the group window, slack.
  const settle = (P: number) => (windowM + 4) * P + 6 * I + 60_000;

  const slots: Slot[] = shuffle(rand, [...(options.events ?? [])]).map((kind) => {
    switch (kind) {
      case 'outage':
        return { kind, lengthMs: (failuresN + 5) * apiP, settleMs: settle(apiP), start: 0 };
      case 'flap':
        return { kind, lengthMs: (2 * windowM + 3) * apiP, settleMs: settle(apiP), start: 0 };
      case 'crash':
        return { kind, lengthMs: Math.max(3 * MIN, 8 * I, 4 * llmP) + between(rand, 0, 4 * MIN), settleMs: settle(llmP), start: 0 };
      case 'pressure':
        return { kind, lengthMs: Math.max(3 * MIN, 4 * I) + between(rand, 0, 3 * MIN), settleMs: 20 * Math.max(I, 5_000) + 60_000, start: 0 };
      case 'pressure-spike':
        return { kind, lengthMs: Math.round(between(rand, 1_500, 4_500)), settleMs: 20 * Math.max(I, 5_000) + 60_000, start: 0 };
      case 'discovered-crash':
        return { kind, lengthMs: Math.max(2 * MIN, 4 * I) + between(rand, 0, 2 * MIN), settleMs: 6 * I + 60_000, start: 0 };
      case 'leak':
        return { kind, lengthMs: between(rand, 26, 40) * MIN, settleMs: 2 * MIN + 2 * I, start: 0 };
      case 'sleep':
        return { kind, lengthMs: Math.max(between(rand, 5, 80) * MIN, 12 * I), settleMs: 4 * MIN + 3 * Math.max(apiP, llmP), start: 0 };
    }
  });
  // A warm-up long enough for baselines and the first probes of both services.
  const warmup = Math.max(3 * MIN, (windowM + 1) * Math.max(apiP, llmP), 6 * I);
  const needed = warmup + slots.reduce((sum, s) => sum + s.lengthMs + s.settleMs, 0);
  const length = Math.max(options.minutes * MIN, needed + 2 * I);
  const free = length - needed;
  const cuts = slots.map(() => rand() * free).sort((a, b) => a - b);
  let cursor = DAY_START + warmup;
  let used = 0;
  slots.forEach((slot, i) => {
    cursor += (cuts[i] as number) - used;
    used = cuts[i] as number;
    slot.start = cursor;
    cursor += slot.lengthMs + slot.settleMs;
  });
  const start = DAY_START;
  const end = start + length;

  // Sample times: every interval, each cycle a few ms late, none while asleep.
  const sleeps = slots.filter((s) => s.kind === 'sleep');
  const sampleTimes: number[] = [];
  for (let t = start; t < end; ) {
    const sleep = sleeps.find((s) => t >= s.start && t < s.start + s.lengthMs);
    if (sleep) {
      t = sleep.start + sleep.lengthMs + Math.round(between(rand, 0, 900));
      continue;
    }
    sampleTimes.push(t);
    t += I + Math.round(between(rand, 1, 25));
  }

  const home = platform === 'darwin' ? '/Users/bert' : '/home/bert';
  const totalBytes = pick(rand, [32, 64, 96, 128]) * 1024 ** 3;
  const llmBytes = Math.round(between(rand, 0.15, 0.3) * totalBytes);
  const drawnSupervised = rand() < 0.5;
  const supervised = options.llmSupervised ?? drawnSupervised;
  const llmSupervisor: PlannedService['supervisor'] = !supervised
    ? null
    : platform === 'darwin'
      ? { kind: 'launchd', label: 'homebrew.mxcl.ollama', plist: `${home}/Library/LaunchAgents/homebrew.mxcl.ollama.plist` }
      : { kind: 'systemd', unit: 'ollama.service' };
  const services: PlannedService[] = [
    { name: API, port: 8080, url: 'http://127.0.0.1:8080/health', probeSeconds: options.probeSeconds, supervisor: null, latencyMs: between(rand, 2, 25) },
    { name: LLM, port: 11434, url: 'http://127.0.0.1:11434/api/tags', probeSeconds: llmProbeSeconds, supervisor: llmSupervisor, latencyMs: between(rand, 1, 12) },
  ];
  const probeTimes = new Map(services.map((s) => [s.name, probeSchedule(sampleTimes, s.probeSeconds)]));
  const discoveredSlot = slots.find((s) => s.kind === 'discovered-crash');
  const discovered: PlannedService | null = discoveredSlot ? { name: LM_STUDIO, port: 1234, url: 'http://127.0.0.1:1234/api/v0/models', probeSeconds: 30, supervisor: null, latencyMs: between(rand, 2, 9) } : null;

  const processes = baseProcesses(rand, platform, start, end, home);
  const ollama = platform === 'darwin' ? '/opt/homebrew/opt/ollama/bin/ollama serve' : '/usr/local/bin/ollama serve';
  let llmPid = platform === 'darwin' ? 4242 : 1877;
  const llmProcess = (pid: number, startedAt: number, endsAt: number): PlannedProcess => ({
    pid,
    ppid: 1,
    uid: UID,
    command: ollama,
    startedAt,
    endsAt,
    rssBytes: llmBytes,
    jitter: 0.002,
    cpuPercent: between(rand, 0.5, 6),
    footprintShare: 0.97,
    port: 11434,
  });
  processes.push({
    pid: platform === 'darwin' ? 812 : 1502,
    ppid: 1,
    uid: UID,
    command: platform === 'darwin' ? '/opt/homebrew/bin/node /Users/bert/srv/api/server.js --port 8080' : '/usr/bin/node /home/bert/srv/api/server.js --port 8080',
    startedAt: start - 2 * 24 * HOUR,
    endsAt: Infinity,
    rssBytes: between(rand, 90, 400) * 1e6,
    jitter: 0.01,
    cpuPercent: between(rand, 0.1, 3),
    footprintShare: 0.9,
    port: 8080,
  });

  const events: Injected[] = [];
  const blips = new Map<string, Set<number>>(services.map((s) => [s.name, new Set<number>()]));
  let llmStart = start - between(rand, 1, 30) * HOUR;
  const crashes = slots.filter((s) => s.kind === 'crash');
  for (const slot of crashes) {
    const at = slot.start + between(rand, 0, I);
    const restartAt = slot.start + slot.lengthMs;
    processes.push(llmProcess(llmPid, llmStart, at));
    events.push({ kind: 'crash', service: LLM, pid: llmPid, at, restartAt, until: restartAt + slot.settleMs });
    llmPid += 1_001;
    llmStart = restartAt;
  }
  processes.push(llmProcess(llmPid, llmStart, Infinity));

  const apiTimes = probeTimes.get(API) as number[];
  for (const slot of slots) {
    if (slot.kind === 'outage' || slot.kind === 'flap') {
      const first = apiTimes.findIndex((t) => t >= slot.start);
      const count = slot.kind === 'outage' ? failuresN + Math.floor(rand() * 5) : 2 * (windowM + Math.floor(rand() * 2)) + 1;
      const probes = apiTimes.slice(first, first + count);
      const before = apiTimes[first - 1] ?? start;
      const after = apiTimes[first + count] ?? end;
      const from = Math.round(between(rand, before + 1, probes[0] as number));
      const to = Math.round(between(rand, (probes.at(-1) as number) + 1, after));
      const until = to + slot.settleMs;
      if (slot.kind === 'outage') events.push({ kind: 'outage', service: API, from, to, failedProbes: count, how: rand() < 0.5 ? 'timeout' : 'status', until });
      else events.push({ kind: 'flap', service: API, from, to, failedProbes: Math.ceil(count / 2), probes: count, until });
    } else if (slot.kind === 'leak') {
      const startsWithProcess = rand() < 0.5;
      const from = slot.start;
      const to = slot.start + slot.lengthMs;
      const bytesPerHour = between(rand, 0.5, 4) * GB;
      const pid = platform === 'darwin' ? 6120 + events.length : 2240 + events.length;
      processes.push({
        pid,
        ppid: 1,
        uid: UID,
        command: `${platform === 'darwin' ? '/opt/homebrew/bin/python3.12' : '/usr/bin/python3'} -m jobs.embed --batch ${home}/corpus`,
        startedAt: startsWithProcess ? from : start - between(rand, 0.5, 5) * HOUR,
        endsAt: Infinity,
        rssBytes: between(rand, 1.2, 1.6) * GB,
        jitter: 0.002,
        cpuPercent: between(rand, 20, 90),
        footprintShare: 1,
        growth: { from, to, bytesPerHour },
      });
      events.push({ kind: 'leak', pid, from, to, bytesPerHour, startsWithProcess, until: to + slot.settleMs });
    } else if (slot.kind === 'discovered-crash') {
      const at = slot.start + between(rand, 0, I);
      const pid = platform === 'darwin' ? 5310 : 2610;
      processes.push({
        pid,
        ppid: 1,
        uid: UID,
        command: platform === 'darwin' ? '/Applications/LM Studio.app/Contents/MacOS/LM Studio' : `${home}/.lmstudio/bin/llmster`,
        startedAt: start - between(rand, 1, 20) * HOUR,
        endsAt: at,
        rssBytes: between(rand, 0.6, 1.8) * GB,
        jitter: 0.003,
        cpuPercent: between(rand, 0.2, 4),
        footprintShare: 0.95,
        port: 1234,
      });
      events.push({ kind: 'discovered-crash', service: LM_STUDIO, pid, port: 1234, at, to: slot.start + slot.lengthMs, until: slot.start + slot.lengthMs + slot.settleMs });
    } else if (slot.kind === 'pressure' || slot.kind === 'pressure-spike') {
      const to = slot.start + slot.lengthMs;
      events.push({ kind: 'pressure', from: slot.start, to, spike: slot.kind === 'pressure-spike', until: to + slot.settleMs });
    } else if (slot.kind === 'sleep') {
      const to = slot.start + slot.lengthMs;
      events.push({ kind: 'sleep', from: slot.start, to, wakeFailSeconds: Math.round(between(rand, 0, 100)), until: to + slot.settleMs });
    }
  }
  events.sort((a, b) => eventStart(a) - eventStart(b));

  // Blips: one failed probe alone, far from any event and from each other.
  const quiet = (t: number, margin: number) => events.every((e) => t < eventStart(e) - margin || t > eventEnd(e) + margin);
  for (const service of services) {
    const times = probeTimes.get(service.name) as number[];
    const P = effectiveProbeMs(service.probeSeconds, options.intervalSeconds);
    let last = -Infinity;
    for (let i = windowM + 1; i < times.length - windowM - 1; i++) {
      const t = times[i] as number;
      if (rand() < 0.02 && t - last > (2 * windowM + 2) * P && quiet(t, (2 * windowM + 4) * P + 5 * MIN)) {
        blips.get(service.name)!.add(t);
        last = t;
      }
    }
  }

  addTransients(rand, processes, platform, start, end, home);
  if (options.bigPidReuse) addBigPidReuse(rand, processes, platform, start, end);

  const config: WardenConfigInput = {
    intervalSeconds: options.intervalSeconds,
    discovery: discovered !== null,
    services: services.map((s) => ({
      name: s.name,
      url: s.url,
      port: s.port,
      intervalSeconds: s.probeSeconds,
      timeoutSeconds: 10,
      ...(s.supervisor?.kind === 'launchd' ? { supervisor: { kind: 'launchd' as const, label: s.supervisor.label } } : {}),
      ...(s.supervisor?.kind === 'systemd' ? { supervisor: { kind: 'systemd' as const, unit: s.supervisor.unit, scope: 'system' as const } } : {}),
    })),
    thresholds: { probeFailuresN: failuresN, probeWindowM: windowM },
  };

  return {
    seed: options.seed,
    platform,
    intervalSeconds: options.intervalSeconds,
    start,
    end,
    timeZone: pick(rand, ZONES),
    totalBytes,
    home,
    uid: UID,
    user: 'bert',
    sampleTimes,
    services,
    discovered,
    processes,
    events,
    blips,
    probeTimes,
    config,
    failuresN,
    windowM,
  };
}

export function eventStart(e: Injected): number {
  return e.kind === 'crash' || e.kind === 'discovered-crash' ? e.at : e.from;
}

export function eventEnd(e: Injected): number {
  return e.kind === 'crash' ? e.restartAt : e.to;
}

function baseProcesses(rand: Rand, platform: DayPlatform, start: number, end: number, home: string): PlannedProcess[] {
  const long = start - between(rand, 2, 9) * 24 * HOUR;
  const row = (pid: number, ppid: number, uid: number, mb: number, cpu: number, command: string): PlannedProcess => ({
    pid,
    ppid,
    uid,
    command,
    startedAt: long + pid * 1000,
    endsAt: end + HOUR,
    rssBytes: mb * 1e6 * between(rand, 0.8, 1.2),
    jitter: between(rand, 0.001, 0.01),
    cpuPercent: cpu * between(rand, 0.5, 1.5),
    footprintShare: between(rand, 0.8, 1.05),
  });
  if (platform === 'darwin') {
    return [
      row(1, 0, 0, 39, 0.4, '/sbin/launchd'),
      row(93, 1, 0, 61, 0.2, '/usr/libexec/logd'),
      row(211, 1, -2, 6, 0.0, '/usr/libexec/dhcp6d'),
      row(402, 1, 88, 512, 4.3, '/System/Library/PrivateFrameworks/SkyLight.framework/Resources/WindowServer -daemon'),
      row(611, 1, UID, 180, 0.7, '/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder'),
      row(1203, 1, UID, 2100, 3.2, '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
      row(1210, 1203, UID, 640, 1.1, '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer'),
      row(1500, 1, UID, 420, 0.6, '/Applications/Slack.app/Contents/MacOS/Slack'),
      row(2201, 1, UID, 96, 0.1, '/usr/sbin/cfprefsd agent'),
      row(2310, 1, UID, 60, 0.3, `/bin/zsh -l`),
      row(2388, 2310, UID, 850, 1.0, `/Applications/Visual Studio Code.app/Contents/MacOS/Electron ${home}/src`),
    ];
  }
  return [
    row(1, 0, 0, 14, 0.1, '/sbin/init splash'),
    row(412, 1, 0, 48, 0.2, '/lib/systemd/systemd-journald'),
    row(655, 1, 102, 9, 0.0, '/lib/systemd/systemd-resolved'),
    row(980, 1, 0, 22, 0.1, '/usr/sbin/sshd -D'),
    row(1101, 1, 1000, 12, 0.0, '/lib/systemd/systemd --user'),
    row(1320, 1, 0, 3400, 2.0, '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'),
    row(1460, 1, 999, 310, 1.5, '/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main'),
    row(1461, 1460, 999, 45, 0.3, 'postgres: checkpointer'),
    row(2310, 980, 1000, 6, 0.0, '-bash'),
    row(2390, 2310, 1000, 120, 0.5, 'tmux new -s work'),
  ];
}

const TRANSIENTS: Record<DayPlatform, readonly string[]> = {
  darwin: [
    '/usr/bin/clang -c src/engine.c -o build/engine.o -O2',
    '/opt/homebrew/bin/node /Users/bert/app/node_modules/.bin/vitest run',
    '/usr/libexec/mdworker_shared',
    '/opt/homebrew/bin/rg --json TODO /Users/bert/src',
    '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper.app/Contents/MacOS/Google Chrome Helper --type=utility',
    '/usr/bin/git gc --auto',
  ],
  linux: [
    '/usr/bin/cc1 -quiet src/engine.c -O2 -o /tmp/ccX.s',
    '/usr/bin/node /home/bert/app/node_modules/.bin/vitest run',
    '/usr/bin/rg --json TODO /home/bert/src',
    '[kworker/3:2-events]',
    '/usr/bin/git gc --auto',
    '/usr/bin/python3 /home/bert/bin/backup.py --incremental',
  ],
};

/** Builds, searches and helpers: a few alive at any time, pids taken from a small range so each is reused. */
function addTransients(rand: Rand, processes: PlannedProcess[], platform: DayPlatform, start: number, end: number, home: string): void {
  const taken = new Map<number, number>();
  let next = 0;
  for (let t = start - 10 * MIN; t < end; t += between(rand, 5_000, 80_000)) {
    const life = Math.exp(between(rand, Math.log(4_000), Math.log(9 * MIN)));
    let pid = 0;
    for (let k = 0; k < PID_COUNT; k++) {
      const candidate = PID_FIRST + ((next + k) % PID_COUNT);
      if ((taken.get(candidate) ?? -Infinity) <= t) {
        pid = candidate;
        next = (next + k + 1) % PID_COUNT;
        break;
      }
    }
    if (pid === 0) continue;
    taken.set(pid, t + life);
    // Busy ones are short: a compile, a test run. Nothing here is big enough to be an arrival.
    const busy = life < 3 * MIN && rand() < 0.4;
    processes.push({
      pid,
      ppid: platform === 'darwin' ? 1 : 2390,
      uid: UID,
      command: pick(rand, TRANSIENTS[platform]).replace('/Users/bert', home),
      startedAt: Math.round(t),
      endsAt: Math.round(t + life),
      rssBytes: between(rand, 5, 900) * 1e6,
      jitter: 0.02,
      cpuPercent: busy ? between(rand, 80, 240) : between(rand, 0, 30),
      footprintShare: between(rand, 0.7, 1.1),
    });
  }
}

/** A big long-lived process quits; within seconds a small new process gets its pid. */
function addBigPidReuse(rand: Rand, processes: PlannedProcess[], platform: DayPlatform, start: number, end: number): void {
  const pid = 3010;
  const quits = start + between(rand, 0.2, 0.8) * (end - start);
  processes.push({
    pid,
    ppid: 1,
    uid: UID,
    command: platform === 'darwin' ? '/Applications/Docker.app/Contents/MacOS/com.docker.virtualization --kernel /Applications/Docker.app/Contents/Resources/linuxkit/kernel' : '/usr/bin/qemu-system-x86_64 -m 4096 -enable-kvm -drive file=/home/bert/vm/dev.qcow2',
    startedAt: start - 3 * 24 * HOUR,
    endsAt: quits,
    rssBytes: between(rand, 3, 6) * GB,
    jitter: 0.002,
    cpuPercent: between(rand, 1, 10),
    footprintShare: 1,
  });
  const reusedAt = quits + between(rand, 500, 12_000);
  processes.push({
    pid,
    ppid: 1,
    uid: UID,
    command: platform === 'darwin' ? '/usr/libexec/mdworker_shared' : '/usr/bin/python3 /home/bert/bin/backup.py --incremental',
    startedAt: Math.round(reusedAt),
    endsAt: Math.round(reusedAt + between(rand, 2, 20) * MIN),
    rssBytes: between(rand, 8, 40) * 1e6,
    jitter: 0.01,
    cpuPercent: between(rand, 0, 20),
    footprintShare: 1,
  });
}
