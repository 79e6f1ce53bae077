/**
 * Every external fact Warden reads goes through one Facts object: commands, files and HTTP.
 * Live reads the host; recording reads the host and keeps every answer for a capture bundle;
 * replay answers from a bundle on any OS. Readers never know which one they hold.
 */
import type { ProcSnapshot } from './linux/proc-stat.js';

export interface RunOptions {
  /** Deadline; then SIGTERM, then SIGKILL after a grace. Default 5 s. */
  timeoutMs?: number;
  /** Output cap per stream; past it the command is stopped and `truncated` set. Default 8 MiB. */
  maxBytes?: number;
}

export interface CommandResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  truncated: boolean;
  /** The command could not run at all (e.g. "ENOENT: no such command"). */
  error: string | null;
}

export interface FileRead {
  path: string;
  exists: boolean;
  content: string | null;
  truncated: boolean;
  error: string | null;
}

export interface FileStat {
  path: string;
  exists: boolean;
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
  uid: number;
  error: string | null;
}

export interface DirList {
  path: string;
  exists: boolean;
  entries: string[] | null;
  error: string | null;
}

export interface LinkRead {
  path: string;
  target: string | null;
  error: string | null;
}

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'HEAD' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Bytes of body kept; the rest is not read. Default 64 KiB. */
  maxBodyBytes?: number;
}

export interface HttpResult {
  url: string;
  method: string;
  status: number | null;
  latencyMs: number;
  timedOut: boolean;
  error: string | null;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
}

/** A volume's space, read with statfs(2) (no spawn); `dev` is the path's device, to tell volumes apart. */
export interface VolumeStat {
  path: string;
  exists: boolean;
  totalBytes: number;
  /** Free to an unprivileged user (f_bavail), what a swap file or a model download can still use. */
  availableBytes: number;
  dev: number;
  error: string | null;
}

/** Bytes of a file from an offset, with the file's size and identity when read (a log being tailed). */
export interface FileChunk {
  path: string;
  offset: number;
  exists: boolean;
  /** The file's size and inode as the read found them: a smaller size is a truncation, another inode a rotation. */
  size: number;
  ino: number;
  content: string | null;
  /** Bytes read from `offset` (the content's length in bytes, even when a character was cut at the end). */
  bytes: number;
  error: string | null;
}

/** Load averages (1, 5, 15 min) and the cores they are measured against. */
export interface LoadRead {
  loadavg: [number, number, number];
  cores: number;
  error: string | null;
}

export type FactsMode = 'live' | 'recording' | 'replay';

export interface Facts {
  readonly mode: FactsMode;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  readFile(path: string, options?: { maxBytes?: number }): Promise<FileRead>;
  stat(path: string): Promise<FileStat>;
  listDir(path: string): Promise<DirList>;
  readLink(path: string): Promise<LinkRead>;
  http(request: HttpRequest): Promise<HttpResult>;
  /**
   * Linux, live only: every process's /proc files in one walk, read in this process (no `ps`
   * spawned). Absent elsewhere (darwin, recording, replay, scripted hosts): the table comes from `ps`.
   */
  processSnapshot?(timeoutMs: number): Promise<ProcSnapshot>;
  /**
   * Linux, live only: the listening TCP sockets of this network namespace as one string (port
   * and socket inode of each, from /proc/net/tcp and tcp6), null when unreadable. While it is
   * unchanged, the listener owners read by lsof still stand. Absent elsewhere.
   */
  listeningSockets?(): Promise<string | null>;
  /**
   * Linux, live only: whether one process holds the socket with this inode open (/proc/PID/fd),
   * null when that cannot be read (gone, another user's). Cheaper than listeningSockets on a
   * host with many sockets: it answers whether a known listener still holds its socket. Absent elsewhere.
   */
  socketHeld?(pid: number, inode: string): Promise<boolean | null>;
  /**
   * Live only: which of these pids are gone (no such process, or a zombie where the OS says so),
   * without reading the whole table: Linux reads /proc/PID/stat of each, darwin asks kill(pid, 0).
   * Absent elsewhere (recording, replay, scripted hosts): the table is read every cycle there.
   */
  goneProcesses?(pids: readonly number[]): Promise<number[]>;
  statfs(path: string): Promise<VolumeStat>;
  /** At most `maxBytes` from `offset`; past the end is an empty chunk with the size. */
  readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk>;
  loadAverage(): Promise<LoadRead>;
}

/** Thrown by replay when the bundle holds no answer for a fact; the message names the fact. */
export class MissingFactError extends Error {
  constructor(readonly fact: string) {
    super(`the capture has no record of ${fact}`);
    this.name = 'MissingFactError';
  }
}

export function describeArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** The result of a command that never ran: `error` says why. */
export function commandNotRun(argv: readonly string[], error: string, durationMs = 0): CommandResult {
  return { argv: [...argv], exitCode: null, signal: null, stdout: '', stderr: '', durationMs, timedOut: false, truncated: false, error };
}

/** One line saying why a command's output can't be used, or null when it can. */
export function commandProblem(result: CommandResult): string | null {
  const cmd = describeArgv(result.argv.slice(0, 3));
  if (result.error) return `${cmd}: ${result.error}`;
  if (result.timedOut) return `${cmd}: no answer within ${(result.durationMs / 1000).toFixed(1)} s`;
  if (result.truncated) return `${cmd}: output over the size cap`;
  if (result.exitCode !== 0) {
    const err = result.stderr.trim().split('\n')[0]?.slice(0, 200) ?? '';
    const how = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
    return `${cmd}: ${how}${err ? `: ${err}` : ''}`;
  }
  return null;
}
