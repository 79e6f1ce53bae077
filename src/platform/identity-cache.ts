import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostIdentity } from '../common/host-identity.js';
import { known, type Part } from '../common/result.js';
import { readFileBounded } from './read-file.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * The host's identity kept between runs: what systeminformation says about the OS, model, chip
 * and memory cannot change without a reboot, and reading it costs some 50 processes on Linux
 * (lspci, dmidecode, lscpu, xrandr…) and system_profiler on macOS: about 0.25 s of CPU, most of
 * what a one-shot `warden status` spends. A process's first read takes the kept one when it
 * was read on this machine since this boot; every later read (after a wake) reads afresh, and
 * every fresh read is kept.
 */
export const IDENTITY_CACHE_FILE = 'host-identity.json';
const CACHE_VERSION = 1;
const MAX_CACHE_BYTES = 16 * 1024;
/** Boot times worked out from the uptime drift by a second or so between two processes. */
const BOOT_TOLERANCE_SECONDS = 5;

/** What must match for a kept identity to be this host's, this boot. */
export interface BootKey {
  hostname: string;
  kernel: string;
  cpus: number;
  memoryBytes: number;
  /** Linux: /proc/sys/kernel/random/boot_id; null where there is none (darwin). */
  bootId: string | null;
  /** Seconds since the epoch, from the uptime. */
  bootedAt: number;
}

export function bootKeyNow(now = Date.now()): BootKey {
  let bootId: string | null = null;
  if (process.platform === 'linux') {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
    } catch {
      // no boot id (a restricted /proc): the boot time alone
    }
  }
  return { hostname: os.hostname(), kernel: os.release(), cpus: os.cpus().length, memoryBytes: os.totalmem(), bootId, bootedAt: Math.round(now / 1000 - os.uptime()) };
}

/** Whether a kept key is this boot of this machine. */
export function sameBoot(kept: BootKey, now: BootKey): boolean {
  if (kept.hostname !== now.hostname || kept.kernel !== now.kernel || kept.cpus !== now.cpus || kept.memoryBytes !== now.memoryBytes) return false;
  if (kept.bootId !== null || now.bootId !== null) return kept.bootId === now.bootId;
  return Math.abs(kept.bootedAt - now.bootedAt) <= BOOT_TOLERANCE_SECONDS;
}

/**
 * A reader of the identity that answers its first call from the kept file when that is this
 * boot's, and otherwise (and on every later call) reads through `read` and keeps what it got.
 * The file is a cache: one unreadable, malformed or from another boot is read past, and one
 * that cannot be written is not kept, without a word.
 */
export function cachedIdentityReader(file: string, read: () => Promise<Part<HostIdentity>>, key: () => BootKey = () => bootKeyNow()): () => Promise<Part<HostIdentity>> {
  let first = true;
  return async () => {
    const boot = key();
    if (first) {
      first = false;
      const kept = await loadKept(file, boot);
      if (kept) return known(kept);
    }
    const part = await read();
    if (part.ok) await keep(file, boot, part.value);
    return part;
  };
}

async function loadKept(file: string, boot: BootKey): Promise<HostIdentity | null> {
  const read = await readFileBounded(file, { maxBytes: MAX_CACHE_BYTES, refuseOver: MAX_CACHE_BYTES, timeoutMs: 1_000 });
  if (!read.content) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(read.content);
  } catch {
    return null;
  }
  if (!isRecord(doc) || doc['version'] !== CACHE_VERSION) return null;
  const key = bootKeyOf(doc['boot']);
  const identity = identityOf(doc['identity']);
  return key && identity && sameBoot(key, boot) ? identity : null;
}

async function keep(file: string, boot: BootKey, identity: HostIdentity): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, JSON.stringify({ version: CACHE_VERSION, boot, identity }), { mode: 0o600 });
  } catch {
    // a cache: not kept this time
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const countOrNull = (v: unknown): v is number | null => v === null || isCount(v);
const textOrNull = (v: unknown, max: number): v is string | null => v === null || isText(v, max);

function bootKeyOf(v: unknown): BootKey | null {
  if (!isRecord(v)) return null;
  const { hostname, kernel, cpus, memoryBytes, bootId, bootedAt } = v;
  if (!isText(hostname, 255) || !isText(kernel, 255) || !isCount(cpus) || !isCount(memoryBytes) || !textOrNull(bootId, 64) || !isCount(bootedAt)) return null;
  return { hostname, kernel, cpus, memoryBytes, bootId, bootedAt };
}

/** The kept identity, field by field as HostIdentity has it; null for anything else. */
function identityOf(v: unknown): HostIdentity | null {
  if (!isRecord(v) || !isRecord(v['cores'])) return null;
  const { os: osName, model, chip, memoryBytes, gpus, summary } = v;
  const { logical, physical, performance, efficiency } = v['cores'];
  if (!isText(osName, 200) || !textOrNull(model, 200) || !textOrNull(chip, 200) || !isCount(memoryBytes) || !isText(summary, 500)) return null;
  if (!isCount(logical) || !countOrNull(physical) || !countOrNull(performance) || !countOrNull(efficiency)) return null;
  if (!Array.isArray(gpus) || gpus.length > 16 || !gpus.every((g) => isText(g, 200))) return null;
  return { os: osName, model, chip, cores: { logical, physical, performance, efficiency }, memoryBytes, gpus: gpus as string[], summary };
}
