import { closeSync, openSync, readSync } from 'node:fs';
import { errorText } from '../../common/result.js';
import type { FileRead } from '../facts.js';

/**
 * The kernel-generated /proc files the engine reads every cycle or so (host memory, pressure,
 * locks, a process's cgroup and fdinfo): never a FIFO, device or link to one, never blocking.
 */
export const PROC_TEXT_FILE = /^\/proc\/(?:meminfo|vmstat|pressure\/memory|locks|\d+\/cgroup|\d+\/fdinfo\/\d+)$/;

const buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One of those files read synchronously into a reused buffer: open, read to the end or the cap,
 * close. Through libuv's thread pool (open, fstat, read, close, each a trip) the three memory
 * files cost several times as much CPU.
 */
export function readProcFileSync(path: string, maxBytes: number): FileRead {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { path, exists: code !== 'ENOENT', content: null, truncated: false, error: code === 'ENOENT' ? null : errorText(error) };
  }
  try {
    let target = buffer;
    let length = 0;
    for (;;) {
      if (length === target.length) {
        if (length > maxBytes) break;
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, target.length * 4));
        target.copy(grown, 0, 0, length);
        target = grown;
      }
      const n = readSync(fd, target, length, Math.min(target.length, maxBytes + 1) - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) break;
    }
    const truncated = length > maxBytes;
    return { path, exists: true, content: target.toString('utf8', 0, Math.min(length, maxBytes)), truncated, error: null };
  } catch (error) {
    return { path, exists: true, content: null, truncated: false, error: errorText(error) };
  } finally {
    closeSync(fd);
  }
}
