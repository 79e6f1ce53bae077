import type { ProcessTable } from '../common/processes.js';
import { SAME_PROCESS_TOLERANCE_MS, sameStart } from './identity.js';

/** top costs about a second for every process, so footprints are read this often, not every cycle. */
export const FOOTPRINT_EVERY_MS = 30_000;

interface Bound {
  bytes: number;
  /** The start time of the process the footprint was read from (pid + start time is its identity). */
  startedAt: number;
}

/**
 * darwin footprints from `top`, held between reads and bound to the process they were read
 * from: pid and start time from the same cycle's `ps`. A footprint is applied only to that
 * process, so a small process that takes a dead server's pid never shows the server's
 * footprint (nor "arrived 10 s ago" with it); a pid that `ps` did not list in the cycle of the
 * read (it started in between) gets its footprint at the next read, not before. `ps` and `top`
 * run side by side and top carries no start time, so a process that `ps` says started during
 * the read (or within the start-time tolerance before it) may not be the one `top` looked at:
 * it too waits for the next read and shows its RSS meanwhile.
 */
export class FootprintCache {
  private readAt: number | null = null;
  private byPid = new Map<number, Bound>();

  /** A read is due: none yet, the last one is FOOTPRINT_EVERY_MS old, or the clock went back. */
  due(now: number): boolean {
    return this.readAt === null || now - this.readAt >= FOOTPRINT_EVERY_MS || now < this.readAt;
  }

  /**
   * Takes a fresh `top` read. Without the same cycle's table there is no identity to bind the
   * footprints to: they are dropped and the read is due again next cycle.
   */
  /** `now`: when the cycle's reads began. */
  accept(footprints: ReadonlyMap<number, number>, table: ProcessTable | null, now: number): void {
    this.byPid = new Map();
    if (!table) {
      this.readAt = null;
      return;
    }
    this.readAt = now;
    const rows = new Map(table.rows.map((row) => [row.pid, row]));
    for (const [pid, bytes] of footprints) {
      const row = rows.get(pid);
      if (row && row.startedAt < now - SAME_PROCESS_TOLERANCE_MS) this.byPid.set(pid, { bytes, startedAt: row.startedAt });
    }
  }

  /** Forgets every footprint (the read failed: RSS is shown instead, and said so). */
  clear(): void {
    this.readAt = null;
    this.byPid = new Map();
  }

  /** Sets `footprintBytes` on the rows whose process the footprint was read from. */
  apply(table: ProcessTable): void {
    for (const row of table.rows) {
      const bound = this.byPid.get(row.pid);
      if (!bound) continue;
      if (sameStart(bound.startedAt, row.startedAt)) row.footprintBytes = bound.bytes;
      else this.byPid.delete(row.pid);
    }
  }
}
