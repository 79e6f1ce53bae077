import type { JobConfig, JobSchedule, Thresholds } from '../common/config.js';
import { ReadSchedule } from './read-schedule.js';
import type { Part } from '../common/result.js';
import { errorText } from '../common/result.js';
import type { ExitInfo, JobView } from '../common/services.js';
import type { UnknownPart } from '../common/state.js';
import { formatDuration } from '../common/format.js';
import { instantOf, wallClock } from '../common/zoned-time.js';
import type { Facts } from '../platform/facts.js';
import { commandProblem } from '../platform/facts.js';
import { readLaunchdJob, type LaunchdJobInfo } from '../platform/darwin/launchctl.js';
import { readSystemdUnit, type SystemdUnitInfo } from '../platform/linux/systemd.js';
import type { Monitor } from './monitors.js';

export interface JobMonitorOptions {
  platform: 'darwin' | 'linux';
  uid: number;
  thresholds: Thresholds;
  /** IANA zone the schedules are in (a replay: the recording host's); this machine's when absent. */
  timeZone?: string;
}

/** launchd and systemd state of scheduled jobs changes slowly; read this often at most. */
export const JOB_READ_EVERY_SECONDS = 60;
const LOG_TAIL_BYTES = 4096;
const TAIL_TIMEOUT_MS = 2_000;

type JobRead =
  | { kind: 'launchd'; target: string; loaded: true; job: LaunchdJobInfo }
  | { kind: 'systemd'; target: string; loaded: true; unit: SystemdUnitInfo }
  | { kind: 'launchd' | 'systemd'; target: string; loaded: false; message: string };

interface JobState {
  config: JobConfig;
  read: Part<JobRead> | null;
  readAt: number | null;
  /** When Warden first read this job: before it, Warden cannot say whether a run happened. */
  watchedSince: number | null;
  /** launchd's run count and when Warden saw it change (launchd keeps no run times). */
  runs: number | null;
  runSeenAt: number | null;
  /** What the job's log says about its last failure, when it says something Warden understands. */
  logHint: string | null;
}

/** The last time the schedule fell due at or before `now`, in the zone's local time; null for intervals. */
export function previousDue(schedule: JobSchedule, now: number, zone?: string): number | null {
  if (schedule.every === 'interval') return null;
  const today = wallClock(now, zone);
  const back = schedule.every === 'day' ? 0 : (today.weekday - schedule.weekday + 7) % 7;
  const step = schedule.every === 'day' ? 1 : 7;
  const at = (daysBack: number) => instantOf({ year: today.year, month: today.month, day: today.day - daysBack }, schedule.hour, schedule.minute, zone);
  const due = at(back);
  return due > now ? at(back + step) : due;
}

export function nextDue(schedule: JobSchedule, now: number, lastRunAt: number | null, zone?: string): number | null {
  if (schedule.every === 'interval') return lastRunAt === null ? null : lastRunAt + schedule.seconds * 1000;
  const prev = previousDue(schedule, now, zone);
  if (prev === null) return null;
  const w = wallClock(prev, zone);
  return instantOf({ year: w.year, month: w.month, day: w.day + (schedule.every === 'day' ? 1 : 7) }, schedule.hour, schedule.minute, zone);
}

const LAUNCHCTL_FAILURE = /(Bootstrap|Boot-out|Load|Unload|Kickstart) failed: (\d+): ([^\n]+)/g;
const NO_SUCH_SERVICE = /Could not find service "([^"]+)" in domain[^\n]*/g;
const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 5: 'EIO', 13: 'EACCES', 17: 'EEXIST', 36: 'EINPROGRESS', 37: 'EALREADY' };

function lastMatch(regex: RegExp, text: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const m of text.matchAll(regex)) last = m as RegExpExecArray;
  return last;
}

/**
 * What a log tail says about an exit code, when it is launchctl's own message: launchctl exits
 * with the number it printed, so "Bootstrap failed: 5: Input/output error" explains exit 5.
 */
