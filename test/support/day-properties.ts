/**
 * The properties a generated day must hold, judged from its replay, and the figures the
 * closing note asks for. Each failure is one line naming the day's seed and what went wrong.
 */
import type { Notification } from '../../src/common/findings.js';
import { CAUSE_OBSERVATION_SECONDS, DEFAULT_NOTIFICATIONS } from '../../src/engine/defaults.js';
import type { DayOptions, Injected } from './day-generator.js';
import { eventEnd, eventStart } from './day-generator.js';
import { replayDay, replayHint, type DayRun } from './day-replay.js';

/** Leaks at least this fast, for at least this long, must be found. */
const LEAK_MIN_BYTES_PER_HOUR = 0.5e9;
const LEAK_MIN_MS = 25 * 60_000;
const LEAK_RATE_TOLERANCE = 0.15;
const RED_WITHIN_CYCLES = 2;
/** A crash pages within the group window after it turned red: by the first cycle at or after it ends. */
const GROUP_MS = DEFAULT_NOTIFICATIONS.groupSeconds * 1000;

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
  /** Cycles that used the last process table (adaptive cadence) rather than reading it. */
  tablesReused: number;
  crashToNotifySeconds: number[];
  /** Crashes of a service with no supervisor configured (the rest have launchd or systemd). */
  unsupervisedCrashes: number;
  /** Discovered servers that quit: amber within 2 cycles, never paged. */
  /** Memory pressure for minutes (must confirm: an incident, no page) and spikes of seconds (must not). */
  pressures: number;
  pressuresConfirmed: number;
  pressureSpikes: number;
  spikesSampled: number;
  spikesConfirmed: number;
  discoveredStops: number;
  discoveredAmber: number;
  /** Notifications naming a discovered server (each is also a failure). */
  discoveredPages: number;
  stopToAmberSeconds: number[];
  sleeps: number;
}

