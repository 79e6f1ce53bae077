/**
 * Adaptive cadence: while the last cycle was green and steady, the process table is read every
 * STEADY_TABLE_MS instead of every cycle. Memory is read every cycle (it is cheap and the first
 * sign), and the pids the service checks stand on are looked up by pid every cycle, so a crash
 * still reads the whole table in the cycle that sees it. The first non-green fact reads the
 * table at once. See docs/cadence.md.
 */
import type { PressureLevel } from '../common/memory.js';
import type { State } from '../common/state.js';

/** While green and steady, the table is read at least this often. Growth buckets are 30 s (process-track.ts): each still holds two samples. */
export const STEADY_TABLE_MS = 15_000;
/** After a wake, the full cadence holds this long (the host's processes are settling). */
const AFTER_WAKE_MS = 60_000;

/** Why the previous cycle was not green and steady, or null when it was. */
export function notSteady(state: State, now: number, wokeAt: number | null): string | null {
  if (state.sampledAt === null) return 'first cycle';
  if (wokeAt !== null && now - wokeAt < AFTER_WAKE_MS) return 'woke';
  const finding = state.findings.find((f) => f.severity !== 'ok');
  if (finding) return `finding ${finding.key}`;
  if (state.unknowns.length > 0) return `unknown ${state.unknowns[0]!.part}`;
  if (state.memory?.pressure !== 'normal') return 'memory pressure not normal';
  if (state.incidents.some((i) => i.closedAt === null)) return 'open incident';
  const story = state.thieves.find((t) => t.growth !== null || t.sustainedCpu !== null || t.arrivedAgoSeconds !== null);
  if (story) return `process ${story.pid} has a story`;
  const probe = state.services.find((s) => (s.probe && !s.probe.ok) || (s.canary && !s.canary.ok));
  if (probe) return `probe of ${probe.name} failed`;
  return null;
}

export interface TableDueInput {
  now: number;
  intervalMs: number;
  /** When the table was last read (ok or not); null before the first. */
  lastTableAt: number | null;
  /** notSteady() of the previous cycle. */
  notSteady: string | null;
  /** This cycle's memory pressure (null: unread). */
  pressure: PressureLevel | null;
  /** Pids the service checks stand on that are gone now; null when they could not be looked up. */
  gone: readonly number[] | null;
  /** The cheap per-pid lookup exists here (absent: the table is read every cycle). */
  adaptive: boolean;
}

/** Whether this cycle reads the whole process table, and why (for the log and the tests). */
export function tableDue(input: TableDueInput): { due: boolean; why: string } {
  if (!input.adaptive) return { due: true, why: 'full cadence' };
  if (input.lastTableAt === null) return { due: true, why: 'first read' };
  if (input.notSteady !== null) return { due: true, why: input.notSteady };
  if (input.pressure !== 'normal') return { due: true, why: 'memory pressure not normal' };
  if (input.gone === null) return { due: true, why: 'watched pids unread' };
  if (input.gone.length > 0) return { due: true, why: `pid ${input.gone.join(', ')} gone` };
  const since = input.now - input.lastTableAt;
  // Half a cycle of slack: at 5 s cycles the table is read every third cycle, not every fourth.
  if (since < 0 || since + input.intervalMs / 2 >= STEADY_TABLE_MS) return { due: true, why: 'steady period over' };
  return { due: false, why: 'steady' };
}
