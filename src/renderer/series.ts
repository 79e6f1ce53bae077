/**
 * The last hour of memory, kept in the page. The State carries no history series, so the
 * sparkline shows what this page has seen since it opened (the window is destroyed after a few
 * hidden minutes): the caption says from when.
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

  all(): readonly MemoryPoint[] {
    return this.points;
  }
}
