import { promises as fs, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, CommandResult, VolumeStat } from './facts.js';
import { loadNow, readChunk, statVolume } from './volumes.js';
import { runCommand } from './runner.js';
import { httpRequest } from './http.js';
import { readFileBounded } from './read-file.js';
import { errorText } from '../common/result.js';
import type { ProcSnapshot } from './linux/proc-stat.js';
import { ProcReader } from './linux/proc-table.js';
import { listenersFingerprint, parseListeningSockets } from './linux/net-tcp.js';
import { PROC_TEXT_FILE, readProcFileSync } from './linux/proc-file.js';

const DEFAULT_FILE_CAP = 4 * 1024 * 1024;

/** Facts read from this host, now. */
export class LiveFacts implements Facts {
  readonly mode = 'live' as const;
  /** On Linux the process table is read from /proc in this process; darwin has no /proc, and `ps` is the floor there. */
  readonly processSnapshot: ((timeoutMs: number) => Promise<ProcSnapshot>) | undefined = (() => {
    // WARDEN_PROCESS_SOURCE=ps: spawn ps on Linux too (what a Mac does), e.g. where /proc is restricted.
    if (process.platform !== 'linux' || process.env.WARDEN_PROCESS_SOURCE === 'ps') return undefined;
    const reader = new ProcReader();
    return (timeoutMs: number) => reader.snapshot(timeoutMs);
  })();

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand(argv, options);
  }

  readonly listeningSockets: (() => Promise<string | null>) | undefined = process.platform === 'linux' ? readListeningSockets : undefined;

  readonly socketHeld: ((pid: number, inode: string) => Promise<boolean | null>) | undefined = (() => {
    if (process.platform !== 'linux') return undefined;
    const fds = new SocketFds();
    return (pid: number, inode: string) => Promise.resolve(fds.held(pid, inode));
  })();

  async goneProcesses(pids: readonly number[]): Promise<number[]> {
    return pids.filter((pid) => !processAlive(pid));
  }

  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<FileRead> {
    if (process.platform === 'linux' && PROC_TEXT_FILE.test(path)) return readProcFileSync(path, options.maxBytes ?? DEFAULT_FILE_CAP);
    const read = await readFileBounded(path, { maxBytes: options.maxBytes ?? DEFAULT_FILE_CAP });
    return { path, exists: read.exists, content: read.content, truncated: read.truncated, error: read.error };
  }

  async stat(path: string): Promise<FileStat> {
    try {
      const s = await fs.stat(path);
      return {
        path,
        exists: true,
        isFile: s.isFile(),
        isDirectory: s.isDirectory(),
        size: s.size,
        mtimeMs: s.mtimeMs,
        dev: s.dev,
        ino: s.ino,
        uid: s.uid,
        error: null,
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return {
        path,
        exists: false,
        isFile: false,
        isDirectory: false,
        size: 0,
        mtimeMs: 0,
        dev: 0,
        ino: 0,
        uid: -1,
        error: code === 'ENOENT' ? null : errorText(error),
      };
    }
  }

  async listDir(path: string): Promise<DirList> {
    try {
      const entries = await fs.readdir(path);
      return { path, exists: true, entries: entries.sort(), error: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { path, exists: code !== 'ENOENT', entries: null, error: code === 'ENOENT' ? null : errorText(error) };
    }
  }

  async readLink(path: string): Promise<LinkRead> {
    try {
      return { path, target: await fs.readlink(path), error: null };
    } catch (error) {
      return { path, target: null, error: errorText(error) };
    }
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return httpRequest(request);
  }

  statfs(path: string): Promise<VolumeStat> {
    return statVolume(path);
  }

  readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    return readChunk(path, offset, maxBytes);
  }

  async loadAverage(): Promise<LoadRead> {
    return loadNow();
  }
}

/** Both files, synchronously (a few KiB; no thread-pool trip); null when either cannot be read. */
function readListeningSockets(): Promise<string | null> {
  try {
    const text = readFileSync('/proc/net/tcp', 'latin1') + readTcp6();
    return Promise.resolve(listenersFingerprint(parseListeningSockets(text)));
  } catch {
    return Promise.resolve(null);
  }
}

/** Descriptors kept after a socket was found on them: a later check reads that one link alone. */
const SOCKET_FDS_KEPT = 256;

/**
 * Whether /proc/PID/fd links to `socket:[inode]`: the descriptor it was found on last time is
 * read first (one readlink), the whole directory only when that no longer holds it.
 * Synchronous: a listener holds tens of descriptors. Null when the directory cannot be read.
 */
export class SocketFds {
  private readonly found = new Map<string, string>();

  held(pid: number, inode: string): boolean | null {
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const dir = `/proc/${pid}/fd`;
    const target = `socket:[${inode}]`;
    const key = `${pid}:${inode}`;
    const fd = this.found.get(key);
    if (fd !== undefined && linkOf(`${dir}/${fd}`) === target) return true;
    this.found.delete(key);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return null;
    }
    for (const name of names) {
      if (linkOf(`${dir}/${name}`) !== target) continue;
      if (this.found.size >= SOCKET_FDS_KEPT) this.found.clear();
      this.found.set(key, name);
      return true;
    }
    return false;
  }
}

function linkOf(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null; // closed since the listing
  }
}

function readTcp6(): string {
  try {
    return readFileSync('/proc/net/tcp6', 'latin1');
  } catch (error) {
    // A kernel without IPv6 has no tcp6.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Linux: /proc/PID/stat exists and its state is not Z; elsewhere kill(pid, 0) finds the pid (EPERM: it exists, another user's). */
function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (process.platform === 'linux') {
    const read = readProcFileSync(`/proc/${pid}/stat`, 4096);
    if (!read.exists || read.content === null) return false;
    const state = read.content.slice(read.content.lastIndexOf(')') + 2, read.content.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
