/**
 * The properties a generated day must hold, judged from its replay, and the figures the
 * closing note asks for. Each failure is one line naming the day's seed and what went wrong.
 */
import type { Notification } from '../../src/common/findings.js';
import type { DayOptions, Injected } from './day-generator.js';
import { eventEnd, eventStart } from './day-generator.js';
import { replayDay, replayHint, type DayRun } from './day-replay.js';

/** Leaks at least this fast, for at least this long, must be found. */
const LEAK_MIN_BYTES_PER_HOUR = 0.5e9;
const LEAK_MIN_MS = 25 * 60_000;
const LEAK_RATE_TOLERANCE = 0.15;
const RED_WITHIN_CYCLES = 2;

export interface DayFigures {
  days: number;
  samples: number;
  millis: number;
  /** CPU time of this process meanwhile (wall time on a loaded machine says little). */
  cpuMillis: number;
  healthyDays: number;
  healthyNotifications: number;
  /** Outages, flaps and crashes injected, and those that gave exactly one notification and one recovery. */
  incidentsInjected: number;
  incidentsFound: number;
  leaksInjected: number;
  leaksFound: number;
  /** |measured − injected| / injected, per leak found. */
  leakErrors: number[];
  crashToRedSeconds: number[];
  crashToNotifySeconds: number[];
  sleeps: number;
}

export function emptyFigures(): DayFigures {
  return { days: 0, samples: 0, millis: 0, cpuMillis: 0, healthyDays: 0, healthyNotifications: 0, incidentsInjected: 0, incidentsFound: 0, leaksInjected: 0, leaksFound: 0, leakErrors: [], crashToRedSeconds: [], crashToNotifySeconds: [], sleeps: 0 };
}

const pages = (e: Injected) => e.kind === 'outage' || e.kind === 'flap' || e.kind === 'crash';
const iso = (t: number) => new Date(t).toISOString().slice(11, 19);

function describe(n: Notification): string {
  return `${iso(n.at)} ${n.kind} "${n.title}"`;
}

