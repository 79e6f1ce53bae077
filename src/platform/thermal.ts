import type { ThermalView } from '../common/senses.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import { commandProblem, type Facts } from './facts.js';
import { PMSET_THERM_ARGV, parsePmsetTherm } from './darwin/pmset.js';
import { readLinuxThermal, type LinuxThermalRoots } from './linux/thermal.js';

export const PMSET_TIMEOUT_MS = 3_000;

/** Throttling for the platform the facts come from (a Mac's capture replays on Linux). */
export async function readThermal(facts: Facts, platform: string, options: LinuxThermalRoots = {}): Promise<Part<ThermalView>> {
  try {
    if (platform === 'darwin') {
      const result = await facts.run(PMSET_THERM_ARGV, { timeoutMs: PMSET_TIMEOUT_MS, maxBytes: 64 * 1024 });
      const problem = commandProblem(result);
      if (problem) return unknownPart(problem);
      const view = parsePmsetTherm(result.stdout);
      return view ? known(view) : unknownPart(`pmset -g therm printed nothing Warden recognises (${JSON.stringify(result.stdout.trim().slice(0, 80))})`);
    }
    if (platform === 'linux') return await readLinuxThermal(facts, options);
    return unknownPart(`no thermal reader for platform "${platform}"`);
  } catch (error) {
    return unknownPart(errorText(error));
  }
}
