import type { CommandResult, Facts, FileChunk, HttpRequest, HttpResult, LoadRead, RunOptions, VolumeStat } from './facts.js';
import type { CaptureSample } from './capture.js';

/**
 * Reads through another Facts and keeps every answer, filed under the sample that was current
 * when the read started.
 */
export class RecordingFacts implements Facts {
  readonly mode = 'recording' as const;
  readonly samples: CaptureSample[] = [];

  constructor(private readonly inner: Facts) {}

  beginSample(at: number): void {
    this.samples.push({ at, commands: [], files: [], http: [] });
  }

  private current(): CaptureSample {
    const sample = this.samples.at(-1);
    if (!sample) throw new Error('RecordingFacts: beginSample() was not called');
    return sample;
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const sample = this.current();
    const result = await this.inner.run(argv, options);
    sample.commands.push(result);
    return result;
  }

  async readFile(path: string, options?: { maxBytes?: number }) {
    const sample = this.current();
    const result = await this.inner.readFile(path, options);
    sample.files.push({ op: 'read', path, result });
    return result;
  }

  async stat(path: string) {
    const sample = this.current();
    const result = await this.inner.stat(path);
    sample.files.push({ op: 'stat', path, result });
    return result;
  }

  async listDir(path: string) {
    const sample = this.current();
    const result = await this.inner.listDir(path);
    sample.files.push({ op: 'list', path, result });
    return result;
  }

  async readLink(path: string) {
    const sample = this.current();
    const result = await this.inner.readLink(path);
    sample.files.push({ op: 'readlink', path, result });
    return result;
  }

  async http(request: HttpRequest): Promise<HttpResult> {
    const sample = this.current();
    const result = await this.inner.http(request);
    sample.http.push({ method: request.method ?? 'GET', url: request.url, result });
    return result;
  }

  async statfs(path: string): Promise<VolumeStat> {
    const sample = this.current();
    const result = await this.inner.statfs(path);
    sample.files.push({ op: 'statfs', path, result });
    return result;
  }

  async readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    const sample = this.current();
    const result = await this.inner.readRange(path, offset, maxBytes);
    sample.files.push({ op: 'range', path, result });
    return result;
  }

  async loadAverage(): Promise<LoadRead> {
    const sample = this.current();
    const result = await this.inner.loadAverage();
    sample.load = result;
    return result;
  }
}
