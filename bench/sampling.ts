import type { MemorySample } from '../src/common/memory.js';
import { LiveFacts } from '../src/platform/live.js';
import { readMemory } from '../src/platform/memory.js';
import { readProcessTable } from '../src/platform/processes.js';
import { hostPlatform } from '../src/engine/create.js';
import { DEFAULT_THRESHOLDS } from '../src/engine/defaults.js';
import { pagingRates } from '../src/engine/rates.js';
import { ThiefTracker } from '../src/engine/thieves.js';
import { measure, pause, type CpuClock, type Span } from './measure.js';

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
  wardenRows: number;
  siRows: number;
  /** si calls that built a fresh process list (not its 500 ms cache). */
  siFresh: number;
  thieves: number;
}

/** Warden's sampling cycle as the engine runs it: host memory and the process table read together, paging rates, the thief tracker. */
export function wardenSampler(): () => Promise<{ rows: number; thieves: number }> {
  const facts = new LiveFacts();
  const platform = hostPlatform();
  const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
  let previous: MemorySample | null = null;
  return async () => {
    const at = Date.now();
    const [memory, table] = await Promise.all([readMemory(facts, platform, at), readProcessTable(facts, at)]);
    if (!memory.ok) throw new Error(`Warden could not read host memory: ${memory.reason}`);
    if (!table.ok) throw new Error(`Warden could not read the process table: ${table.reason}`);
    if (previous) pagingRates(previous, memory.value);
    previous = memory.value;
    tracker.update(table.value);
    return { rows: table.value.rows.length, thieves: tracker.thieves(at, memory.value).length };
  };
}

/**
 * One Warden sampling cycle (host memory, the process table, thieves) against the same facts
 * through systeminformation (mem() + processes()), interleaved cycle by cycle in one process so
 * both see the same host at the same moments. WARM_UP_CYCLES of each are not counted. The ratio
 * to the floor is measured apart (bench/floor-ratio.ts): si's garbage and its `cat` of every process
 * would land in whichever step ran next.
 */
export async function benchSampling(clock: CpuClock, cycles: number): Promise<SamplingResult> {
  const si = await import('systeminformation');
  const wardenCycle = wardenSampler();

  let lastList: unknown = null;
  let siDoneAt = -Infinity;
  const siCycle = async (): Promise<{ rows: number; fresh: boolean }> => {
    const [, processes] = await Promise.all([si.mem(), si.processes()]);
    const fresh = processes.list !== lastList;
    lastList = processes.list;
    return { rows: processes.list.length, fresh };
  };
  const spaceSi = () => pause(Math.max(0, siDoneAt + SI_SPACING_MS - performance.now()));

  for (let i = 0; i < WARM_UP_CYCLES; i++) {
    await wardenCycle();
    await spaceSi();
    await siCycle();
    siDoneAt = performance.now();
  }

  const result: SamplingResult = { warden: [], si: [], wardenRows: 0, siRows: 0, siFresh: 0, thieves: 0 };
  for (let i = 0; i < cycles; i++) {
    const w = await measure(clock, wardenCycle);
    result.warden.push(w.span);
    result.wardenRows = w.value.rows;
    result.thieves = w.value.thieves;
    await spaceSi();
    const s = await measure(clock, siCycle);
    siDoneAt = performance.now();
    result.si.push(s.span);
    result.siRows = s.value.rows;
    if (s.value.fresh) result.siFresh += 1;
  }
  return result;
}