/** Checks one replayed day; returns the failures (empty when every property held). */
export function judgeDay(run: DayRun, figures: DayFigures): string[] {
  const { plan } = run;
  const failures: string[] = [];
  const fail = (text: string) => failures.push(text);
  const paging = plan.events.filter(pages);
  figures.days += 1;
  figures.samples += run.samples;
  figures.millis += run.millis;

  const missing = [...run.unknowns].filter((u) => u.includes('the capture has no record'));
  if (missing.length > 0) fail(`the engine read facts the day does not hold: ${missing.slice(0, 3).join('; ')}`);

  // Every notification belongs to an event that pages; none to a healthy stretch, a leak or a sleep.
  const claimed = new Set<Notification>();
  for (const e of paging) {
    const service = (e as { service: string }).service;
    const mine = run.notifications.filter((n) => n.at >= eventStart(e) && n.at <= e.until && n.title.includes(service));
    mine.forEach((n) => claimed.add(n));
    const incidents = mine.filter((n) => n.kind === 'incident');
    const recoveries = mine.filter((n) => n.kind === 'recovery');
    figures.incidentsInjected += 1;
    const what = `${e.kind} of ${service} ${iso(eventStart(e))}–${iso(eventEnd(e))}${e.kind === 'crash' ? '' : ` (${e.failedProbes} failed probes)`}`;
    if (incidents.length === 1 && recoveries.length === 1) figures.incidentsFound += 1;
    else fail(`${what}: expected 1 notification and 1 recovery notice, got ${incidents.length} and ${recoveries.length}: ${mine.map(describe).join(', ') || 'none'}`);
    if (e.kind === 'crash') {
      const after = plan.sampleTimes.filter((t) => t >= e.at);
      const deadline = after[RED_WITHIN_CYCLES - 1] ?? Infinity;
      const red = (run.redAt.get(service) ?? []).find((t) => t >= e.at && t < e.restartAt);
      if (red !== undefined) figures.crashToRedSeconds.push((red - e.at) / 1000);
      if (red === undefined || red > deadline) fail(`${what}: red ${red === undefined ? 'never' : `${((red - e.at) / 1000).toFixed(1)} s after the kill`}; due within ${RED_WITHIN_CYCLES} cycles (${((deadline - e.at) / 1000).toFixed(1)} s)`);
      if (incidents[0]) figures.crashToNotifySeconds.push((incidents[0].at - e.at) / 1000);
    }
  }
  const stray = run.notifications.filter((n) => !claimed.has(n));
  if (stray.length > 0) fail(`${stray.length} notification(s) no injected outage, flap or crash explains: ${stray.slice(0, 4).map(describe).join(', ')}`);
  if (paging.length === 0) {
    figures.healthyDays += 1;
    figures.healthyNotifications += run.notifications.length;
  }
  figures.sleeps += plan.events.filter((e) => e.kind === 'sleep').length;

  // No thief story where nothing was injected: only a leak's process, or a restarted server, may have one.
  const allowed = new Set<number>();
  for (const e of plan.events) {
    if (e.kind === 'leak') allowed.add(e.pid);
    if (e.kind === 'crash') for (const p of plan.processes) if (p.port !== undefined && p.startedAt >= e.restartAt - 1) allowed.add(p.pid);
  }
  const stories = run.stories.filter((s) => !allowed.has(s.pid));
  if (stories.length > 0) fail(`${stories.length} thief stor${stories.length === 1 ? 'y' : 'ies'} on a healthy process, first at ${iso(stories[0]!.at)}: PID ${stories[0]!.pid} ${stories[0]!.story}`);

  for (const e of plan.events) {
    if (e.kind !== 'leak' || e.bytesPerHour < LEAK_MIN_BYTES_PER_HOUR || e.to - e.from < LEAK_MIN_MS) continue;
    figures.leaksInjected += 1;
    const seen = run.leakThieves.get(e.pid);
    const rate = `${(e.bytesPerHour / 1e9).toFixed(2)} GB/h for ${Math.round((e.to - e.from) / 60_000)} min${e.startsWithProcess ? ' from its start' : ' after running flat'}`;
    const g = seen?.growth ?? null;
    if (!g) {
      fail(`leak of PID ${e.pid} at ${rate}: not found by ${seen ? iso(seen.at) : 'the end of the leak'}`);
      continue;
    }
    const error = Math.abs(g.bytesPerHour - e.bytesPerHour) / e.bytesPerHour;
    if (error > LEAK_RATE_TOLERANCE) fail(`leak of PID ${e.pid} at ${rate}: measured ${(g.bytesPerHour / 1e9).toFixed(2)} GB/h (${(error * 100).toFixed(0)} % off)`);
    else if (g.exhaustsInSeconds === null) fail(`leak of PID ${e.pid} at ${rate}: found without an ETA`);
    else {
      figures.leaksFound += 1;
      figures.leakErrors.push(error);
    }
  }
  return failures.map((f) => `seed ${plan.seed} (${plan.platform}, every ${plan.intervalSeconds} s, API probe every ${plan.services[0]!.probeSeconds} s): ${f}`);
}

/** Replays every day and judges it; the failures carry the line that replays the day. */
export async function judgeDays(days: readonly DayOptions[], file: string): Promise<{ failures: string[]; figures: DayFigures }> {
  const figures = emptyFigures();
  const failures: string[] = [];
  const cpu = process.cpuUsage();
  for (const options of days) {
    const run = await replayDay(options);
    const found = judgeDay(run, figures);
    if (found.length > 0) failures.push(...found, `  ${replayHint(options, file)}`);
  }
  const used = process.cpuUsage(cpu);
  figures.cpuMillis = (used.user + used.system) / 1000;
  return { failures, figures };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** One line of figures for the log (and the closing note). */
export function figuresLine(name: string, f: DayFigures): string {
  const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
  const s = (xs: number[]) => (xs.length === 0 ? '–' : `median ${median(xs)!.toFixed(1)} s, max ${Math.max(...xs).toFixed(1)} s`);
  return [
    `${name}: ${f.days} days, ${f.samples} samples in ${(f.millis / 1000).toFixed(1)} s, ${(f.cpuMillis / 1000).toFixed(1)} s of CPU (${(f.cpuMillis / Math.max(1, f.samples)).toFixed(2)} ms a sample)`,
    `healthy days ${f.healthyDays}, notifications on them ${f.healthyNotifications}`,
    `incidents found ${f.incidentsFound}/${f.incidentsInjected}`,
    `leaks found ${f.leaksFound}/${f.leaksInjected}, rate error median ${pct(median(f.leakErrors))}, max ${pct(f.leakErrors.length ? Math.max(...f.leakErrors) : null)}`,
    `crash to red ${s(f.crashToRedSeconds)}, crash to notification ${s(f.crashToNotifySeconds)}`,
    `sleeps ${f.sleeps}`,
  ].join('; ');
}
