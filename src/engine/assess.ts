import { senseFindings } from './sense-findings.js';
import type { SensesView } from '../common/senses.js';
import type { Thresholds } from '../common/config.js';
import type { Evidence, Finding, JudgedFinding } from '../common/findings.js';
import type { MemoryView } from '../common/memory.js';
import type { ModelServerView } from '../common/models.js';
import type { ProcessRow, Thief } from '../common/processes.js';
import type { JobView, LockView, ProbeSample, ProbeView, ServiceView } from '../common/services.js';
import type { UnknownPart } from '../common/state.js';
import {
  formatBytes,
  formatDecimalGB,
  formatDuration,
  formatGrowthRate,
  formatPercent,
  formatRate,
} from '../common/format.js';
import { SLOW_MIN_MS, WAKE_GRACE_SECONDS } from './defaults.js';
import { clockOf } from '../common/zoned-time.js';
import { shortCommand } from '../common/text.js';
export { shortCommand };

/** Everything one cycle read, already analysed into views; the input of the judgement. */
export type Observation = {
  memory: MemoryView | null;
  /** Why memory could not be read this cycle, when it could not (the one place it is carried). */
  memoryUnknown: string | null;
  thieves: Thief[];
  services: ServiceView[];
  locks: LockView[];
  jobs: JobView[];
  /** The other parts not read this cycle; memory's is `memoryUnknown`. */
  unknowns: UnknownPart[];
  /** What the local LLM servers have loaded (the straw may be a model). */
  models?: ModelServerView[];
  /** When the host last woke from sleep; probe samples in the grace after it do not count. */
  wokeAt?: number | null;
  /** This cycle's process table, so diagnose can say whether a silent server is busy or idle. */
  processes?: ProcessRow[];
  /** A process's CPU % over the last interval (ps %cpu is a lifetime average on Linux). */
  cpuNow?: (pid: number) => number | null;
  /** IANA zone for local times in titles; this machine's when absent. */
  timeZone?: string;
  /** Thermal, disk, load and the services' logs: the candidate causes besides memory. */
  senses?: SensesView | null;
};

/** A finding before its `since` and causes are known; `about` is what it judged. */
type Draft = Omit<JudgedFinding, 'since' | 'causes'>;

/**
 * Judges one observation. Every signal over its threshold becomes a Finding with a stable key;
 * `since` is carried from `previous` so it is the first time the key was seen.
 */
export function assess(
  input: Observation,
  previous: Map<string, Finding> | null,
  thresholds: Thresholds,
  now: number,
): JudgedFinding[] {
  const drafts: Draft[] = [
    ...memoryFindings(input.memory, thresholds),
    ...input.thieves.flatMap((thief) => thiefFindings(thief, thresholds, input.services)),
    ...input.services.flatMap((service) => serviceFindings(service, thresholds, input.wokeAt ?? null, input.timeZone)),
    ...input.locks.flatMap((lock) => lockFindings(lock, thresholds)),
    ...input.jobs.flatMap((job) => jobFindings(job, thresholds, now)),
    ...senseFindings(input.senses, now),
    ...unknownFindings(input),
  ];
  const seen = new Set<string>();
  const out: JudgedFinding[] = [];
  for (const draft of drafts) {
    if (seen.has(draft.key)) continue;
    seen.add(draft.key);
    out.push({ ...draft, since: previous?.get(draft.key)?.since ?? now, causes: [] });
  }
  return out;
}

// ---------------------------------------------------------------- memory

export function isSwapping(memory: MemoryView, thresholds: Thresholds): boolean {
  const rate = memory.rates?.swapOutBytesPerSec;
  return memory.swapUsedBytes > 0 && rate !== undefined && rate >= thresholds.swapOutWarnBytesPerSec;
}

