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
