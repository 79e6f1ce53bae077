import type { CommandResult, DirList, Facts, FactsMode, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, VolumeStat } from '../../src/platform/facts.js';

/** Facts that pass every read to `inner`; a test host overrides only the facts it changes. */
export class DelegatingFacts implements Facts {
  readonly mode: FactsMode;

  constructor(protected readonly inner: Facts) {
    this.mode = inner.mode;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.inner.run(argv, options);
  }

  readFile(path: string, options?: { maxBytes?: number }): Promise<FileRead> {
    return this.inner.readFile(path, options);
  }

  stat(path: string): Promise<FileStat> {
    return this.inner.stat(path);
  }

  listDir(path: string): Promise<DirList> {
    return this.inner.listDir(path);
  }

  readLink(path: string): Promise<LinkRead> {
    return this.inner.readLink(path);
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return this.inner.http(request);
  }

  statfs(path: string): Promise<VolumeStat> {
    return this.inner.statfs(path);
  }

  readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    return this.inner.readRange(path, offset, maxBytes);
  }

  loadAverage(): Promise<LoadRead> {
    return this.inner.loadAverage();
  }
}