export function emptyFigures(): DayFigures {
  return { days: 0, samples: 0, millis: 0, cpuMillis: 0, healthyDays: 0, healthyNotifications: 0, incidentsInjected: 0, incidentsFound: 0, leaksInjected: 0, leaksFound: 0, leakErrors: [], crashToRedSeconds: [], tablesReused: 0, crashToNotifySeconds: [], unsupervisedCrashes: 0, pressures: 0, pressuresConfirmed: 0, pressureSpikes: 0, spikesSampled: 0, spikesConfirmed: 0, discoveredStops: 0, discoveredAmber: 0, discoveredPages: 0, stopToAmberSeconds: [], sleeps: 0 };
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
  figures.tablesReused += run.tableReads.reused;
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
      if (!plan.services.find((s) => s.name === service)?.supervisor) figures.unsupervisedCrashes += 1;
      const after = plan.sampleTimes.filter((t) => t >= e.at);
      const deadline = after[RED_WITHIN_CYCLES - 1] ?? Infinity;
      const red = (run.redAt.get(service) ?? []).find((t) => t >= e.at && t < e.restartAt);
      if (red !== undefined) figures.crashToRedSeconds.push((red - e.at) / 1000);
      if (red === undefined || red > deadline) fail(`${what}: red ${red === undefined ? 'never' : `${((red - e.at) / 1000).toFixed(1)} s after the kill`}; due within ${RED_WITHIN_CYCLES} cycles (${((deadline - e.at) / 1000).toFixed(1)} s)`);
      if (incidents[0]) figures.crashToNotifySeconds.push((incidents[0].at - e.at) / 1000);
      const windowEnd = red === undefined ? undefined : plan.sampleTimes.find((t) => t >= red + GROUP_MS);
      if (red !== undefined && incidents[0] && windowEnd !== undefined && incidents[0].at > windowEnd) {
        fail(`${what}: notified ${((incidents[0].at - red) / 1000).toFixed(1)} s after it turned red; due within the ${GROUP_MS / 1000} s group window`);
      }
    }
  }

  // Memory pressure confirms over seconds, not samples: minutes of it open an incident (a cause:
  // it pages alone only after 30 min), a spike of seconds opens none, at every interval.
  for (const e of plan.events) {
    if (e.kind !== 'pressure') continue;
    const what = `memory pressure critical ${iso(e.from)}–${iso(e.to)} (${((e.to - e.from) / 1000).toFixed(1)} s)`;
    const opened = [...run.memoryIncidents.values()].filter((t) => t >= e.from && t <= e.until);
    if (e.spike) {
      figures.pressureSpikes += 1;
      if (run.pressureShownAt.some((t) => t >= e.from && t < e.until)) figures.spikesSampled += 1;
      if (opened.length > 0) {
        figures.spikesConfirmed += 1;
        fail(`${what}: a spike of seconds confirmed as an incident at ${iso(opened[0]!)}; it is under two ${CAUSE_OBSERVATION_SECONDS} s observations`);
      }
    } else {
      figures.pressures += 1;
      if (opened.length === 1) figures.pressuresConfirmed += 1;
      else fail(`${what}: expected 1 incident holding memory:pressure, got ${opened.length}`);
    }
  }

  // A discovered server that quits: amber (quiet) within 2 cycles, never red, never paged.
  for (const e of plan.events) {
    if (e.kind !== 'discovered-crash') continue;
    figures.discoveredStops += 1;
    figures.discoveredPages += run.notifications.filter((n) => n.title.includes(e.service)).length;
    const what = `${e.service} (discovered, PID ${e.pid}) quitting at ${iso(e.at)}`;
    const deadline = plan.sampleTimes.filter((t) => t >= e.at)[RED_WITHIN_CYCLES - 1] ?? Infinity;
    const amber = (run.amberAt.get(e.service) ?? []).find((t) => t >= e.at);
    const red = (run.redAt.get(e.service) ?? []).find((t) => t >= e.at);
    if (!(run.runningAt.get(e.service) ?? []).some((t) => t < e.at)) fail(`${what}: never shown running before, so discovery never found it`);
    else if (red !== undefined) fail(`${what}: red at ${iso(red)}; a server no config names is amber, never red`);
    else if (amber === undefined || amber > deadline) fail(`${what}: amber ${amber === undefined ? 'never' : `${((amber - e.at) / 1000).toFixed(1)} s after`}; due within ${RED_WITHIN_CYCLES} cycles (${((deadline - e.at) / 1000).toFixed(1)} s)`);
    else {
      figures.discoveredAmber += 1;
      figures.stopToAmberSeconds.push((amber - e.at) / 1000);
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
export async function judgeDays(days: readonly DayOptions[], file: string, replay: { adaptive?: boolean } = {}): Promise<{ failures: string[]; figures: DayFigures }> {
  const figures = emptyFigures();
  const failures: string[] = [];
  const cpu = process.cpuUsage();
  for (const options of days) {
    const run = await replayDay(options, replay);
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
    `crash to red ${s(f.crashToRedSeconds)}, crash to notification ${s(f.crashToNotifySeconds)}${f.crashToRedSeconds.length > 0 ? ` (${f.unsupervisedCrashes} of ${f.crashToRedSeconds.length} unsupervised)` : ''}`,
    ...(f.pressures + f.pressureSpikes > 0 ? [`memory pressure for minutes confirmed ${f.pressuresConfirmed}/${f.pressures}, spikes of seconds confirmed ${f.spikesConfirmed}/${f.pressureSpikes} (${f.spikesSampled} seen in a sample)`] : []),
    ...(f.discoveredStops > 0 ? [`discovered servers quitting amber ${f.discoveredAmber}/${f.discoveredStops} (${s(f.stopToAmberSeconds)}), paged ${f.discoveredPages}`] : []),
    `sleeps ${f.sleeps}`,
  ].join('; ');
}
