import { promises as fs } from 'node:fs';
import type { DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, CommandResult, VolumeStat } from './facts.js';
import { loadNow, readChunk, statVolume } from './volumes.js';
import { runCommand } from './runner.js';
import { httpRequest } from './http.js';
import { readFileBounded } from './read-file.js';
import { errorText } from '../common/result.js';

const DEFAULT_FILE_CAP = 4 * 1024 * 1024;

/** Facts read from this host, now. */
export class LiveFacts implements Facts {
  readonly mode = 'live' as const;

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand(argv, options);
  }

  async readFile(path: string, options: { maxBytes?: number } = {}): Promise<FileRead> {
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
