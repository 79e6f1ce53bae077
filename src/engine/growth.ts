/** Least-squares line through (t, y) points; slope in y per ms. */
export interface LineFit {
  slopePerMs: number;
  r2: number;
  spanMs: number;
  points: number;
}

export function fitLine(points: ReadonlyArray<{ at: number; value: number }>): LineFit | null {
  const n = points.length;
  if (n < 3) return null;
  const t0 = points[0]!.at;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.at - t0;
    sy += p.value;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of points) {
    const dx = p.at - t0 - mx;
    const dy = p.value - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  // A flat series fits a flat line perfectly; call that r² 1 rather than dividing by zero.
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slopePerMs: slope, r2, spanMs: points[n - 1]!.at - t0, points: n };
}

export interface TrailingFitGates {
  minSpanMs: number;
  minPoints: number;
  minSlopePerMs: number;
}

/** How a fit reads a point in place: its time, its value, and whether it counts at all. */
export interface PointReader<P> {
  at(point: P): number;
  value(point: P): number;
  /** False leaves the point out, as if the series did not hold it. */
  counts(point: P): boolean;
}

const PLAIN_POINT: PointReader<{ at: number; value: number }> = { at: (p) => p.at, value: (p) => p.value, counts: () => true };

/**
 * The straightest line through a trailing run of the points (the newest that counts always
 * included) that spans at least `minSpanMs`, holds `minPoints` and climbs at least
 * `minSlopePerMs`: the best R² wins, the longer run on a tie. A leak that started an hour into a
 * flat day is measured over its own run, not diluted by the flat hours before it. One pass from
 * the newest point back, with running sums centred on the newest point (so bytes in the tens of
 * GB keep their precision), reading the points where they lie: the thief tracker fits every
 * tracked process's 6 h history every cycle, so nothing is copied. Null when no run passes.
 */
export function bestTrailingFit(points: ReadonlyArray<{ at: number; value: number }>, gates: TrailingFitGates): LineFit | null;
export function bestTrailingFit<P>(points: readonly P[], gates: TrailingFitGates, read: PointReader<P>): LineFit | null;
export function bestTrailingFit<P>(points: readonly P[], gates: TrailingFitGates, read = PLAIN_POINT as unknown as PointReader<P>): LineFit | null {
  let newest = points.length - 1;
  while (newest >= 0 && !read.counts(points[newest] as P)) newest -= 1;
  if (newest < 0) return null;
  const lastAt = read.at(points[newest] as P);
  const lastValue = read.value(points[newest] as P);
  let count = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let best: LineFit | null = null;
  for (let i = newest; i >= 0; i -= 1) {
    const p = points[i] as P;
    if (!read.counts(p)) continue;
    const at = read.at(p);
    const x = at - lastAt;
    const y = read.value(p) - lastValue;
    count += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    const spanMs = lastAt - at;
    if (count < Math.max(3, gates.minPoints) || spanMs < gates.minSpanMs) continue;
    const vxx = sxx - (sx * sx) / count;
    const vxy = sxy - (sx * sy) / count;
    const vyy = Math.max(0, syy - (sy * sy) / count);
    if (!(vxx > 0)) continue;
    const slope = vxy / vxx;
    if (slope < gates.minSlopePerMs) continue;
    const r2 = vyy === 0 ? 1 : Math.min(1, (vxy * vxy) / (vxx * vyy));
    if (!best || r2 >= best.r2) best = { slopePerMs: slope, r2, spanMs, points: count };
  }
  return best;
}
