import type { Thresholds, WatchedFileConfig } from '../common/config.js';
import { ReadSchedule } from './read-schedule.js';
import type { ProcessRow, ProcessTable } from '../common/processes.js';
import type { Part } from '../common/result.js';
import { errorText } from '../common/result.js';
import type { LockHolder, LockView } from '../common/services.js';
import type { UnknownPart } from '../common/state.js';
import type { Facts } from '../platform/facts.js';
import { readFileHolders, type FileHolderRef } from '../platform/file-holders.js';
import { readLockHolders } from '../platform/linux/locks.js';
import { parseDuckDbLockError } from '../platform/duckdb.js';
import { START_TOLERANCE_MS } from './actions/guard.js';
import { releaseOffer } from './actions/release-offers.js';
import type { Monitor } from './monitors.js';

export interface LockMonitorOptions {
  platform: 'darwin' | 'linux';
  /** Warden's uid: Release is offered only for its own user's processes (the guard checks again). */
  uid?: number;
  thresholds: Thresholds;
}

/** lsof on a busy Mac is not cheap; holders are read this often at most. */
export const LOCK_READ_EVERY_SECONDS = 15;

/** What the release action needs: the view as shown and the one holder it would signal. */
export interface LockTarget {
  view: LockView;
  holder: LockHolder | null;
}

/** A reader's error is evidence for this long, or until its holder is gone. */
const READER_ERROR_TTL_MS = 60 * 60_000;
const HELD_NOTE = 'held time is the holder process age: Warden cannot see when the lock itself was taken';
const DARWIN_NOTE = 'macOS cannot show fcntl locks, so these are the processes that have the file open; a reader\'s "Conflicting lock" error names the holder';

interface FileState {
  config: WatchedFileConfig;
  read: { at: number; exists: boolean | null; holders: Part<FileHolderRef[]> } | null;
  readerError: { text: string; pid: number; at: number } | null;
}

const LOCKING: ReadonlySet<LockHolder['kind']> = new Set(['posix-write', 'flock', 'posix-read']);

function processRef(row: ProcessRow, kind: LockHolder['kind'], now: number): LockHolder {
  return {
    pid: row.pid,
    ppid: row.ppid,
    uid: row.uid,
    startedAt: row.startedAt,
    name: row.name,
    command: row.command,
    kind,
    heldSeconds: Math.max(0, Math.round((now - row.startedAt) / 1000)),
  };
}

/**
 * Watches files that must not stay locked: who holds each (fcntl/flock locks from /proc/locks
 * on Linux, openers on macOS), for how long (the holder's process age), and what readers said
 * when refused. Offers Release when a file is held past its limit or a reader was refused.
 */
export class LockMonitor implements Monitor {
  readonly part = 'locks';
  private files = new Map<string, FileState>();
  private options: LockMonitorOptions | null = null;
  private lastViews = new Map<string, LockView>();
  private lastTargets = new Map<string, LockHolder | null>();
  private readonly schedule: ReadSchedule;

  constructor(
    private readonly facts: Facts,
    tuning: { everySeconds?: number } = {},
  ) {
    this.schedule = new ReadSchedule((tuning.everySeconds ?? LOCK_READ_EVERY_SECONDS) * 1000);
  }

  configure(files: WatchedFileConfig[], options: LockMonitorOptions): void {
    this.options = options;
    const next = new Map<string, FileState>();
    for (const config of files) {
      const old = this.files.get(config.path);
      next.set(config.path, old ? { ...old, config } : { config, read: null, readerError: null });
    }
    this.files = next;
    this.schedule.dueNow();
  }

  /** Starts reading every watched file's holders when due, and returns without waiting. */
  async poll(now: number, _table?: ProcessTable | null): Promise<void> {
    this.schedule.start(now, () => this.readAll(now));
  }

  /**
   * A release just changed who holds the files: read them again at the next poll, rather than
   * showing the released holder as still holding for up to LOCK_READ_EVERY_SECONDS.
   */
  recheck(): void {
    this.schedule.dueNow();
  }

  /** Resolves when the read in flight (if any) has finished. */
  async idle(): Promise<void> {
    await this.schedule.idle();
  }

  private async readAll(now: number): Promise<void> {
    const platform = this.options?.platform ?? 'linux';
    await Promise.all(
      [...this.files.values()].map(async (file) => {
        try {
          const st = await this.facts.stat(file.config.path);
          const exists = st.error ? null : st.exists;
          const holders: Part<FileHolderRef[]> = exists === false ? { ok: true, value: [] } : await this.readHolders(platform, file.config.path);
          file.read = { at: now, exists, holders };
        } catch (error) {
          file.read = { at: now, exists: null, holders: { ok: false, reason: errorText(error) } };
        }
      }),
    );
  }

  /**
   * On Linux the locks themselves are in /proc/locks, and a process that merely has the file
   * open is never shown (see views), so no lsof is run for it: with 50 watched files that was
   * 50 lsof every LOCK_READ_EVERY_SECONDS for nothing. macOS has only the openers to go on.
   */
  private readHolders(platform: string, path: string): Promise<Part<FileHolderRef[]>> {
    return platform === 'linux' ? readLockHolders(this.facts, path) : readFileHolders(this.facts, platform, path);
  }

