import type { DiskView, VolumeView } from '../common/senses.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import type { Facts } from './facts.js';

export interface VolumePath {
  path: string;
  role: VolumeView['roles'][number];
}

/** darwin keeps its swap files on their own APFS volume. */
export const DARWIN_SWAP_VOLUME = '/System/Volumes/VM';

/** The swap files of /proc/swaps (partitions cannot grow: their size is fixed, no volume to fill). */
export function parseProcSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 2 && cols[1] === 'file')
    // /proc/swaps escapes spaces in names as \040.
    .map((cols) => cols[0]!.replace(/\\040/g, ' '));
}

/** The model folders of the servers Warden knows, under `home`, then the configured ones. */
export function modelFolders(home: string, configured: readonly string[] = []): string[] {
  return [`${home}/.ollama/models`, `${home}/.lmstudio/models`, `${home}/.cache/huggingface`, ...configured];
}

/** Where swap lives on this platform: darwin's VM volume; linux's swap files from /proc/swaps. */
export async function swapPaths(facts: Facts, platform: string): Promise<string[]> {
  if (platform === 'darwin') return [DARWIN_SWAP_VOLUME];
  const swaps = await facts.readFile('/proc/swaps');
  return swaps.content ? parseProcSwaps(swaps.content) : [];
}

/**
 * statfs(2) of every path that exists, one entry per device (a model folder on the boot
 * volume is that volume), in the order asked. No path read at all is unknown, with why.
 */
export async function readVolumes(facts: Facts, paths: readonly VolumePath[]): Promise<Part<DiskView>> {
  try {
    const reads = await Promise.all(paths.map(async (p) => ({ ...p, stat: await facts.statfs(p.path) })));
    const byDev = new Map<number, VolumeView>();
    const errors: string[] = [];
    for (const { path, role, stat } of reads) {
      if (stat.error) errors.push(`${path}: ${stat.error}`);
      if (!stat.exists || stat.error || stat.totalBytes <= 0) continue;
      const volume = byDev.get(stat.dev);
      if (volume) {
        if (!volume.roles.includes(role)) volume.roles.push(role);
        if (!volume.paths.includes(path)) volume.paths.push(path);
      } else {
        byDev.set(stat.dev, { path, roles: [role], paths: [path], totalBytes: stat.totalBytes, availableBytes: stat.availableBytes });
      }
    }
    if (byDev.size === 0) return unknownPart(errors[0] ?? `none of ${paths.map((p) => p.path).join(', ')} exists`);
    return known({ volumes: [...byDev.values()] });
  } catch (error) {
    return unknownPart(errorText(error));
  }
}