export function launchctlHint(tail: string, code: number): string | null {
  const failed = lastMatch(LAUNCHCTL_FAILURE, tail);
  if (failed && Number(failed[2]) === code) {
    const verb = (failed[1] as string).toLowerCase().replace('boot-out', 'bootout');
    const errno = ERRNO_NAMES[code];
    const why = verb === 'bootstrap' || verb === 'load' ? 'could not load the plist' : `failed`;
    return `exit ${code} (${errno ? `${errno}: ` : ''}${(failed[3] as string).trim()}) — launchctl ${verb} ${why}`;
  }
  const missing = lastMatch(NO_SUCH_SERVICE, tail);
  if (missing && code === 113) return `exit 113 — launchctl could not find service ${missing[1]}`;
  return null;
}

function failed(exit: ExitInfo | null): boolean {
  return exit !== null && !exit.neverExited && (exit.signal !== null || (exit.code !== null && exit.code !== 0));
}

/**
 * Watches scheduled jobs: the last exit (explained), the last run where it can be known, and
 * whether a calendar job ran when due. launchd keeps no run times, so for launchd jobs Warden
 * notes when it saw the run count change, and says so when it cannot know.
 */
export class JobMonitor implements Monitor {
  readonly part = 'jobs';
  private jobs = new Map<string, JobState>();
  private options: JobMonitorOptions | null = null;
  private readonly schedule: ReadSchedule;

  constructor(
    private readonly facts: Facts,
    tuning: { everySeconds?: number } = {},
  ) {
    this.schedule = new ReadSchedule((tuning.everySeconds ?? JOB_READ_EVERY_SECONDS) * 1000);
  }

  configure(jobs: JobConfig[], options: JobMonitorOptions): void {
    this.options = options;
    const next = new Map<string, JobState>();
    for (const config of jobs) {
      const old = this.jobs.get(config.name);
      const same = old && JSON.stringify(old.config.supervisor) === JSON.stringify(config.supervisor);
      next.set(config.name, same && old ? { ...old, config } : { config, read: null, readAt: null, watchedSince: null, runs: null, runSeenAt: null, logHint: null });
    }
    this.jobs = next;
    this.schedule.dueNow();
  }

  /** Starts reading every job when due, and returns without waiting. */
  async poll(now: number): Promise<void> {
    this.schedule.start(now, () =>
      Promise.all(
        [...this.jobs.values()].map((job) =>
          this.readJob(job, now).catch((error) => {
            job.read = { ok: false, reason: errorText(error) };
          }),
        ),
      ),
    );
  }

  /** Resolves when the read in flight (if any) has finished. */
  async idle(): Promise<void> {
    await this.schedule.idle();
  }

  private async readJob(job: JobState, now: number): Promise<void> {
    const s = job.config.supervisor;
    let read: Part<JobRead>;
    if (s.kind === 'launchd') {
      const domain = s.domain ?? `gui/${this.options?.uid ?? 0}`;
      const target = `${domain}/${s.label}`;
      const r = await readLaunchdJob(this.facts, domain, s.label);
      read = !r.ok ? r : r.value.loaded ? { ok: true, value: { kind: 'launchd', target, loaded: true, job: r.value.job } } : { ok: true, value: { kind: 'launchd', target, loaded: false, message: r.value.message } };
    } else {
      const r = await readSystemdUnit(this.facts, s.unit, s.scope ?? 'system');
      read = !r.ok ? r : r.value.loaded ? { ok: true, value: { kind: 'systemd', target: s.unit, loaded: true, unit: r.value.unit } } : { ok: true, value: { kind: 'systemd', target: s.unit, loaded: false, message: r.value.message } };
    }
    job.read = read;
    job.readAt = now;
    job.watchedSince ??= now;
    if (read.ok && read.value.loaded && read.value.kind === 'launchd') {
      const info = read.value.job;
      if (info.runs !== null) {
        if (job.runs !== null && info.runs > job.runs) job.runSeenAt = now;
        job.runs = info.runs;
      }
      if (info.pid !== null) job.runSeenAt = now;
    }
    const exit = read.ok && read.value.loaded ? (read.value.kind === 'launchd' ? read.value.job.lastExit : read.value.unit.lastExit) : null;
    job.logHint = failed(exit) && exit?.code != null && job.config.logPath ? await this.readHint(job.config.logPath, exit.code) : null;
  }