  /**
   * A reader's error text, e.g. DuckDB's `Could not set lock on file "…": Conflicting lock is
   * held in … (PID n)`. Attached to the watched file it names; false when it names none.
   */
  reportReaderError(message: string, at: number): boolean {
    const parsed = parseDuckDbLockError(message);
    if (!parsed || parsed.pid <= 0) return false;
    const named = parsed.path.replace(/^\.\//, '');
    for (const file of this.files.values()) {
      const path = file.config.path;
      if (path === parsed.path || (!named.startsWith('/') && path.endsWith(`/${named}`))) {
        const start = message.indexOf('Could not set lock');
        const text = message.slice(start).split('\n')[0]?.slice(0, 400) ?? message;
        file.readerError = { text, pid: parsed.pid, at };
        return true;
      }
    }
    return false;
  }

  /** The pids the lock reads and reader errors name: each must be in the table the views are built from. */
  namedPids(): number[] {
    const pids: number[] = [];
    for (const file of this.files.values()) {
      if (file.read?.holders.ok) for (const ref of file.read.holders.value) pids.push(ref.pid);
      if (file.readerError) pids.push(file.readerError.pid);
    }
    return pids;
  }

  views(now: number, table: ProcessTable | null): LockView[] {
    // A zombie has closed its files and dropped its locks: it holds nothing, whatever was read before it died.
    const rows = new Map((table?.rows ?? []).filter((r) => !r.zombie).map((r) => [r.pid, r]));
    const platform = this.options?.platform ?? 'linux';
    const out: LockView[] = [];
    this.lastTargets.clear();
    for (const file of this.files.values()) {
      const path = file.config.path;
      const limitSeconds = (file.config.maxHeldMinutes ?? this.options?.thresholds.lockMaxHeldMinutes ?? 30) * 60;
      const notes = [HELD_NOTE];
      if (platform === 'darwin') notes.push(DARWIN_NOTE);
      const holders: LockHolder[] = [];
      const refs = file.read?.holders.ok ? file.read.holders.value : [];
      for (const ref of refs) {
        // On Linux the locks are visible, so a process that merely has the file open blocks nobody.
        if (platform !== 'darwin' && !LOCKING.has(ref.kind)) continue;
        const row = rows.get(ref.pid);
        if (!row) notes.push(`PID ${ref.pid} holds it but is not in the process table`);
        // The lock was proven at read time; a process that started after it is the pid reused, not the holder.
        else if (file.read && row.startedAt > file.read.at + START_TOLERANCE_MS) notes.push(`PID ${ref.pid} held it when last read, but the process now at that PID started later`);
        else holders.push(processRef(row, ref.kind, now));
      }
      let readerError: string | null = null;
      const reported = file.readerError;
      if (reported) {
        const row = rows.get(reported.pid);
        const fresh = now - reported.at < READER_ERROR_TTL_MS && (table === null || (row !== undefined && row.startedAt <= reported.at + 2_000));
        if (!fresh) {
          file.readerError = null;
        } else {
          readerError = reported.text;
          const known = holders.find((h) => h.pid === reported.pid);
          // The reader's error proves a conflicting lock, which macOS's lsof cannot show.
          if (known && known.kind === 'open') known.kind = 'posix-write';
          else if (!known && row) holders.push(processRef(row, 'posix-write', now));
        }
      }
      const heldSeconds = holders.length > 0 ? Math.max(...holders.map((h) => h.heldSeconds)) : null;
      const view: LockView = {
        path,
        exists: file.read?.exists ?? false,
        holders,
        heldSeconds,
        limitSeconds,
        readerError,
        note: notes.join('; '),
        actions: [],
      };
      const target = this.releaseTarget(view, reported && readerError ? reported.pid : null, platform);
      if (target.note) view.note = `${view.note}; ${target.note}`;
      const problem = readerError !== null || (heldSeconds !== null && heldSeconds > limitSeconds);
      if (target.holder && problem) view.actions = [releaseOffer(view, target.holder)];
      this.lastTargets.set(path, target.holder);
      out.push(view);
    }
    this.lastViews = new Map(out.map((v) => [v.path, v]));
    return out;
  }

  /** The one process Release would signal: the one a reader named, else the longest-held lock. */
  private releaseTarget(view: LockView, namedPid: number | null, platform: string): { holder: LockHolder | null; note: string | null } {
    const ownUid = this.options?.uid;
    let holder: LockHolder | undefined;
    if (namedPid !== null) holder = view.holders.find((h) => h.pid === namedPid);
    if (!holder) {
      const byAge = [...view.holders].sort((a, b) => b.heldSeconds - a.heldSeconds);
      const writers = byAge.filter((h) => h.kind === 'posix-write' || h.kind === 'flock');
      holder = writers[0] ?? byAge.find((h) => h.kind === 'posix-read');
      if (!holder && platform === 'darwin') {
        if (byAge.length > 1) return { holder: null, note: `${byAge.length} processes have it open and none is known to hold the lock` };
        holder = byAge[0];
      }
    }
    if (!holder) return { holder: null, note: null };
    if (ownUid !== undefined && holder.uid !== ownUid) return { holder: null, note: `PID ${holder.pid} belongs to uid ${holder.uid}; Warden only signals its own user's processes` };
    return { holder, note: null };
  }

  /** The file as last shown, and the holder Release would signal. */
  target(path: string): LockTarget | null {
    const view = this.lastViews.get(path);
    if (!view) return null;
    return { view, holder: this.lastTargets.get(path) ?? null };
  }

  unknowns(): UnknownPart[] {
    const out: UnknownPart[] = [];
    for (const file of this.files.values()) {
      if (file.read && !file.read.holders.ok) out.push({ part: `lock ${file.config.path}`, reason: file.read.holders.reason });
    }
    return out;
  }
}