function memoryFindings(memory: MemoryView | null, t: Thresholds): Draft[] {
  if (!memory) return [];
  const subject = { kind: 'memory', id: 'host' } as const;
  const out: Draft[] = [];
  if (memory.pressure === 'warn' || memory.pressure === 'critical') {
    const critical = memory.pressure === 'critical';
    out.push({
      key: 'memory:pressure',
      about: { kind: 'memory', signal: 'pressure' },
      severity: critical ? 'crit' : 'warn',
      title: critical ? 'Memory pressure critical' : 'Memory pressure elevated',
      evidence: [
        { label: 'pressure', text: memory.pressure },
        { label: 'source', text: memory.pressureSource },
      ],
      actions: [],
      subject,
    });
  }
  const swapping = isSwapping(memory, t);
  if (swapping && memory.rates) {
    out.push({
      key: 'memory:swap',
      about: { kind: 'memory', signal: 'swap' },
      severity: 'warn',
      title: `Swapping: ${formatBytes(memory.swapUsedBytes)} in swap, writing ${formatRate(memory.rates.swapOutBytesPerSec)}`,
      evidence: [
        swapUsedEvidence(memory),
        {
          label: 'swap-out',
          text: `${formatRate(memory.rates.swapOutBytesPerSec)} over ${formatDuration(memory.rates.overSeconds)}`,
          value: memory.rates.swapOutBytesPerSec,
          unit: 'bytes/s',
        },
        { label: 'warn from', text: formatRate(t.swapOutWarnBytesPerSec), value: t.swapOutWarnBytesPerSec, unit: 'bytes/s' },
      ],
      actions: [],
      subject,
    });
  }
  if (memory.totalBytes > 0) {
    const percent = (memory.availableBytes / memory.totalBytes) * 100;
    if (percent < t.availableCritPercent && (swapping || memory.pressure === 'critical')) {
      out.push({
        key: 'memory:available',
        about: { kind: 'memory', signal: 'available' },
        severity: 'crit',
        title: `Memory nearly exhausted: ${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}`,
        evidence: [
          {
            label: 'available',
            text: `${formatBytes(memory.availableBytes)} (${formatPercent(percent)} of ${formatBytes(memory.totalBytes)})`,
            value: memory.availableBytes,
            unit: 'bytes',
          },
          { label: 'free', text: formatBytes(memory.freeBytes), value: memory.freeBytes, unit: 'bytes' },
          swapUsedEvidence(memory),
          { label: 'crit below', text: formatPercent(t.availableCritPercent), value: t.availableCritPercent, unit: 'percent' },
        ],
        actions: [],
        subject,
      });
    }
  }
  return out;
}

function swapUsedEvidence(memory: MemoryView): Evidence {
  return {
    label: 'swap used',
    text: `${formatBytes(memory.swapUsedBytes)} of ${formatBytes(memory.swapTotalBytes)}`,
    value: memory.swapUsedBytes,
    unit: 'bytes',
  };
}

// ---------------------------------------------------------------- thieves

/** "LM Studio worker", "sanctum-mlx": what the thieves analysis calls the process. */
export function thiefLabel(thief: Thief): string {
  return thief.roleLabel ?? thief.name;
}

/**
 * Who, for a line an operator acts on: the service it serves or its role, then the name `ps`
 * shows and the PID: "cathedral (sanctum-mlx, PID 812)", "qemu-system-aarch64 (PID 977)".
 */
export function thiefWho(thief: Thief, services: ServiceView[]): string {
  const service = services.find((s) => s.process?.pid === thief.pid);
  const label = service?.name ?? thief.roleLabel;
  return label && label !== thief.name ? `${label} (${thief.name}, PID ${thief.pid})` : `${thief.name} (PID ${thief.pid})`;
}

export function qualifiedGrowth(thief: Thief, t: Thresholds): boolean {
  const g = thief.growth;
  return (
    g !== null &&
    g.r2 >= t.growthMinR2 &&
    g.windowSeconds >= t.growthMinWindowMinutes * 60 &&
    g.bytesPerHour >= t.growthMinBytesPerHour
  );
}

export function sustainedCpuThief(thief: Thief, t: Thresholds): boolean {
  const cpu = thief.sustainedCpu;
  return cpu !== null && cpu.averagePercent >= t.sustainedCpuPercent && cpu.forSeconds >= t.sustainedCpuMinutes * 60;
}

