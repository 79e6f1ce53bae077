import type { MemorySample, PagingRates } from '../common/memory.js';

/**
 * Paging and swapping in bytes per second between two samples. Null when there is nothing
 * honest to say: a sample without counters, time that did not move forward, a page size that
 * changed (two different hosts or captures), or any counter that went down — a reboot or a
 * wrap, after which the difference is meaningless.
 */
export function pagingRates(prev: MemorySample, cur: MemorySample): PagingRates | null {
  const a = prev.counters;
  const b = cur.counters;
  if (!a || !b) return null;
  if (a.pageSizeBytes !== b.pageSizeBytes) return null;
  const overSeconds = (cur.at - prev.at) / 1000;
  if (!(overSeconds > 0)) return null;
  const deltas = [b.pageins - a.pageins, b.pageouts - a.pageouts, b.swapins - a.swapins, b.swapouts - a.swapouts];
  if (deltas.some((d) => !(d >= 0))) return null;
  const [pageIn, pageOut, swapIn, swapOut] = deltas.map((d) => (d * b.pageSizeBytes) / overSeconds) as [number, number, number, number];
  return {
    pageInBytesPerSec: pageIn,
    pageOutBytesPerSec: pageOut,
    swapInBytesPerSec: swapIn,
    swapOutBytesPerSec: swapOut,
    overSeconds,
  };
}