  private async readHint(logPath: string, code: number): Promise<string | null> {
    const result = await this.facts.run(['tail', '-c', String(LOG_TAIL_BYTES), '--', logPath], { timeoutMs: TAIL_TIMEOUT_MS });
    if (commandProblem(result)) return null;
    const hint = launchctlHint(result.stdout, code);
    return hint ? `${hint} (${logPath})` : null;
  }

  views(now: number): JobView[] {
    const graceMs = (this.options?.thresholds.jobGraceMinutes ?? 60) * 60_000;
    const out: JobView[] = [];
    for (const job of this.jobs.values()) {
      const config = job.config;
      const s = config.supervisor;
      const target = s.kind === 'launchd' ? `${s.domain ?? `gui/${this.options?.uid ?? 0}`}/${s.label}` : s.unit;
      const base = { name: config.name, kind: s.kind, target, logPath: config.logPath ?? null };
      const read = job.read;
      if (!read || !read.ok) {
        out.push({ ...base, lastExit: null, lastRunAt: null, nextDueAt: null, overdueSeconds: null, explanation: read ? `could not be read: ${read.reason}` : 'not checked yet' });
        continue;
      }
      const value = read.value;
      if (!value.loaded) {
        out.push({ ...base, target: value.target, lastExit: null, lastRunAt: null, nextDueAt: null, overdueSeconds: null, explanation: `${value.message}: it will not run` });
        continue;
      }
      const lastExit = value.kind === 'launchd' ? value.job.lastExit : value.unit.lastExit;
      const lastRunAt = value.kind === 'launchd' ? job.runSeenAt : value.unit.startedAt;
      const schedule: JobSchedule | null = config.schedule ?? (value.kind === 'launchd' && value.job.runInterval ? { every: 'interval', seconds: value.job.runInterval } : null);
      const parts: string[] = [];
      if (failed(lastExit)) parts.push(`last ${job.logHint ?? lastExit?.text}`);
      else if (lastExit?.neverExited) parts.push('running since it was loaded, never exited');
      else if (lastExit) parts.push(`last ${lastExit.text}`);
      else parts.push('no exit recorded');

      let overdueSeconds: number | null = null;
      let due: number | null = null;
      let nextDueAt: number | null = null;
      if (schedule) {
        nextDueAt = nextDue(schedule, now, lastRunAt, this.options?.timeZone);
        due = schedule.every === 'interval' ? nextDueAt : previousDue(schedule, now, this.options?.timeZone);
        if (due !== null && due <= now && now - due > graceMs) {
          // A launchd job Warden watched across the due time without seeing its run count move did not run.
          const ranSince = lastRunAt !== null ? lastRunAt >= due - 60_000 : null;
          const watchedAcross = job.watchedSince !== null && job.watchedSince < due;
          if (ranSince === false || (ranSince === null && watchedAcross)) {
            overdueSeconds = Math.round((now - due) / 1000);
            parts.push(`due ${formatDuration((now - due) / 1000)} ago and has not run since`);
          }
        }
      }
      if (value.kind === 'launchd' && lastRunAt === null) parts.push('last run time unknown (launchd does not record it)');
      if (value.kind === 'launchd' && value.job.jobState) parts.push(`launchd: ${value.job.jobState}`);
      if (value.kind === 'systemd' && value.unit.result && value.unit.result !== 'success') parts.push(`systemd result: ${value.unit.result}`);
      out.push({ ...base, target: value.target, lastExit, lastRunAt, nextDueAt, overdueSeconds, explanation: parts.join('; ') });
    }
    return out;
  }

  unknowns(): UnknownPart[] {
    const out: UnknownPart[] = [];
    for (const job of this.jobs.values()) if (job.read && !job.read.ok) out.push({ part: `job ${job.config.name}`, reason: job.read.reason });
    return out;
  }
}
