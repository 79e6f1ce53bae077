import type { ThermalView } from '../common/senses.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import { commandProblem, type Facts } from './facts.js';
import { PMSET_THERM_ARGV, parsePmsetTherm } from './darwin/pmset.js';
import { LinuxThermalReader, readLinuxThermal, type LinuxThermalRoots } from './linux/thermal.js';

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

/** readThermal across cycles: on Linux the sysfs layout is kept between reads (LinuxThermalReader); elsewhere each read is whole. */
export class ThermalReader {
  private readonly linux: LinuxThermalReader;

  constructor(options: LinuxThermalRoots = {}) {
    this.linux = new LinuxThermalReader(options);
  }

  async read(facts: Facts, platform: string, now: number): Promise<Part<ThermalView>> {
    if (platform !== 'linux') return readThermal(facts, platform);
    try {
      return await this.linux.read(facts, now);
    } catch (error) {
      return unknownPart(errorText(error));
    }
  }
}