function thiefFindings(thief: Thief, t: Thresholds, services: ServiceView[]): Draft[] {
  const out: Draft[] = [];
  const id = `${thief.pid}:${thief.startedAt}`;
  const subject = { kind: 'process', id } as const;
  const who = thiefWho(thief, services);
  const size: Evidence = {
    label: thief.memoryMetric === 'footprint' ? 'footprint' : 'resident (RSS)',
    text: formatDecimalGB(thief.memoryBytes),
    value: thief.memoryBytes,
    unit: 'bytes',
  };
  const g = thief.growth;
  if (g && qualifiedGrowth(thief, t) && g.exhaustsInSeconds !== null && g.exhaustsInSeconds >= 0 &&
      g.exhaustsInSeconds <= t.growthExhaustWarnHours * 3600) {
    out.push({
      key: `thief:${id}:growth`,
      about: { kind: 'process', pid: thief.pid, startedAt: thief.startedAt, signal: 'growth' },
      severity: 'warn',
      title: `${who} growing ${formatGrowthRate(g.bytesPerHour)}: available memory gone in ~${formatDuration(g.exhaustsInSeconds)}`,
      evidence: [
        size,
        { label: 'growth', text: formatGrowthRate(g.bytesPerHour), value: g.bytesPerHour, unit: 'bytes/h' },
        { label: 'fit', text: `R² ${g.r2.toFixed(2)} over ${formatDuration(g.windowSeconds)}` },
        { label: 'exhausts available in', text: formatDuration(g.exhaustsInSeconds), value: g.exhaustsInSeconds, unit: 'seconds' },
      ],
      actions: [],
      subject,
    });
  }
  const cpu = thief.sustainedCpu;
  if (cpu && sustainedCpuThief(thief, t)) {
    out.push({
      key: `thief:${id}:cpu`,
      about: { kind: 'process', pid: thief.pid, startedAt: thief.startedAt, signal: 'cpu' },
      severity: 'warn',
      title: `${who} at ${formatPercent(cpu.averagePercent)} CPU for ${formatDuration(cpu.forSeconds)}`,
      evidence: [
        { label: 'CPU', text: formatPercent(cpu.averagePercent), value: cpu.averagePercent, unit: 'percent' },
        { label: 'sustained for', text: formatDuration(cpu.forSeconds), value: cpu.forSeconds, unit: 'seconds' },
        size,
      ],
      actions: [],
      subject,
    });
  }
  return out;
}

// ---------------------------------------------------------------- services

interface ProbeJudgement {
  failures: number;
  count: number;
  failing: boolean;
}

/** A sample taken in the grace after wake says how the host wakes, not how the service runs. */
function inWakeGrace(at: number, wokeAt: number | null): boolean {
  return wokeAt !== null && at >= wokeAt && at < wokeAt + WAKE_GRACE_SECONDS * 1000;
}

/** N failures among the last M probes: catches a flapping service that never fails N times in a row. */
export function judgeProbe(probe: ProbeView, t: Thresholds, wokeAt: number | null): ProbeJudgement {
  const m = Math.max(1, t.probeWindowM);
  const n = Math.max(1, Math.min(t.probeFailuresN, m));
  if (probe.recent.length > 0) {
    const window = [...probe.recent]
      .sort((a, b) => a.at - b.at)
      .filter((sample) => !inWakeGrace(sample.at, wokeAt))
      .slice(-m);
    const failures = window.filter((sample) => !sample.ok).length;
    return { failures, count: window.length, failing: failures >= n };
  }
  if (inWakeGrace(probe.at, wokeAt)) return { failures: 0, count: 0, failing: false };
  return { failures: probe.recentFailures, count: probe.recentCount, failing: probe.recentFailures >= n };
}

/** "no answer within 10 s" → "not answering within 10 s": the title reads as a state, the measurement stays exact. */
export function failurePhrase(measured: string): string {
  const noAnswer = /^no answer within (.+)$/.exec(measured);
  return noAnswer ? `not answering within ${noAnswer[1]}` : `failing: ${measured}`;
}

/**
 * The title of a failing probe, from its window: when every probe in it failed and the last
 * did, the last failure ("not answering within 10 s"); otherwise the window and the last
 * result as measured ("3 of the last 5 probes failed; last: 200 in 4 ms"), never a good
 * answer called a failure.
 */
export function failingWindowPhrase(probe: ProbeView, j: ProbeJudgement, what: string): string {
  const window = `${j.failures} of the last ${j.count}${what ? ` ${what}` : ''} failed`;
  if (probe.ok) return `${window}; last: ${probe.measured}`;
  return j.failures === j.count ? failurePhrase(probe.measured) : `${failurePhrase(probe.measured)}; ${window}`;
}

