import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDecimalGB,
  formatDuration,
  formatGrowthRate,
  formatPercent,
  formatRate,
} from '../../../src/common/format.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

describe('formatBytes (host memory, binary units)', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [820 * MiB, '820 MiB'],
    // vm.swapusage "used = 10386.19M" from the incident
    [10386.19 * MiB, '10.1 GiB'],
    [11264 * MiB, '11 GiB'],
    [64 * GiB, '64 GiB'],
    [1.25 * GiB, '1.3 GiB'],
    [99.94 * MiB, '99.9 MiB'],
    [150.4 * MiB, '150 MiB'],
    // rounds up to the next unit instead of printing "1024 MiB"
    [1023.7 * MiB, '1 GiB'],
    [2 * 1024 * GiB, '2 TiB'],
    [-3 * MiB, '-3 MiB'],
  ])('%d → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it.each([NaN, Infinity, -Infinity])('%d → unknown, never NaN', (n) => {
    expect(formatBytes(n)).toBe('unknown');
  });
});

describe('formatDecimalGB (process sizes, decimal units)', () => {
  it.each([
    [50e9, '50.0 GB'],
    [13e9, '13.0 GB'],
    [1.3e9, '1.3 GB'],
    [820e6, '820 MB'],
    [999.96e6, '1.0 GB'],
    [120e9, '120 GB'],
    [5e3, '5.0 KB'],
    [12, '12 B'],
  ])('%d → %s', (n, text) => {
    expect(formatDecimalGB(n)).toBe(text);
  });

  it('is unknown for garbage', () => {
    expect(formatDecimalGB(NaN)).toBe('unknown');
  });
});

describe('rates', () => {
  it.each([
    [3.5e9, '3.5 GB/h'],
    [512 * MiB, '537 MB/h'],
  ])('growth %d → %s', (n, text) => {
    expect(formatGrowthRate(n)).toBe(text);
  });

  it.each([
    [MiB, '1 MiB/s'],
    [42.4 * MiB, '42.4 MiB/s'],
    [0, '0 B/s'],
    [NaN, 'unknown'],
  ])('paging %d → %s', (n, text) => {
    expect(formatRate(n)).toBe(text);
  });
});

describe('formatDuration (truncated like ps etime)', () => {
  it.each([
    [0, '0 ms'],
    [0.2, '200 ms'],
    [2.5, '2.5 s'],
    [10, '10 s'],
    [41.9, '41 s'],
    [90, '1 min 30 s'],
    [300, '5 min'],
    [28 * 60 + 59, '28 min'],
    [3600, '1 h'],
    [2 * 3600 + 15 * 60 + 11, '2 h 15 min'],
    // the lock's etime 03-02:15:11
    [3 * 86400 + 2 * 3600 + 15 * 60 + 11, '3 d 2 h'],
    [4 * 86400, '4 d'],
    [-60, '-1 min'],
  ])('%d s → %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('is unknown for garbage', () => {
    expect(formatDuration(NaN)).toBe('unknown');
  });
});

describe('formatPercent (value already in percent)', () => {
  it.each([
    [368, '368%'],
    [42.4, '42%'],
    [1.26, '1.3%'],
    [5, '5%'],
    [9.96, '10%'],
    [0, '0%'],
    [-0.01, '0%'],
    [NaN, 'unknown'],
  ])('%d → %s', (p, text) => {
    expect(formatPercent(p)).toBe(text);
  });
});
