import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { errorText } from '../../common/result.js';
import { readFileBounded } from '../../platform/read-file.js';
import { writeFileAtomic } from '../../platform/atomic-write.js';
import { acquireWriterLock, ownStart, releaseWriterLock, type LockHolder } from '../writer-lock.js';

/**
 * The data folder the journal, the series and the snapshot share: one writer lock, one queue (an
 * append never interleaves with a rotation or a rename), one available/reason, and the two ways a
 * file is written (appended by the journal; replaced whole by writeAtomic).
 */

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a parent of the path is not a folder',
  EISDIR: 'is a folder',
  EIO: 'input/output error',
};

export function errno(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function problemText(what: string, error: unknown): string {
  const code = errno(error);
  return code ? `cannot ${what}: ${code} (${ERRNO_TEXT[code] ?? errorText(error)})` : `cannot ${what}: ${errorText(error)}`;
}

/**
 * mkdir -p that reports the kernel's reason. Node's recursive mkdir turns EROFS, ENOSPC and
 * EACCES on a missing folder into ENOENT (nodejs/node#47098), which would tell the operator the
 * folder is missing when its disk is read-only or full; a plain mkdir of the first missing
 * folder gets the true error.
 */
export async function makeDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    return;
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
    let missing = dir;
    for (let parent = path.dirname(missing); parent !== missing; parent = path.dirname(missing)) {
      if (await fs.stat(parent).then(() => true, () => false)) break;
      missing = parent;
    }
    try {
      await fs.mkdir(missing);
    } catch (plain) {
      if (errno(plain) !== 'EEXIST') throw plain;
    }
    await fs.mkdir(dir, { recursive: true });
  }
}

/** What the journal holds in memory that the folder's state must account for. */
export interface Backlog {
  /** Events waiting to be written. */
  pending: number;
  /** Oldest events let go beyond the in-memory bound. */
  dropped: number;
}

export class DataFolder {
  private state: { available: boolean; reason: string | null } = { available: true, reason: null };
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when another engine writes this folder: nothing is written here. */
  private otherWriter: LockHolder | null = null;
  private lockedBy: LockHolder | null = null;
  /** What opening found wrong (torn lines, unreadable series); never fatal. */
  readonly openProblems: string[] = [];
  /** The journal's backlog; a whole-file write clears the folder's reason only when none waits. */
  backlog: () => Backlog = () => ({ pending: 0, dropped: 0 });

  constructor(readonly dir: string, private readonly maxBytes: number) {}

  /** Rotation keeps files under maxBytes; one far bigger is not Warden's and is not read. */
  get maxReadBytes(): number {
    return Math.max(64 * 1024 * 1024, 4 * this.maxBytes);
  }

  async lock(): Promise<void> {
    const me: LockHolder = { pid: process.pid, startedAt: ownStart(), hostname: os.hostname(), token: randomUUID() };
    try {
      const outcome = await acquireWriterLock(this.dir, me);
      if (outcome.writer) this.lockedBy = me;
      else this.otherWriter = outcome.holder;
    } catch (error) {
      this.fail(`take the writer lock in ${this.dir}`, error);
    }
  }

  /** Gives the writer lock back (the engine stops). */
  async close(): Promise<void> {
    const me = this.lockedBy;
    this.lockedBy = null;
    if (me) await this.serial(() => releaseWriterLock(this.dir, me)).catch(() => undefined);
  }

  /** Another engine writes this folder; this one only reads it. */
  get readOnly(): boolean {
    return this.otherWriter !== null;
  }

  /** The folder could be written at the last try (whether every file could be read is the journal's). */
  get writable(): boolean {
    return this.state.available;
  }

  get writeProblem(): string | null {
    return this.state.reason;
  }

  /** Why this engine writes nothing here, or null while it owns the folder. */
  get otherWriterReason(): string | null {
    const other = this.otherWriter;
    if (!other) return null;
    const since = new Date(other.startedAt).toISOString().replace('T', ' ').slice(0, 16);
    return `read-only: another Warden (PID ${other.pid}, started ${since} UTC) writes ${this.dir}; this one records no incidents`;
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** Operations run one at a time, in order: an append never interleaves with a rotation. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  fail(what: string, error: unknown): void {
    const { dropped: count } = this.backlog();
    const dropped = count > 0 ? `; ${count} oldest events not kept` : '';
    this.state = { available: false, reason: problemText(what, error) + dropped };
  }

  ok(): void {
    this.state = { available: true, reason: null };
  }

  /** Creates the folder; false (with the reason kept) when it cannot be. */
  async create(): Promise<boolean> {
    try {
      await makeDir(this.dir);
      return true;
    } catch (error) {
      this.fail(`create ${this.dir}`, error);
      return false;
    }
  }

  /** undefined when absent or unreadable (the problem is noted); JSON otherwise. */
  async readJson(name: string): Promise<unknown> {
    const read = await readFileBounded(this.file(name), { maxBytes: this.maxReadBytes, refuseOver: this.maxReadBytes });
    if (read.content === null) {
      if (read.code !== 'ENOENT') this.openProblems.push(`${name} ${read.error ?? 'could not be read'}`);
      return undefined;
    }
    const text = read.content;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.openProblems.push(`${name}: not JSON; ignored`);
      return undefined;
    }
  }

  /** Write a temporary file, sync it (unless told not to), rename it over: a crash leaves the old file or the new one. */
  async writeAtomic(name: string, text: string, sync = true): Promise<void> {
    const target = this.file(name);
    try {
      await makeDir(this.dir);
      await writeFileAtomic(target, text, { sync });
      if (this.backlog().pending === 0) this.ok();
    } catch (error) {
      this.fail(`write ${target}`, error);
    }
  }
}
