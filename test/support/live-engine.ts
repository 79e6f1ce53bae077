/**
 * The real engine on this host (live facts, the system clock, no data folder, no effects) for
 * the live judgement tests, and a way to wait for a state counted in engine cycles.
 */
import type { WardenConfigInput } from '../../src/common/config.js';
import type { State } from '../../src/common/state.js';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { liveHost } from '../../src/engine/create.js';
import { systemClock } from '../../src/platform/clock.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { LiveFacts } from '../../src/platform/live.js';

export function liveEngine(input: WardenConfigInput): Engine {
  const home = process.env.HOME ?? '/tmp';
  return new Engine({
    facts: new LiveFacts(),
    effects: new ReplayEffects(),
    clock: systemClock,
    platform: 'linux',
    host: liveHost(),
    home,
    config: { input, config: resolveConfig(input, home), source: 'test' },
    configPath: null,
    history: null,
    settleParts: false,
    replay: false,
    dataDir: null,
  });
}

/** Resolves with the first published state `accept` takes, and how many cycles it took. */
export function untilState(engine: Engine, accept: (state: State) => boolean, maxCycles: number): Promise<{ state: State; cycles: number }> {
  return new Promise((resolve, reject) => {
    let cycles = 0;
    const stop = engine.subscribe((state) => {
      cycles += 1;
      if (accept(state)) {
        stop();
        resolve({ state, cycles });
      } else if (cycles >= maxCycles) {
        stop();
        reject(new Error(`not seen within ${maxCycles} cycles; last state: ${state.headline}`));
      }
    });
  });
}
