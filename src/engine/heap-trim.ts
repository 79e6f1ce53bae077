import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A long-running Warden (watch, serve, the app) collects its heap in full once the old
 * generation has grown past what the last full collection left. Left to itself V8 lets a small,
 * steady heap fill with objects that lived a few cycles (promoted by the scavenges, then dead)
 * for about half an hour before a full collection, as its limit grows with the heap; the
 * process's RSS climbs about 1 MiB every 100 s, and an operator sees a monitor that leaks. With
 * this the old generation stays within TRIM_MIN_GROWTH_BYTES (or TRIM_GROWTH_SHARE) of its live
 * set. The young generation is not counted: scavenges empty it every 20 s or so, and counting it
 * made a collection run every minute (measured: +0.05 % of a core for a full collection a minute,
 * about 30 ms of CPU each, the marking threads and the recompiles after it included).
 */

/** Grown this far past the old generation the last full collection left, the process collects... */
export const TRIM_MIN_GROWTH_BYTES = 1024 * 1024;
/** ...or this share of it, for a big heap. */
export const TRIM_GROWTH_SHARE = 0.1;
/** And never more often than this, whatever the process allocates. */
export const TRIM_MIN_SPACING_MS = 60_000;

export interface HeapTrimDeps {
  /** Bytes in use in the old generation now (V8's count, no system call). */
  usedBytes(): number;
  /** A full, synchronous collection; null where the runtime offers none (nothing is ever collected). */
  collect: (() => void) | null;
  now(): number;
}

export class HeapTrim {
  /** The least old generation seen since the last collection: what a collection would leave, about. */
  private baseline: number | null = null;
  private lastAt = -Infinity;
  collections = 0;

  constructor(private readonly deps: HeapTrimDeps) {}

  get available(): boolean {
    return this.deps.collect !== null;
  }

  /** After a cycle has published: a full collection when the heap has grown past its bar. True when one ran. */
  afterCycle(): boolean {
    const collect = this.deps.collect;
    if (!collect) return false;
    const used = this.deps.usedBytes();
    // V8's own collections lower the baseline too.
    if (this.baseline === null || used < this.baseline) this.baseline = used;
    const now = this.deps.now();
    if (used - this.baseline < Math.max(TRIM_MIN_GROWTH_BYTES, this.baseline * TRIM_GROWTH_SHARE) || now - this.lastAt < TRIM_MIN_SPACING_MS) return false;
    collect();
    this.collections += 1;
    this.lastAt = now;
    this.baseline = this.deps.usedBytes();
    return true;
  }
}

/**
 * V8's full collection as a function, without `node --expose-gc` (the CLI and the app start as
 * they are): the flag is set for a moment, a fresh context made (the gc function lives on its
 * global, never on this one's), and the flag cleared. Jest's leak detector does the same. The
 * context holds about 300 KiB. Null when the runtime refuses.
 */
export function fullCollection(): (() => void) | null {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return () => (existing as () => void)();
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** V8's old space in use (where objects that outlived two scavenges wait for a full collection). */
export function oldGenerationBytes(): number {
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name === 'old_space') return space.space_used_size;
  return v8.getHeapStatistics().used_heap_size;
}
