import { constants, promises as fs } from 'node:fs';
import { formatBytes } from '../common/format.js';
import { errorText } from '../common/result.js';

/** Every file read has one: past it the read is reported as unanswered and the loop moves on. */
export const DEFAULT_READ_TIMEOUT_MS = 5_000;
const FIRST_READ_BYTES = 64 * 1024;

export interface BoundedRead {
  exists: boolean;
  content: string | null;
  truncated: boolean;
  /** Why there is no content (null when read, or when the file does not exist). */
  error: string | null;
  /** The errno code when the system gave one (ENOENT, EACCES, …). */
  code: string | null;
}

export interface ReadLimits {
  /** Bytes kept; `truncated` past it, unless `refuseOver` says a bigger file is not read at all. */
  maxBytes: number;
  /** A file bigger than this (by fstat) is not read: its size is the reason. */
  refuseOver?: number;
  timeoutMs?: number;
}

const KIND: [(s: import('node:fs').Stats) => boolean, string][] = [
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
  [(s) => s.isDirectory(), 'a folder'],
];

/**
 * Reads a regular file with a deadline and a cap. The file is opened non-blocking (a FIFO's
 * open would otherwise wait for a writer, forever, on one of libuv's four threads) and checked
 * on the open handle: anything but a regular file (a FIFO, a device, a socket, a folder) is
 * refused with what it is. /proc and /sys files are regular files of size 0: read to EOF.
 * A read still running at the deadline is left to finish on its own; its handle is closed then.
 */
export async function readFileBounded(path: string, limits: ReadLimits): Promise<BoundedRead> {
  const timeoutMs = limits.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<BoundedRead>((resolve) => {
    timer = setTimeout(() => resolve({ exists: true, content: null, truncated: false, error: `no answer within ${timeoutMs / 1000} s; not read`, code: 'ETIMEDOUT' }), timeoutMs);
  });
  try {
    return await Promise.race([readWithin(path, limits), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function readWithin(path: string, limits: ReadLimits): Promise<BoundedRead> {
  const cap = limits.maxBytes;
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
    const stat = await handle.stat();
    const kind = KIND.find(([is]) => is(stat))?.[1];
    if (kind) return { exists: true, content: null, truncated: false, error: `is ${kind}, not a regular file; not read`, code: 'ENOTREG' };
    if (limits.refuseOver !== undefined && stat.size > limits.refuseOver) {
      return { exists: true, content: null, truncated: false, error: `is ${formatBytes(stat.size)}, over the ${formatBytes(limits.refuseOver)} Warden reads; not read`, code: 'EFBIG' };
    }
    // Grown as the file turns out bigger, up to cap + 1: a zero-filled 4 MiB buffer per read
    // (and the GCs its external memory set off) was half the CPU of a sampling cycle that
    // reads three small /proc files.
    let buffer = Buffer.allocUnsafe(Math.min(cap + 1, FIRST_READ_BYTES));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(cap + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > cap) break;
    }
    const truncated = length > cap;
    return { exists: true, content: buffer.subarray(0, Math.min(length, cap)).toString('utf8'), truncated, error: null, code: null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? null;
    return { exists: code !== 'ENOENT', content: null, truncated: false, error: code === 'ENOENT' ? null : errorText(error), code };
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
