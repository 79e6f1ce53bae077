import type { MemorySample } from '../src/common/memory.js';
import { LiveFacts } from '../src/platform/live.js';
import { readMemory } from '../src/platform/memory.js';
import { readProcessTable } from '../src/platform/processes.js';
import { hostPlatform } from '../src/engine/create.js';
import { DEFAULT_THRESHOLDS } from '../src/engine/defaults.js';
import { pagingRates } from '../src/engine/rates.js';
import { ThiefTracker } from '../src/engine/thieves.js';
import { measure, pause, type CpuClock, type Span } from './measure.js';
import { FloorWalker } from './floor.js';

/** systeminformation's processes() answers from its last result when called again within 500 ms. */
const SI_CACHE_MS = 500;
/** How long after the previous si call finished the next one starts; the margin covers timer slack. */
export const SI_SPACING_MS = SI_CACHE_MS + 50;
/**
 * Cycles of each run before any is counted: the first ones compile (a fresh process's first
 * cycle costs several times a steady one, and one compile landing in a 20-cycle run moved its
 * mean by a third), which a long-running process pays once, not every 5 s.
 */
export const WARM_UP_CYCLES = 8;

export interface SamplingResult {
  warden: Span[];
  si: Span[];
  /** Linux: the floor's walk (bench/floor.ts), measured the same way in the same loop; empty elsewhere. */
  floor: Span[];
  floorRows: number;
  wardenRows: number;
  siRows: number;
  /** si calls that built a fresh process list (not its 500 ms cache). */
  siFresh: number;
  thieves: number;
}

/**
 * One Warden sampling cycle (host memory, the process table, thieves) against the same facts
 * through systeminformation (mem() + processes()), interleaved cycle by cycle in one process so
 * both see the same host at the same moments. On Linux the floor's walk runs in the same loop,
 * measured by the same clock beside Warden's cycle (each first in turn), so the ratio to it compares the same
 * moments and the same work (the static facts cached alike). WARM_UP_CYCLES of each are not counted.
 */
export async function benchSampling(clock: CpuClock, cycles: number): Promise<SamplingResult> {
  const si = await import('systeminformation');
  const facts = new LiveFacts();
  const platform = hostPlatform();
  const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
  let previous: MemorySample | null = null;

  const wardenCycle = async (): Promise<{ rows: number; thieves: number }> => {
    const at = Date.now();
    const [memory, table] = await Promise.all([readMemory(facts, platform, at), readProcessTable(facts, at)]);
    if (!memory.ok) throw new Error(`Warden could not read host memory: ${memory.reason}`);
    if (!table.ok) throw new Error(`Warden could not read the process table: ${table.reason}`);
    if (previous) pagingRates(previous, memory.value);
    previous = memory.value;
    tracker.update(table.value);
    return { rows: table.value.rows.length, thieves: tracker.thieves(at, memory.value).length };
  };

  let lastList: unknown = null;
  let siDoneAt = -Infinity;
  const siCycle = async (): Promise<{ rows: number; fresh: boolean }> => {
    const [, processes] = await Promise.all([si.mem(), si.processes()]);
    const fresh = processes.list !== lastList;
    lastList = processes.list;
    return { rows: processes.list.length, fresh };
  };
  const spaceSi = () => pause(Math.max(0, siDoneAt + SI_SPACING_MS - performance.now()));

  const floor = process.platform === 'linux' ? new FloorWalker() : null;
  for (let i = 0; i < WARM_UP_CYCLES; i++) {
    await wardenCycle();
    floor?.walk();
    await spaceSi();
    await siCycle();
    siDoneAt = performance.now();
  }

  const result: SamplingResult = { warden: [], si: [], floor: [], floorRows: 0, wardenRows: 0, siRows: 0, siFresh: 0, thieves: 0 };
  const floorWalk = async () => {
    if (!floor) return;
    const f = await measure(clock, async () => floor.walk());
    result.floor.push(f.span);
    result.floorRows = f.value;
  };
  for (let i = 0; i < cycles; i++) {
    // Turn about, so neither always runs first after si (its garbage, its cold caches).
    if (i % 2 === 1) await floorWalk();
    const w = await measure(clock, wardenCycle);
    result.warden.push(w.span);
    result.wardenRows = w.value.rows;
    result.thieves = w.value.thieves;
    if (i % 2 === 0) await floorWalk();
    await spaceSi();
    const s = await measure(clock, siCycle);
    siDoneAt = performance.now();
    result.si.push(s.span);
    result.siRows = s.value.rows;
    if (s.value.fresh) result.siFresh += 1;
  }
  return result;
}