/** A configured service's process is gone: what the supervisor or the process table says, with the last exit. */
function goneTitle(service: ServiceView): string {
  const exit = service.supervision?.lastExit;
  const reason = service.stateReason;
  const exitText = exit && !exit.neverExited ? (reason.includes(exit.text) ? '' : `; last ${exit.text}`) : service.supervision ? '' : '; exit code and signal not known (no supervisor reports them)';
  return `${service.state === 'crashed' ? 'crashed' : 'not running'} — ${reason}${exitText}`;
}

function probeEvidence(label: string, probe: ProbeView, j: ProbeJudgement): Evidence[] {
  return [
    { label, text: `${probe.measured} (${j.failures} of last ${j.count} failed)`, value: j.failures, unit: 'count' },
    { label: `${label} URL`, text: probe.url },
  ];
}

function slowness(probe: ProbeView | null, t: Thresholds, wokeAt: number | null): { probe: ProbeView; latency: number; baseline: number } | null {
  if (!probe || !probe.ok || probe.latencyMs === null || probe.baselineMs === null || probe.baselineMs <= 0) return null;
  if (inWakeGrace(probe.at, wokeAt)) return null;
  const latency = probe.latencyMs;
  if (latency < SLOW_MIN_MS || latency <= t.latencyWarnFactor * probe.baselineMs) return null;
  return { probe, latency, baseline: probe.baselineMs };
}

