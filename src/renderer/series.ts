/**
 * The last hour of memory for the sparklines: seeded from the engine's history (kept across
 * restarts) when the page opens, then extended by every State pushed. The caption says from when.
 */
import type { State } from '../common/state.js';

export interface MemoryPoint {
  at: number;
  availableBytes: number;
  swapUsedBytes: number;
  totalBytes: number;
}

export class MemorySeries {
  private readonly points: MemoryPoint[] = [];

  constructor(
    private readonly windowMs = 60 * 60_000,
    private readonly maxPoints = 720,
  ) {}

  /** Adds the State's sample once; stale or missing memory adds nothing rather than repeating an old value. */
  add(state: State): void {
    const m = state.memory;
    if (!m || state.stale) return;
    const last = this.points[this.points.length - 1];
    if (last && m.at <= last.at) return;
    this.points.push({ at: m.at, availableBytes: m.availableBytes, swapUsedBytes: m.swapUsedBytes, totalBytes: m.totalBytes });
    const oldest = m.at - this.windowMs;
    while (this.points.length > 0 && (this.points[0]!.at < oldest || this.points.length > this.maxPoints)) this.points.shift();
  }

  /** Adds history from before the page opened; points it already has, or too old, are skipped. */
  seed(history: readonly MemoryPoint[]): void {
    const first = this.points[0]?.at ?? Number.POSITIVE_INFINITY;
    const last = this.points[this.points.length - 1]?.at ?? Date.now();
    const older = history.filter((p) => p.at < first && p.at >= last - this.windowMs).sort((a, b) => a.at - b.at);
    this.points.unshift(...older.map((p) => ({ at: p.at, availableBytes: p.availableBytes, swapUsedBytes: p.swapUsedBytes, totalBytes: p.totalBytes })));
    while (this.points.length > this.maxPoints) this.points.shift();
  }

  all(): readonly MemoryPoint[] {
    return this.points;
  }
}
