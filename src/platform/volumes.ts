import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import { errorText } from '../common/result.js';
import type { FileChunk, LoadRead, VolumeStat } from './facts.js';
import { DEFAULT_READ_TIMEOUT_MS } from './read-file.js';

/** Resolves with `late` when `work` has not finished within `ms` (a hung network mount). */
async function within<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** statfs(2) of a path, with its device from stat(2); a missing path is `exists: false`, no error. */
export function statVolume(path: string, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<VolumeStat> {
  const empty = { path, totalBytes: 0, availableBytes: 0, dev: 0 };
  const work = (async (): Promise<VolumeStat> => {
    try {
      const [vfs, st] = await Promise.all([fs.statfs(path), fs.stat(path)]);
      return { path, exists: true, totalBytes: vfs.blocks * vfs.bsize, availableBytes: vfs.bavail * vfs.bsize, dev: st.dev, error: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ...empty, exists: code !== 'ENOENT', error: code === 'ENOENT' ? null : errorText(error) };
    }
  })();
  return within(work, timeoutMs, () => ({ ...empty, exists: true, error: `statfs: no answer within ${timeoutMs / 1000} s` }));
}

/** Up to `maxBytes` of a regular file from `offset`, with its size and inode at the read. */
export function readChunk(path: string, offset: number, maxBytes: number, timeoutMs = DEFAULT_READ_TIMEOUT_MS): Promise<FileChunk> {
  const empty = { path, offset, size: 0, ino: 0, content: null, bytes: 0 };
  const work = (async (): Promise<FileChunk> => {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
      const st = await handle.stat();
      if (!st.isFile()) return { ...empty, exists: true, error: 'not a regular file; not read' };
      const length = Math.max(0, Math.min(maxBytes, st.size - offset));
      const buffer = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return { path, offset, exists: true, size: st.size, ino: st.ino, content: buffer.subarray(0, got).toString('utf8'), bytes: got, error: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ...empty, exists: code !== 'ENOENT', error: code === 'ENOENT' ? null : errorText(error) };
    } finally {
      await handle?.close().catch(() => undefined);
    }
  })();
  return within(work, timeoutMs, () => ({ ...empty, exists: true, error: `no answer within ${timeoutMs / 1000} s; not read` }));
}

/** os.loadavg() against the cores this process may use. */
export function loadNow(): LoadRead {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return { loadavg: [one, five, fifteen], cores: os.availableParallelism(), error: null };
}