function serviceFindings(service: ServiceView, t: Thresholds, wokeAt: number | null, timeZone?: string): Draft[] {
  const name = service.name;
  const subject = { kind: 'service', id: name } as const;
  const actions = service.actions;
  const out: Draft[] = [];

  if (service.state === 'unknown') {
    out.push({
      key: `unknown:service:${name}`,
      about: { kind: 'service', name, signal: 'unknown' },
      severity: 'unknown',
      title: `${name}: state not known — ${service.stateReason}`,
      evidence: [{ label: 'state', text: service.stateReason }],
      actions: [],
      subject,
    });
  }

  // A discovered server that stopped may have crashed or been quit: shown, with the offer to
  // watch it, never paged; only a configured one is missed.
  const gone = service.state === 'missing' || service.state === 'crashed' || service.state === 'stopped';
  if (gone && service.source === 'discovered') {
    if (service.goneAt !== null) {
      const served = service.port !== null ? `; it served port ${service.port}` : service.url ? `; it answered ${service.url}` : '';
      out.push({
        key: `service:${name}:stopped`,
        about: { kind: 'service', name, signal: 'stopped' },
        severity: 'warn',
        title: `${name} stopped at ${clockOf(service.goneAt, timeZone)}${served}`,
        evidence: [{ label: 'state', text: `${service.state}: ${service.stateReason}` }],
        actions,
        subject,
        quiet: true,
      });
    }
    return out;
  }

  const health = service.probe ? judgeProbe(service.probe, t, wokeAt) : null;
  const stateDown = service.state === 'missing' || service.state === 'crashed';
  if ((health?.failing && service.probe) || (stateDown && service.source === 'config')) {
    const evidence: Evidence[] = [];
    if (service.probe && health) evidence.push(...probeEvidence('health probe', service.probe, health));
    evidence.push({ label: 'state', text: `${service.state}: ${service.stateReason}` });
    const lastExit = service.supervision?.lastExit;
    if (lastExit && !lastExit.neverExited) {
      evidence.push({ label: 'last exit', text: lastExit.text, ...(lastExit.code !== null ? { value: lastExit.code, unit: 'exit' as const } : {}) });
    }
    if (service.process) evidence.push({ label: 'PID', text: String(service.process.pid), value: service.process.pid, unit: 'pid' });
    const probeFailing = Boolean(health?.failing && service.probe);
    // A configured service whose process is gone is a certain fact, not a signal to wait on.
    const gone = stateDown && service.source === 'config';
    out.push({
      key: `service:${name}:down`,
      about: { kind: 'service', name, signal: 'down' },
      severity: probeFailing || gone ? 'crit' : 'warn',
      title: gone
        ? `${name}: ${goneTitle(service)}`
        : probeFailing && service.probe && health
          ? `${name}: ${failingWindowPhrase(service.probe, health, 'probes')}`
          : `${name}: ${service.state} — ${service.stateReason}`,
      evidence,
      actions,
      subject,
      settled: true,
    });
  }

  if (service.canary) {
    const canary = judgeProbe(service.canary, t, wokeAt);
    if (canary.failing) {
      out.push({
        key: `service:${name}:canary`,
        about: { kind: 'service', name, signal: 'canary' },
        severity: 'crit',
        title: `${name}: canary${service.canary.ok ? ': ' : ' '}${failingWindowPhrase(service.canary, canary, '')}`,
        evidence: probeEvidence('canary', service.canary, canary),
        actions,
        subject,
        settled: true,
      });
    }
  }

  const slow = [slowness(service.probe, t, wokeAt), slowness(service.canary, t, wokeAt)].filter(
    (s): s is NonNullable<typeof s> => s !== null,
  );
  if (slow.length > 0) {
    const worst = slow.reduce((a, b) => (b.latency / b.baseline > a.latency / a.baseline ? b : a));
    out.push({
      key: `service:${name}:slow`,
      about: { kind: 'service', name, signal: 'slow' },
      severity: 'warn',
      title: `${name}: ${worst.probe.tier === 'canary' ? 'canary' : 'health probe'} slow — ${formatDuration(worst.latency / 1000)}, usually ${formatDuration(worst.baseline / 1000)}`,
      evidence: slow.map((s) => ({
        label: s.probe.tier === 'canary' ? 'canary latency' : 'probe latency',
        text: `${formatDuration(s.latency / 1000)} vs baseline ${formatDuration(s.baseline / 1000)} (${(s.latency / s.baseline).toFixed(0)}×, warn from ${t.latencyWarnFactor}×)`,
        value: s.latency,
        unit: 'ms' as const,
      })),
      actions,
      subject,
    });
  }

  if (service.state === 'orphaned' || service.orphan) {
    const orphan = service.orphan;
    const evidence: Evidence[] = [];
    if (orphan) {
      evidence.push({ label: 'PID', text: `${orphan.process.pid} (PPID ${orphan.process.ppid})`, value: orphan.process.pid, unit: 'pid' });
      if (orphan.canonicalPath) {
        evidence.push({ label: 'plist', text: `${orphan.canonicalPath} ${orphan.canonicalExists === false ? 'missing' : orphan.canonicalExists ? 'present' : 'not checked'}` });
      }
      evidence.push({ label: 'backup', text: orphan.matchingBackup ? `${orphan.matchingBackup} matches the running command` : `${orphan.backups.length} backups, none matches` });
      evidence.push({ label: 'why', text: orphan.why });
    } else {
      evidence.push({ label: 'state', text: service.stateReason });
    }
    const plistMissing = orphan?.canonicalExists === false;
    out.push({
      key: `service:${name}:orphaned`,
      about: { kind: 'service', name, signal: 'orphaned' },
      severity: 'warn',
      title: `${name}: running unsupervised${plistMissing ? ' (plist missing)' : ''} — nothing restarts it if it dies`,
      evidence,
      actions,
      subject,
    });
  } else {
    const plist = service.supervision?.plist;
    if (plist && (!plist.exists || plist.lintOk === false)) {
      out.push({
        key: `service:${name}:plist`,
        about: { kind: 'service', name, signal: 'plist' },
        severity: 'warn',
        title: plist.exists ? `${name}: launchd plist invalid` : `${name}: launchd plist missing`,
        evidence: [
          { label: 'plist', text: `${plist.path} ${plist.exists ? 'present' : 'missing'}` },
          ...(plist.lintMessage ? [{ label: 'plutil -lint', text: plist.lintMessage }] : []),
        ],
        actions,
        subject,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- locks and jobs

export function fileName(path: string): string {
  const parts = path.split('/').filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? path;
}

function lockFindings(lock: LockView, t: Thresholds): Draft[] {
  if (!lock.exists || lock.holders.length === 0) return [];
  const limit = lock.limitSeconds > 0 ? lock.limitSeconds : t.lockMaxHeldMinutes * 60;
  const held = lock.heldSeconds;
  const overLimit = held !== null && held > limit;
  if (!overLimit && !lock.readerError) return [];
  const holder = [...lock.holders].sort((a, b) => b.heldSeconds - a.heldSeconds)[0]!;
  const evidence: Evidence[] = [];
  if (held !== null) {
    evidence.push({ label: 'held (holder process age)', text: `${formatDuration(held)} (limit ${formatDuration(limit)})`, value: held, unit: 'seconds' });
  }
  evidence.push({ label: 'holder', text: `PID ${holder.pid} ${shortCommand(holder.command)}`, value: holder.pid, unit: 'pid' });
  if (lock.readerError) evidence.push({ label: 'reader error', text: lock.readerError });
  if (lock.note) evidence.push({ label: 'note', text: lock.note });
  const what = fileName(lock.path);
  return [{
    key: `lock:${lock.path}:held`,
    about: { kind: 'lock', path: lock.path, signal: 'held' },
    // A lock is a symptom when it blocks someone: red once a reader was refused; held past its
    // limit with no refusal seen, it is amber, shown with its Release action but not paged.
    severity: lock.readerError ? 'crit' : 'warn',
    title: overLimit && held !== null
      ? `${what}: locked ${formatDuration(held)} by PID ${holder.pid} (${holder.name})`
      : `${what}: a reader was refused — locked by PID ${holder.pid} (${holder.name})`,
    evidence,
    actions: lock.actions,
    subject: { kind: 'lock', id: lock.path },
  }];
}

function jobFindings(job: JobView, t: Thresholds, now: number): Draft[] {
  const subject = { kind: 'job', id: job.name } as const;
  const out: Draft[] = [];
  const exit = job.lastExit;
  if (exit && !exit.neverExited && ((exit.code !== null && exit.code !== 0) || exit.signal !== null)) {
    const evidence: Evidence[] = [
      { label: 'last exit', text: exit.text, ...(exit.code !== null ? { value: exit.code, unit: 'exit' as const } : {}) },
      { label: 'why', text: job.explanation },
    ];
    if (job.lastRunAt !== null) evidence.push({ label: 'last run', text: `${formatDuration((now - job.lastRunAt) / 1000)} ago`, value: (now - job.lastRunAt) / 1000, unit: 'seconds' });
    if (job.logPath) evidence.push({ label: 'log', text: job.logPath });
    out.push({ key: `job:${job.name}:failed`, about: { kind: 'job', name: job.name, signal: 'failed' }, severity: 'warn', title: `${job.name}: last run ${exit.text}`, evidence, actions: [], subject });
  }
  const grace = t.jobGraceMinutes * 60;
  if (job.overdueSeconds !== null && job.overdueSeconds > grace) {
    out.push({
      key: `job:${job.name}:overdue`,
      about: { kind: 'job', name: job.name, signal: 'overdue' },
      severity: 'warn',
      title: `${job.name}: did not run — overdue by ${formatDuration(job.overdueSeconds)}`,
      evidence: [
        { label: 'overdue', text: `${formatDuration(job.overdueSeconds)} (grace ${formatDuration(grace)})`, value: job.overdueSeconds, unit: 'seconds' },
        { label: 'why', text: job.explanation },
      ],
      actions: [],
      subject,
    });
  }
  return out;
}

// ---------------------------------------------------------------- unknowns

function unknownFindings(input: Observation): Draft[] {
  const parts: UnknownPart[] = [];
  if (input.memoryUnknown !== null) parts.push({ part: 'memory', reason: input.memoryUnknown });
  parts.push(...input.unknowns);
  return parts.map((u) => ({
    key: `unknown:${u.part}`,
    about: { kind: 'unread' as const, part: u.part },
    severity: 'unknown' as const,
    title: `${u.part}: not read — ${u.reason}`,
    evidence: [{ label: 'reason', text: u.reason }],
    actions: [],
    subject: u.part === 'memory' ? { kind: 'memory' as const, id: 'host' } : { kind: 'warden' as const, id: u.part },
  }));
}

/** Samples of a probe, oldest first. */
export function samplesOf(probe: ProbeView): ProbeSample[] {
  return [...probe.recent].sort((a, b) => a.at - b.at);
}
