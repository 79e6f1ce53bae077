/**
 * The growth bar is the one the operator reads: process sizes and rates are shown in decimal GB
 * (GB/h, and the settings' "Growth: at least … GB/h"), so the default is 0.5 GB/h, not 512 MiB/h
 * (0.537 GB/h), which let a 0.52 GB/h leak pass unseen (a generated day found it).
 */
import { describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../../src/common/processes.js';
import type { MemorySample } from '../../../src/common/memory.js';
import { ThiefTracker } from '../../../src/engine/thieves.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';

const T0 = Date.UTC(2026, 5, 2, 9, 0, 0);
const MIN = 60_000;

function leakAfter(bytesPerHour: number, minutes: number): ThiefTracker {
  const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
  const startedAt = T0 - 3 * 3_600_000;
  for (let m = 0; m <= minutes; m++) {
    const at = T0 + m * MIN;
    const row: ProcessRow = {
      pid: 6120,
      ppid: 1,
      uid: 501,
      rssBytes: Math.round(1.3e9 + (bytesPerHour * m) / 60),
      cpuPercent: 40,
      cpuSeconds: (at - startedAt) / 2500,
      elapsedSeconds: (at - startedAt) / 1000,
      startedAt,
      name: 'python3',
      command: '/usr/bin/python3 -m jobs.embed',
      zombie: false,
    };
    tracker.update({ at, rows: [row], skipped: 0 });
  }
  return tracker;
}

const memory: MemorySample = {
  at: T0 + 30 * MIN,
  platform: 'linux',
  totalBytes: 64 * 2 ** 30,
  freeBytes: 20e9,
  availableBytes: 40e9,
  compressedBytes: 0,
  wiredBytes: null,
  swapTotalBytes: 0,
  swapUsedBytes: 0,
  pressure: 'normal',
  pressureSource: 'test',
  freePercent: null,
  counters: null,
};

describe('the default growth bar', () => {
  it('is 0.5 GB/h as shown: a 0.52 GB/h leak over 30 min is found with its rate', () => {
    const growth = leakAfter(0.52e9, 30).thieves(T0 + 30 * MIN, memory).find((t) => t.pid === 6120)?.growth;
    expect(growth?.bytesPerHour).toBeCloseTo(0.52e9, -6);
  });

  it('a 0.45 GB/h growth stays under it', () => {
    expect(leakAfter(0.45e9, 30).thieves(T0 + 30 * MIN, memory).find((t) => t.pid === 6120)?.growth ?? null).toBeNull();
  });
});
