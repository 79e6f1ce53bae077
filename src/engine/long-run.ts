import { HeapTrim, fullCollection, oldGenerationBytes } from './heap-trim.js';
import { OptimizerGate, v8Flags, type OptimizerGateDeps } from './optimizer-gate.js';

/**
 * What a long-running process (`warden watch`, `warden serve`, the app) does beside its engine,
 * after each State the engine publishes: the heap trim (heap-trim.ts) and the optimizer gate
 * (optimizer-gate.ts). The one-shot commands (status, capture, replays) use neither.
 */
export function tuneLongRun(
  engine: { subscribe(listener: () => void): () => void },
  deps: { now?: () => number; gate?: OptimizerGateDeps } = {},
): { trim: HeapTrim; gate: OptimizerGate; stop: () => void } {
  const now = deps.now ?? Date.now;
  const trim = new HeapTrim({ usedBytes: oldGenerationBytes, collect: fullCollection(), now });
  const gate = new OptimizerGate(deps.gate ?? { cpuMicros: processCpuMicros, now, setFlags: v8Flags() });
  const stop = engine.subscribe(() => {
    trim.afterCycle();
    gate.afterCycle();
  });
  return { trim, gate, stop };
}

function processCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
