import { FloorWalker } from './floor.js';
import { mean, pause, trimmedMean, type CpuClock } from './measure.js';
import { wardenSampler } from './sampling.js';

/**
 * How long each step is followed by idle time counted in its CPU: what a step leaves behind (a
 * scavenge, the marking threads, a background compile) lands in its own span, not the next one's,
 * and both sides start each step as a long-running process does, from idle.
 */
export const SETTLE_AFTER_MS = 100;
/**
 * The steps of the first seconds are not counted. A fresh process compiles its hot functions,
 * and V8's memory reducer runs up to three full collections some 8 s after the allocation rate
 * drops (20 ms each, measured with --trace-gc): a long-running process pays those once, at start.
 */
export const WARM_UP_MS = 15_000;
/** The share of spans dropped at each end of a side's sorted CPU figures before the mean. */
export const TRIM_SHARE = 0.1;

export interface FloorRatioResult {
  /** CPU per step in ms, each including SETTLE_AFTER_MS of idle after it. */
  wardenMs: number[];
  floorMs: number[];
  /** The settle alone (an empty step): its cost is in both sides and taken out of both. */
  idleMs: number[];
  rows: number;
  floorRows: number;
}

/**
 * Warden's sampling cycle against the floor (bench/floor.ts: the same reads, nothing judged),
 * in one loop by one clock: each turn runs a Warden cycle, a floor walk and an empty step, in
 * turn-about order, each followed by SETTLE_AFTER_MS of idle. Nothing else runs in the loop.
 */
export async function benchFloorRatio(clock: CpuClock, turns: number): Promise<FloorRatioResult> {
  const wardenCycle = wardenSampler();
  const floor = new FloorWalker();
  const result: FloorRatioResult = { wardenMs: [], floorMs: [], idleMs: [], rows: 0, floorRows: 0 };
  const cpuOf = async (work: () => unknown): Promise<number> => {
    const before = clock.read();
    await work();
    await pause(SETTLE_AFTER_MS);
    const after = clock.read();
    return after.selfMs - before.selfMs + (after.childMs - before.childMs);
  };
  const steps: readonly [number[], () => unknown][] = [
    [result.wardenMs, async () => (result.rows = (await wardenCycle()).rows)],
    [result.floorMs, () => (result.floorRows = floor.walk())],
    [result.idleMs, () => undefined],
  ];
  const warmUpEnds = performance.now() + WARM_UP_MS;
  for (let turn = 0, counted = 0; counted < turns; turn++) {
    const counting = performance.now() >= warmUpEnds;
    for (const [spans, work] of turn % 2 === 0 ? steps : [...steps].reverse()) {
      const cpuMs = await cpuOf(work);
      if (counting) spans.push(cpuMs);
    }
    if (counting) counted += 1;
  }
  return result;
}

export interface FloorFigures {
  /** Per step, trimmed means, the idle step taken out: what the gate reads. */
  wardenNetMs: number;
  floorNetMs: number;
  idleMs: number;
  /** wardenNetMs / floorNetMs. */
  ratio: number;
  /** The same ratio by plain means, reported beside it. */
  plainRatio: number;
}

/** Warden's CPU over the floor's, the idle settle taken out of both: by trimmed means (the gate's), and by plain means. */
export function floorFigures(result: FloorRatioResult): FloorFigures {
  const trimmed = (xs: readonly number[]) => trimmedMean(xs, TRIM_SHARE);
  const idleMs = trimmed(result.idleMs);
  const wardenNetMs = trimmed(result.wardenMs) - idleMs;
  const floorNetMs = trimmed(result.floorMs) - idleMs;
  const plainIdle = mean(result.idleMs);
  return { wardenNetMs, floorNetMs, idleMs, ratio: wardenNetMs / floorNetMs, plainRatio: (mean(result.wardenMs) - plainIdle) / (mean(result.floorMs) - plainIdle) };
}
