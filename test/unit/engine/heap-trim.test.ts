import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { HeapTrim, TRIM_MIN_GROWTH_BYTES, TRIM_MIN_SPACING_MS, fullCollection, oldGenerationBytes } from '../../../src/engine/heap-trim.js';

const MIB = 1024 * 1024;

/** A heap that grows as told and shrinks to `live` when collected. */
function fakeHeap(live: number) {
  const heap = { used: live, now: 0, collected: 0 };
  const trim = new HeapTrim({
    usedBytes: () => heap.used,
    collect: () => {
      heap.collected += 1;
      heap.used = live;
    },
    now: () => heap.now,
  });
  return { heap, trim };
}

describe('HeapTrim', () => {
  it('collects only once the heap has grown past the bar, then measures from what the collection left', () => {
    const { heap, trim } = fakeHeap(10 * MIB);
    expect(trim.afterCycle()).toBe(false);
    heap.used += 0.9 * MIB;
    heap.now = 10 * 60_000;
    expect(trim.afterCycle()).toBe(false);
    heap.used += 0.2 * MIB;
    expect(trim.afterCycle()).toBe(true);
    expect(heap.collected).toBe(1);
    expect(heap.used).toBe(10 * MIB);
    heap.used += 0.5 * MIB;
    heap.now += TRIM_MIN_SPACING_MS;
    expect(trim.afterCycle()).toBe(false);
    expect(trim.collections).toBe(1);
  });

  it('a big heap waits for a tenth of itself; a small one for 1 MiB', () => {
    const big = fakeHeap(100 * MIB);
    big.trim.afterCycle();
    big.heap.now = 10 * 60_000;
    big.heap.used += 5 * MIB;
    expect(big.trim.afterCycle()).toBe(false);
    big.heap.used += 6 * MIB;
    expect(big.trim.afterCycle()).toBe(true);
    const small = fakeHeap(2 * MIB);
    small.trim.afterCycle();
    small.heap.now = 10 * 60_000;
    small.heap.used += TRIM_MIN_GROWTH_BYTES - 1;
    expect(small.trim.afterCycle()).toBe(false);
  });

  it('never collects twice within the spacing, however fast the heap grows', () => {
    const { heap, trim } = fakeHeap(10 * MIB);
    trim.afterCycle();
    heap.now = 60_000;
    const ran: number[] = [];
    for (let s = 0; s < 600; s += 5) {
      heap.now += 5_000;
      heap.used += 2 * MIB;
      if (trim.afterCycle()) ran.push(heap.now);
    }
    expect(ran.length).toBe(10);
    for (let i = 1; i < ran.length; i++) expect(ran[i]! - ran[i - 1]!).toBeGreaterThanOrEqual(TRIM_MIN_SPACING_MS);
  });

  it("follows V8's own collections down: growth counts from the least heap seen", () => {
    const { heap, trim } = fakeHeap(10 * MIB);
    heap.used = 14 * MIB;
    trim.afterCycle();
    heap.used = 9 * MIB;
    heap.now = 10 * 60_000;
    trim.afterCycle();
    heap.used = 10.5 * MIB;
    expect(trim.afterCycle()).toBe(true);
  });

  it('without a collector it does nothing and says so', () => {
    const trim = new HeapTrim({ usedBytes: () => 1e9, collect: null, now: () => 1e12 });
    expect(trim.available).toBe(false);
    expect(trim.afterCycle()).toBe(false);
  });
});

describe('fullCollection, in this runtime', () => {
  it('gives a real full collection without leaving gc on the global or the flag set', () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    const collect = fullCollection();
    expect(collect).toBeTypeOf('function');
    if (!hadGc) expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    // Objects a full collection has moved to the old generation, then dropped: only a full collection takes them back.
    const holder: { objects: unknown[] | null } = { objects: Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` })) };
    collect!();
    holder.objects = null;
    const before = v8.getHeapStatistics().used_heap_size;
    collect!();
    expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(before - 5 * MIB);
  });

  it('counts the old generation only: what outlived the scavenges, part of the heap', () => {
    const old = oldGenerationBytes();
    expect(old).toBeGreaterThan(0);
    expect(old).toBeLessThan(v8.getHeapStatistics().used_heap_size);
  });

});
