import { describe, expect, it } from 'vitest';
import { floorFigures } from '../../../bench/floor-ratio.js';
import { trimmedMean } from '../../../bench/measure.js';

describe('the floor ratio of the bench', () => {
  it('drops a tenth of the values at each end before the mean', () => {
    // 10 values: one dropped at each end.
    expect(trimmedMean([100, 1, 2, 2, 2, 2, 2, 2, 2, -50])).toBe(1.875);
    expect(trimmedMean([3, 1, 2])).toBe(2);
    expect(trimmedMean([5, 1], 0)).toBe(3);
  });

  it('takes the idle step out of both sides, and one late collection moves only the plain ratio', () => {
    const idle = Array.from({ length: 10 }, () => 0.2);
    const floor = Array.from({ length: 10 }, () => 1.2);
    const warden = Array.from({ length: 10 }, () => 1.4);
    const before = floorFigures({ wardenMs: warden, floorMs: floor, idleMs: idle, rows: 70, floorRows: 70 });
    expect(before.ratio).toBeCloseTo(1.2, 9);
    expect(before.wardenNetMs).toBeCloseTo(1.2, 9);
    expect(before.floorNetMs).toBeCloseTo(1.0, 9);
    warden[3] = 21.4; // one 20 ms full collection lands in a Warden step
    const ratios = floorFigures({ wardenMs: warden, floorMs: floor, idleMs: idle, rows: 70, floorRows: 70 });
    expect(ratios.ratio).toBeCloseTo(1.2, 9);
    expect(ratios.plainRatio).toBeCloseTo(3.2, 9);
  });
});
