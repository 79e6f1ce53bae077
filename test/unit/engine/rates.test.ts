import { describe, expect, it } from 'vitest';
import type { MemorySample, PagingCounters } from '../../../src/common/memory.js';
import { pagingRates } from '../../../src/engine/rates.js';

function sample(at: number, counters: PagingCounters | null): MemorySample {
  return {
    at,
    platform: 'darwin',
    totalBytes: 48 * 1024 ** 3,
    freeBytes: 0,
    availableBytes: 0,
    compressedBytes: null,
    wiredBytes: null,
    swapTotalBytes: 0,
    swapUsedBytes: 0,
    pressure: null,
    pressureSource: 'test',
    freePercent: null,
    counters,
  };
}

const base: PagingCounters = { pageSizeBytes: 16384, pageins: 1000, pageouts: 2000, swapins: 3000, swapouts: 4000 };

describe('pagingRates', () => {
  it('turns counter deltas into bytes per second', () => {
    const later = { ...base, pageins: 1100, pageouts: 2000, swapins: 3010, swapouts: 4640 };
    expect(pagingRates(sample(10_000, base), sample(15_000, later))).toEqual({
      pageInBytesPerSec: (100 * 16384) / 5,
      pageOutBytesPerSec: 0,
      swapInBytesPerSec: (10 * 16384) / 5,
      swapOutBytesPerSec: (640 * 16384) / 5,
      overSeconds: 5,
    });
  });

  it('uses the real MTE counters between two samples 2 s apart', () => {
    const a = { pageSizeBytes: 16384, pageins: 7585826717, pageouts: 11024500, swapins: 43935576, swapouts: 77401851 };
    const b = { ...a, swapouts: a.swapouts + 1000 };
    expect(pagingRates(sample(0, a), sample(2000, b))?.swapOutBytesPerSec).toBe(8192000);
  });

  it('is null without counters on either side', () => {
    expect(pagingRates(sample(0, null), sample(1000, base))).toBeNull();
    expect(pagingRates(sample(0, base), sample(1000, null))).toBeNull();
  });

  it('is null when time did not move forward', () => {
    expect(pagingRates(sample(1000, base), sample(1000, base))).toBeNull();
    expect(pagingRates(sample(2000, base), sample(1000, base))).toBeNull();
  });

  it.each(['pageins', 'pageouts', 'swapins', 'swapouts'] as const)('is null when %s went down (reboot or wrap)', (key) => {
    expect(pagingRates(sample(0, base), sample(1000, { ...base, [key]: base[key] - 1 }))).toBeNull();
  });

  it('is null when the page size changed between samples', () => {
    expect(pagingRates(sample(0, base), sample(1000, { ...base, pageSizeBytes: 4096 }))).toBeNull();
  });

  it('handles fractional linux page counts exactly', () => {
    const a = { pageSizeBytes: 4096, pageins: 1253381 / 4, pageouts: 0, swapins: 0, swapouts: 0 };
    const b = { ...a, pageins: (1253381 + 1024) / 4 };
    expect(pagingRates(sample(0, a), sample(1000, b))?.pageInBytesPerSec).toBe(1024 * 1024);
  });
});
