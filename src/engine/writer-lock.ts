import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../platform/runner.js';
import { parseEtime } from '../platform/etime.js';

/**
 * One engine writes a data folder. The writer holds `writer.lock`: its pid and when that process
 * started. A second engine (`watch` beside `watch --notify`, or beside the app) finds the holder
 * alive and the same process (its start time matches), and runs read-only. A lock whose pid is
 * gone, or was reused by another process, is stale and taken over.
 */

export const WRITER_LOCK = 'writer.lock';
/** Start times are compared to this much: ps prints whole seconds. */
const SAME_START_MS = 2_000;
const PS_DEADLINE_MS = 3_000;

export interface LockHolder {
  pid: number;
  /** Epoch ms the holding process started. */
  startedAt: number;
  hostname?: string;
  /** Tells two engines in one process apart (tests, an app window's second engine). */
  token?: string;
}

export type LockOutcome = { writer: true } | { writer: false; holder: LockHolder };

/** When this process started, epoch ms. */
export function ownStart(): number {
  return Math.round(performance.timeOrigin);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When `pid` started, epoch ms, from /proc (Linux) or ps (macOS); null when it cannot be told. */
async function startOf(pid: number): Promise<number | null> {
  if (process.platform === 'linux') {
    try {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[19]);
      const btime = /^btime (\d+)$/m.exec(await fs.readFile('/proc/stat', 'utf8'));
      // USER_HZ is 100 on every Linux Node runs on.
      return btime && Number.isFinite(ticks) ? Number(btime[1]) * 1000 + (ticks / 100) * 1000 : null;
    } catch {
      return null;
    }
  }
  // ps prints lstart in the local zone; etimes-style elapsed seconds need no zone at all.
  const result = await runCommand(['ps', '-o', 'etime=', '-p', String(pid)], { timeoutMs: PS_DEADLINE_MS });
  if (result.exitCode !== 0) return null;
  try {
    return Date.now() - parseEtime(result.stdout) * 1000;
  } catch {
    return null;
  }
}

/** The holder still runs: its pid is alive and started when the lock says (or its start cannot be read). */
async function holds(holder: LockHolder): Promise<boolean> {
  if (!alive(holder.pid)) return false;
  const start = await startOf(holder.pid);
  return start === null || Math.abs(start - holder.startedAt) <= SAME_START_MS;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return Number.isInteger(v.pid) && (v.pid as number) > 0 && typeof v.startedAt === 'number' ? (v as LockHolder) : null;
  } catch {
    return null;
  }
}

/** Takes the folder's writer lock, or says who holds it. Throws only what the folder itself throws (EACCES, EROFS). */
export async function acquireWriterLock(dir: string, me: LockHolder): Promise<LockOutcome> {
  const file = path.join(dir, WRITER_LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx', mode: 0o600 });
      return { writer: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = parseHolder(await fs.readFile(file, 'utf8').catch(() => ''));
    if (holder && sameHolder(holder, me)) return { writer: true };
    if (holder && (await holds(holder))) return { writer: false, holder };
    // Stale (its process is gone or was replaced), or torn: take it over. Two engines that both
    // see it stale race on the exclusive create above; one wins, the other reads the winner.
    await fs.rm(file, { force: true });
  }
  const holder = parseHolder(await fs.readFile(file, 'utf8').catch(() => ''));
  return holder ? { writer: false, holder } : { writer: true };
}

/** Removes the lock if this process holds it. */
export async function releaseWriterLock(dir: string, me: LockHolder): Promise<void> {
  const file = path.join(dir, WRITER_LOCK);
  const holder = parseHolder(await fs.readFile(file, 'utf8').catch(() => ''));
  if (holder && sameHolder(holder, me)) await fs.rm(file, { force: true });
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.startedAt === b.startedAt && a.token === b.token;
}
