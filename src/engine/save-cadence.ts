import type { AlertSnapshot } from './alerts.js';
import type { HistoryStore } from './history.js';

/** The memory series is written this often, so a crash loses at most this much of the sparkline. */
const SERIES_SAVE_EVERY_MS = 5 * 60_000;
/**
 * The alert snapshot is rewritten (fsync and rename) when what it holds changes; when only
 * the clock fields (last cycle, gaps) moved, at most this often, and once more at stop().
 */
const SNAPSHOT_CLOCK_EVERY_MS = 60_000;

/** When the alert snapshot and the memory series go to disk: after each cycle's journal events, at a snooze, at stop. */
export class SaveCadence {
  private seriesSavedAt: number | null = null;
  private savedSnapshot: { body: string; at: number } | null = null;

  constructor(
    private readonly history: HistoryStore | null,
    private readonly snapshot: () => AlertSnapshot,
  ) {}

  /** After a cycle's events are in the journal: the snapshot when it changed (or its clock is old), the series every few minutes. */
  async afterCycle(now: number): Promise<void> {
    const history = this.history;
    if (!history) return;
    await this.saveAlertSnapshot(now, false);
    if (this.seriesSavedAt === null) this.seriesSavedAt = now;
    else if (now - this.seriesSavedAt >= SERIES_SAVE_EVERY_MS) {
      this.seriesSavedAt = now;
      await history.saveSeries();
    }
  }

  /** `always`: written and synced whatever changed (a snooze, stop). */
  async saveAlertSnapshot(now: number, always: boolean): Promise<void> {
    const history = this.history;
    if (!history) return;
    const snapshot = this.snapshot();
    const { lastNow: _lastNow, gaps: _gaps, ...held } = snapshot;
    const body = JSON.stringify(held);
    const saved = this.savedSnapshot;
    // A failed write (history unavailable) is retried every cycle, as before.
    const fresh = saved !== null && saved.body === body && now >= saved.at && now - saved.at < SNAPSHOT_CLOCK_EVERY_MS;
    if (!always && fresh && history.available) return;
    // Only the clock fields moved: no fsync (what the policy holds is on disk already).
    const changed = saved === null || saved.body !== body || !history.available;
    await history.saveAlertSnapshot(snapshot, { durable: always || changed });
    this.savedSnapshot = { body, at: now };
  }

  /** At stop: the snapshot (when a cycle ran), the series, then the journal flushed and the folder closed. */
  async atStop(now: number, ticked: boolean): Promise<void> {
    const h = this.history;
    if (!h) return;
    if (ticked) await this.saveAlertSnapshot(now, true).catch(() => undefined);
    await h.saveSeries().catch(() => undefined);
    await h.flush().catch(() => undefined);
    await h.close();
  }
}
