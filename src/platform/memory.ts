import type { MemorySample } from '../common/memory.js';
import { unknownPart, type Part } from '../common/result.js';
import type { Facts } from './facts.js';
import { readDarwinMemory } from './darwin/memory.js';
import { readLinuxMemory } from './linux/memory.js';

/**
 * Host memory for the platform the facts come from. The platform is passed in, not read from
 * process.platform, because a replayed capture from a Mac is read on Linux.
 */
export function readMemory(facts: Facts, platform: string, at: number): Promise<Part<MemorySample>> {
  if (platform === 'darwin') return readDarwinMemory(facts, at);
  if (platform === 'linux') return readLinuxMemory(facts, at);
  return Promise.resolve(unknownPart(`host memory: no reader for platform "${platform}" (darwin and linux only)`));
}
