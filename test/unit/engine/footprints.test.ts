import { describe, expect, it } from 'vitest';
import { FootprintCache, FOOTPRINT_EVERY_MS } from '../../../src/engine/footprints.js';
import type { ProcessRow, ProcessTable } from '../../../src/common/processes.js';

const T0 = Date.UTC(2026, 4, 10, 14, 0, 0);
const GB = 1e9;

function table(at: number, rows: Array<{ pid: number; startedAt: number }>): ProcessTable {
  return {
    at,
    rows: rows.map(
      ({ pid, startedAt }): ProcessRow => ({
        pid,
        ppid: 1,
        uid: 501,
        rssBytes: 1e6,
        cpuPercent: 0,
        cpuSeconds: null,
        elapsedSeconds: Math.floor((at - startedAt) / 1000),
        startedAt,
        name: `p${pid}`,
        command: `p${pid}`,
        zombie: false,
      }),
    ),
  };
}

describe('FootprintCache', () => {
  it('applies a footprint only to the process it was read from', () => {
    const cache = new FootprintCache();
    expect(cache.due(T0)).toBe(true);
    cache.accept(new Map([[10, 30 * GB], [11, 2 * GB]]), table(T0, [{ pid: 10, startedAt: T0 - 86_400_000 }, { pid: 11, startedAt: T0 - 60_000 }]), T0);
    expect(cache.due(T0 + FOOTPRINT_EVERY_MS - 1)).toBe(false);
    expect(cache.due(T0 + FOOTPRINT_EVERY_MS)).toBe(true);
    expect(cache.due(T0 - 1)).toBe(true);

    // 10 s later: pid 11 is the same process (start time a second off, as etime gives it); pid 10 is a new one.
    const later = table(T0 + 10_000, [{ pid: 10, startedAt: T0 + 8_000 }, { pid: 11, startedAt: T0 - 61_000 }]);
    cache.apply(later);
    expect(later.rows.map((r) => r.footprintBytes)).toEqual([undefined, 2 * GB]);
    // And it stays forgotten, even if the old start time came back.
    const again = table(T0 + 15_000, [{ pid: 10, startedAt: T0 - 86_400_000 }]);
    cache.apply(again);
    expect(again.rows[0]!.footprintBytes).toBeUndefined();
  });

  it('does not trust a footprint for a pid the same cycle\'s ps did not list, nor any read without a table', () => {
    const cache = new FootprintCache();
    // top saw pid 12, which started after ps ran: no identity to bind it to.
    cache.accept(new Map([[12, 5 * GB]]), table(T0, []), T0);
    const next = table(T0 + 5_000, [{ pid: 12, startedAt: T0 - 500 }]);
    cache.apply(next);
    expect(next.rows[0]!.footprintBytes).toBeUndefined();

    cache.accept(new Map([[12, 5 * GB]]), null, T0 + 5_000);
    expect(cache.due(T0 + 10_000)).toBe(true);
    cache.apply(next);
    expect(next.rows[0]!.footprintBytes).toBeUndefined();
  });

  it('does not give a process that started during the read the footprint top may have read from the pid\'s last holder', () => {
    const cache = new FootprintCache();
    // top looked while pid 10 was still the 30 GB server; ps, a moment later, lists the small process that took the pid.
    cache.accept(new Map([[10, 30 * GB], [11, 2 * GB]]), table(T0, [{ pid: 10, startedAt: T0 }, { pid: 11, startedAt: T0 - 60_000 }]), T0);
    const same = table(T0, [{ pid: 10, startedAt: T0 }, { pid: 11, startedAt: T0 - 60_000 }]);
    cache.apply(same);
    expect(same.rows.map((r) => r.footprintBytes)).toEqual([undefined, 2 * GB]);
    // Started 1.5 s before the read: within the start-time tolerance, so not trusted either; 3 s before: trusted.
    cache.accept(new Map([[10, 30 * GB], [12, 4 * GB]]), table(T0 + 30_000, [{ pid: 10, startedAt: T0 + 28_500 }, { pid: 12, startedAt: T0 + 27_000 }]), T0 + 30_000);
    const next = table(T0 + 35_000, [{ pid: 10, startedAt: T0 + 28_500 }, { pid: 12, startedAt: T0 + 27_000 }]);
    cache.apply(next);
    expect(next.rows.map((r) => r.footprintBytes)).toEqual([undefined, 4 * GB]);
  });
});
