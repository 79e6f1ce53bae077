import { promises as fs } from 'node:fs';
import type { DirList, Facts, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, RunOptions, CommandResult } from './facts.js';
import { runCommand } from './runner.js';
import { httpRequest } from './http.js';
import { errorText } from '../common/result.js';

const DEFAULT_FILE_CAP = 4 * 1024 * 1024;
const FIRST_READ_BYTES = 64 * 1024;

/** Facts read from this host, now. */
export class LiveFacts implements Facts {
  readonly mode = 'live' as const;

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand(argv, options);
  }

  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<FileRead> {
    const cap = options.maxBytes ?? DEFAULT_FILE_CAP;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(path, 'r');
      // Grown as the file turns out bigger, up to cap + 1: a zero-filled 4 MiB buffer per read
      // (and the GCs its external memory set off) was half the CPU of a sampling cycle that
      // reads three small /proc files.
      let buffer = Buffer.allocUnsafe(Math.min(cap + 1, FIRST_READ_BYTES));
      let length = 0;
      // /proc files report size 0: read until EOF rather than trusting stat.
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
      return { path, exists: true, content: buffer.subarray(0, Math.min(length, cap)).toString('utf8'), truncated, error: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { path, exists: code !== 'ENOENT', content: null, truncated: false, error: code === 'ENOENT' ? null : errorText(error) };
    } finally {
      await handle?.close();
    }
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
}
