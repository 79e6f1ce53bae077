/**
 * One process's history, downsampled so it means the same thing at any engine interval: the
 * samples fall into buckets that open when a sample comes at least KEEP_SPACING_MS after the
 * last bucket opened. A bucket keeps its first sample as it was (real time, CPU time, for the
 * CPU judgements) and the mean of its samples' memory at their mean time (for the growth fit:
 * at 5 s cycles six readings make one point, so jitter counts for less, never more). At 1 s,
 * 5 s or 30 s cycles the buckets are 30 s apart; at 60 s each holds one sample. The history is
 * bounded by age and by count; the newest sample is held beside it.
 */

/** Buckets open at least this far apart. */
export const KEEP_SPACING_MS = 30_000;
/** How far back the history reaches. */
export const HISTORY_MS = 6 * 3_600_000;
/** At the spacing above, HISTORY_MS holds at most this many buckets. */
const MAX_KEPT = HISTORY_MS / KEEP_SPACING_MS + 1;

export interface TrackPoint {
  at: number;
  /** The memory figure judged: footprint when it was read for this process, else RSS. */
  bytes: number;
  metric: 'rss' | 'footprint';
  cpuSeconds: number | null;
  cpuPercent: number;
}

/** A bucket: its first sample, and the mean memory of the samples in it that share its metric. */
export interface KeptPoint extends TrackPoint {
  meanBytes: number;
  meanAt: number;
  samples: number;
}

export class ProcessTrack {
  private readonly kept: KeptPoint[] = [];
  private newest: TrackPoint | null = null;
  private previous: TrackPoint | null = null;

  constructor(
    readonly pid: number,
    readonly startedAt: number,
  ) {}

  /** Adds a sample; one at or before the newest (a duplicate or out-of-order time) is ignored. */
  add(point: TrackPoint): void {
    if (this.newest && point.at <= this.newest.at) return;
    this.previous = this.newest;
    this.newest = point;
    const last = this.kept.at(-1);
    if (!last || point.at - last.at >= KEEP_SPACING_MS) {
      // Spelled out, not spread: every bucket then shares one object shape, which the fits that
      // read all of them each cycle need to stay fast (a spread's copies read ~10× slower there).
      this.kept.push({
        at: point.at,
        bytes: point.bytes,
        metric: point.metric,
        cpuSeconds: point.cpuSeconds,
        cpuPercent: point.cpuPercent,
        meanBytes: point.bytes,
        meanAt: point.at,
        samples: 1,
      });
    } else if (point.metric === last.metric) {
      const n = last.samples;
      last.meanBytes = (last.meanBytes * n + point.bytes) / (n + 1);
      last.meanAt = (last.meanAt * n + point.at) / (n + 1);
      last.samples = n + 1;
    }
    let drop = 0;
    while (drop < this.kept.length - 1 && point.at - (this.kept[drop] as KeptPoint).at > HISTORY_MS) drop += 1;
    drop = Math.max(drop, this.kept.length - MAX_KEPT);
    if (drop > 0) this.kept.splice(0, drop);
  }

  get latest(): TrackPoint | null {
    return this.newest;
  }

  /** The buckets, oldest first. */
  get keptPoints(): readonly KeptPoint[] {
    return this.kept;
  }

  /**
   * The point "CPU now" is measured from: the latest bucket's first sample at least `minMs`
   * before the newest sample, so the figure covers 10–40 s at fast cycles rather than one
   * cycle's jitter (Linux ps prints CPU time in whole seconds); else the sample before the
   * newest (the one second of a one-shot status).
   */
  cpuBaseline(minMs: number): TrackPoint | null {
    const newest = this.newest;
    if (!newest) return null;
    for (let i = this.kept.length - 1; i >= 0; i -= 1) {
      const p = this.kept[i] as KeptPoint;
      if (newest.at - p.at >= minMs) return p;
    }
    return this.previous;
  }
}
