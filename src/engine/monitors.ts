import type { ProcessTable } from '../common/processes.js';
import type { PartView, UnknownPart } from '../common/state.js';
import type { Clock } from '../platform/clock.js';
import { partOf, partViews, type PartName } from './parts.js';

/**
 * A part of the sample that reads on its own cadence, each read under its own deadline
 * (node_exporter's Collector, Stats' Reader): the services, the watched files' locks, the
 * jobs. poll() starts what is due and returns at once; the cycle waits for idle() a bounded
 * time, and a read still under way lands in a later cycle. unknowns() says what the last
 * finished reads could not read, and why.
 */
export interface Monitor {
  /** The part it reports as (State.parts, /metrics warden_part_success and _duration_seconds). */
  readonly part: MonitorPart;
  /** Starts every read that is due and returns without waiting for them; never throws. */
  poll(now: number, table: ProcessTable | null): Promise<void>;
  /** Resolves when every read started so far has finished. */
  idle(): Promise<void>;
  unknowns(): UnknownPart[];
}

export type MonitorPart = Extract<PartName, 'services' | 'locks' | 'jobs'>;

/** One part's outcome in a cycle: read cleanly or not (with the first reason), and the seconds the cycle spent on it. */
export interface PartResult extends PartView {
  name: PartName;
  reason: string | null;
}

export interface SettleOptions {
  clock: Clock;
  /** When the polls started: each part's seconds run from here. */
  startedAt: number;
  /** How long the cycle waits for the reads; null: until they finish (replays, captures). */
  deadlineMs: number | null;
  /** Other work the cycle waits for under the same deadline, untimed (the models' reads). */
  also?: Promise<unknown>[];
}

/**
 * Waits for the monitors' reads at most the deadline and gives the seconds each took; a part
 * the cycle stopped waiting for took at least the wait.
 */
export async function settleMonitors(monitors: readonly Monitor[], options: SettleOptions): Promise<Partial<Record<MonitorPart, number>>> {
  const { clock, startedAt } = options;
  const took: Partial<Record<MonitorPart, number>> = {};
  const settled = Promise.all([
    ...monitors.map((m) =>
      m.idle().finally(() => {
        took[m.part] = Math.max(0, clock.now() - startedAt) / 1000;
      }),
    ),
    ...(options.also ?? []),
  ]);
  if (options.deadlineMs === null) await settled;
  else await settledWithin(settled, options.deadlineMs);
  for (const m of monitors) took[m.part] ??= Math.max(0, clock.now() - startedAt) / 1000;
  return took;
}

/** Every part sampled this cycle, in the State's order: its success, first reason and seconds. */
export function partResults(seconds: Partial<Record<PartName, number>>, unknowns: UnknownPart[]): PartResult[] {
  return partViews(seconds, unknowns, null).map((view) => {
    const name = view.name as PartName;
    const reason = view.ok ? null : (unknowns.find((u) => partOf(u.part) === name)?.reason ?? null);
    return { ...view, name, reason };
  });
}

/** Waits for `work` at most `ms`; the timer is cleared so a finished wait holds nothing open. */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.then(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
