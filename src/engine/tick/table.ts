import type { ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import type { UnknownPart } from '../../common/state.js';
import { plural } from '../../common/format.js';
import type { Clock } from '../../platform/clock.js';
import type { Facts } from '../../platform/facts.js';
import { readProcessTable } from '../../platform/processes.js';
import { readFootprints } from '../../platform/darwin/footprint.js';
import { FootprintCache } from '../footprints.js';
import type { ThiefTracker } from '../thieves.js';
import { timed, type PartName } from '../parts.js';

/** How many of the biggest processes get their physical footprint read (darwin). */
const FOOTPRINT_TOP = 10;

export type TableRead = [Part<ProcessTable>, Part<Map<number, number>> | null];

/**
 * The process table across cycles: the last one read (a steady cycle uses it, cadence.ts), the
 * footprints beside it (macOS), and the thieves tracked from each table read.
 */
export class ProcessTableState {
  /** The last table read ok, when it was read and what the read took (s); null: read it this cycle. */
  last: { table: ProcessTable; readAt: number; seconds: number } | null = null;
  /** Cycles that read the table and cycles that used the last one (the bench and tests read them). */
  readonly reads = { read: 0, reused: 0 };
  private readonly footprints = new FootprintCache();
  private footprintProblem: string | null = null;

  constructor(private readonly deps: { facts: Facts; clock: Clock; platform: 'darwin' | 'linux'; thieves: ThiefTracker }) {}

  /** What an action or a new config changed is read in full at the next cycle. */
  forget(): void {
    this.last = null;
  }

  /** Reads the table, and the footprints when due (macOS), timing each into `took`. */
  read(now: number, took: Partial<Record<PartName, number>>): Promise<TableRead> {
    const { facts, clock, platform } = this.deps;
    const clockNow = () => clock.now();
    return Promise.all([
      timed(took, 'processes', clockNow, () => readProcessTable(facts, now)),
      platform === 'darwin' && this.footprints.due(now) ? timed(took, 'footprint', clockNow, () => readFootprints(facts, FOOTPRINT_TOP)) : Promise.resolve(null),
    ]);
  }

  /**
   * Takes this cycle's reads (null: the table was not due) and gives the table the cycle
   * stands on; `last` is the table as it stood when the cycle began. What was not read goes to
   * `unknowns`, an odd ps line to `notes`.
   */
  accept(now: number, last: ProcessTableState['last'], [tablePart, footprintPart]: [Part<ProcessTable> | null, Part<Map<number, number>> | null], took: Partial<Record<PartName, number>>, unknowns: UnknownPart[], notes: string[]): ProcessTable | null {
    if (footprintPart) {
      if (footprintPart.ok) {
        this.footprints.accept(footprintPart.value, tablePart?.ok ? tablePart.value : null, now);
        this.footprintProblem = null;
      } else {
        this.footprints.clear();
        this.footprintProblem = footprintPart.reason;
      }
    }
    if (this.footprintProblem) unknowns.push({ part: 'footprint', reason: `${this.footprintProblem}; showing RSS instead` });

    if (tablePart === null && last) {
      // Steady: the last table stands (its pids the services stand on were looked up just now).
      took.processes = last.seconds;
      this.reads.reused += 1;
      if (last.table.skipped) notes.push(skippedNote(last.table.skipped));
      return last.table;
    }
    this.reads.read += 1;
    if (tablePart?.ok) {
      this.take(tablePart.value, now, took);
      // One odd line is not an unknown host: the rest of the table was read; it is said, not greyed.
      if (tablePart.value.skipped) notes.push(skippedNote(tablePart.value.skipped));
      return tablePart.value;
    }
    this.last = null;
    unknowns.push({ part: 'processes', reason: tablePart?.reason ?? 'the process table was not read' });
    return null;
  }

  /** A steady cycle whose parts named a pid the last table lacks: the table read now replaces it. */
  replaceReused(table: ProcessTable, now: number, took: Partial<Record<PartName, number>>): void {
    this.reads.read += 1;
    this.reads.reused -= 1;
    this.take(table, now, took);
  }

  private take(table: ProcessTable, now: number, took: Partial<Record<PartName, number>>): void {
    this.last = { table, readAt: now, seconds: took.processes ?? 0 };
    this.footprints.apply(table);
    this.deps.thieves.update(table);
  }
}

function skippedNote(skipped: number): string {
  return `${plural(skipped, 'line')} of ps output did not have the expected columns and ${skipped === 1 ? 'was' : 'were'} left out`;
}
