import type { DiskView, VolumeView } from '../common/senses.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import type { Facts, VolumeStat } from './facts.js';

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
export async function readVolumes(facts: Facts, paths: readonly VolumePath[], statfs: (path: string) => Promise<VolumeStat> = (path) => facts.statfs(path)): Promise<Part<DiskView>> {
  try {
    const reads = await Promise.all(paths.map(async (p) => ({ ...p, stat: await statfs(p.path) })));
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

/** A path found missing (a server's model folder on a host without it) is not asked again for this long, nor /proc/swaps read again. */
export const VOLUME_PATHS_MS = 60_000;

/**
 * The disk sense across cycles: the swap files (/proc/swaps) are read once per VOLUME_PATHS_MS,
 * and a path found missing is answered as missing for as long, without a statfs; every path
 * that exists is statfs'd every cycle, so free space is as fresh as before.
 */
export class VolumeReader {
  private swaps: { at: number; paths: string[] } | null = null;
  private readonly missing = new Map<string, number>();

  async swapPaths(facts: Facts, platform: string, now: number): Promise<string[]> {
    const last = this.swaps;
    if (last && now >= last.at && now - last.at < VOLUME_PATHS_MS) return last.paths;
    const paths = await swapPaths(facts, platform);
    this.swaps = { at: now, paths };
    return paths;
  }

  read(facts: Facts, paths: readonly VolumePath[], now: number): Promise<Part<DiskView>> {
    return readVolumes(facts, paths, async (path) => {
      const since = this.missing.get(path);
      if (since !== undefined && now >= since && now - since < VOLUME_PATHS_MS) return { path, exists: false, totalBytes: 0, availableBytes: 0, dev: 0, error: null };
      const stat = await facts.statfs(path);
      if (!stat.exists && !stat.error) this.missing.set(path, now);
      else this.missing.delete(path);
      return stat;
    });
  }
}
