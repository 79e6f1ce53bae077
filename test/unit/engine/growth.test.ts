/**
 * bestTrailingFit against the definition it implements, on seeded series: of every trailing run
 * of the points that count (the newest always in), the one that passes the gates with the best
 * R², the longer on a tie, each run fitted from scratch by fitLine. The one-pass, in-place fit
 * must give the same line, whether it reads plain points or skips points in place.
 */
import { describe, expect, it } from 'vitest';
import { bestTrailingFit, fitLine, type LineFit, type PointReader, type TrailingFitGates } from '../../../src/engine/growth.js';
import { seededRandom } from '../../support/seeded-random.js';

const MIN = 60_000;
const GB = 1e9;

interface Bucket {
  firstAt: number;
  meanAt: number;
  meanBytes: number;
  metric: 'rss' | 'footprint';
}

/** The definition: every trailing run fitted on its own. */
function bruteForce(points: Array<{ at: number; value: number }>, gates: TrailingFitGates): LineFit | null {
  let best: LineFit | null = null;
  for (let first = points.length - 1; first >= 0; first -= 1) {
    const run = points.slice(first);
    if (run.length < Math.max(3, gates.minPoints)) continue;
    const fit = fitLine(run);
    if (!fit || fit.spanMs < gates.minSpanMs || fit.slopePerMs < gates.minSlopePerMs) continue;
    if (!best || fit.r2 >= best.r2 - 1e-12) best = fit;
  }
  return best;
}

/** A day of 30 s buckets: flat, then (from a seeded moment) a leak of a seeded rate, with noise; the metric switches once. */
function seededDay(seed: number): Bucket[] {
  const random = seededRandom(seed);
  const count = 40 + Math.floor(random() * 400);
  const leakFrom = Math.floor(random() * count);
  const perMin = (0.2 + random() * 3) * (GB / 60);
  const switchAt = random() < 0.5 ? Math.floor(random() * count) : count;
  const noise = random() * 50e6;
  const t0 = Date.UTC(2026, 5, 2, 9);
  return Array.from({ length: count }, (_, i) => {
    const firstAt = t0 + i * 30_000 + Math.floor(random() * 3_000);
    const leaked = i > leakFrom ? ((i - leakFrom) / 2) * perMin : 0;
    return {
      firstAt,
      meanAt: firstAt + 12_500 + random() * 2_000,
      meanBytes: 8 * GB + leaked + (random() - 0.5) * noise,
      metric: i < switchAt ? 'rss' : 'footprint',
    };
  });
}

const GATES: TrailingFitGates = { minSpanMs: 20 * MIN, minPoints: 5, minSlopePerMs: 0.5e9 / 3_600_000 };

function expectSameFit(actual: LineFit | null, expected: LineFit | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  expect(actual!.points).toBe(expected.points);
  expect(actual!.spanMs).toBeCloseTo(expected.spanMs, 3);
  expect(actual!.slopePerMs / expected.slopePerMs).toBeCloseTo(1, 6);
  expect(actual!.r2).toBeCloseTo(expected.r2, 6);
}

describe('bestTrailingFit', () => {
  it('finds the trailing run the definition finds, on 200 seeded days', () => {
    let found = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const points = seededDay(seed).map((b) => ({ at: b.meanAt, value: b.meanBytes }));
      const expected = bruteForce(points, GATES);
      if (expected) found += 1;
      expectSameFit(bestTrailingFit(points, GATES), expected);
    }
    // The days are not all flat or all leaking: the comparison covers both answers.
    expect(found).toBeGreaterThan(20);
    expect(found).toBeLessThan(200);
  });

  it('reads points in place and skips those that do not count, as a filtered copy would', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const day = seededDay(seed);
      const metric = day.at(-1)!.metric;
      const reader: PointReader<Bucket> = { at: (b) => b.meanAt, value: (b) => b.meanBytes, counts: (b) => b.metric === metric };
      const copy = day.filter((b) => b.metric === metric).map((b) => ({ at: b.meanAt, value: b.meanBytes }));
      expectSameFit(bestTrailingFit(day, GATES, reader), bruteForce(copy, GATES));
    }
  });

  it('measures from the newest point that counts, even when newer points do not', () => {
    const day = seededDay(7).map((b) => ({ ...b, metric: 'footprint' as const }));
    const leak = day.map((b) => ({ ...b, meanBytes: 8 * GB + (b.meanAt - day[0]!.meanAt) * 1_000 }));
    // Newer points of the other metric, far off the line: left out, not fitted.
    const tail: Bucket[] = [1, 2, 3].map((k) => ({ firstAt: leak.at(-1)!.firstAt + k * 30_000, meanAt: leak.at(-1)!.meanAt + k * 30_000, meanBytes: 1 * GB, metric: 'rss' }));
    const reader: PointReader<Bucket> = { at: (b) => b.meanAt, value: (b) => b.meanBytes, counts: (b) => b.metric === 'footprint' };
    const fit = bestTrailingFit([...leak, ...tail], GATES, reader);
    expect(fit?.points).toBe(leak.length);
    expect(fit!.r2).toBeCloseTo(1, 9);
    expect(bestTrailingFit(tail, GATES, reader)).toBeNull();
  });
});
