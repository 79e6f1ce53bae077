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

  /** Starts `read` and files its answer under the sample current when it started. */
  private async recorded<R>(read: () => Promise<R>, file: (sample: CaptureSample, result: R) => void): Promise<R> {
    const sample = this.current();
    const result = await read();
    file(sample, result);
    return result;
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.recorded(() => this.inner.run(argv, options), (sample, result) => sample.commands.push(result));
  }

  readFile(path: string, options?: { maxBytes?: number }) {
    return this.recorded(() => this.inner.readFile(path, options), (sample, result) => sample.files.push({ op: 'read', path, result }));
  }

  stat(path: string) {
    return this.recorded(() => this.inner.stat(path), (sample, result) => sample.files.push({ op: 'stat', path, result }));
  }

  listDir(path: string) {
    return this.recorded(() => this.inner.listDir(path), (sample, result) => sample.files.push({ op: 'list', path, result }));
  }

  readLink(path: string) {
    return this.recorded(() => this.inner.readLink(path), (sample, result) => sample.files.push({ op: 'readlink', path, result }));
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return this.recorded(() => this.inner.http(request), (sample, result) => sample.http.push({ method: request.method ?? 'GET', url: request.url, result }));
  }

  statfs(path: string): Promise<VolumeStat> {
    return this.recorded(() => this.inner.statfs(path), (sample, result) => sample.files.push({ op: 'statfs', path, result }));
  }

  readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    return this.recorded(() => this.inner.readRange(path, offset, maxBytes), (sample, result) => sample.files.push({ op: 'range', path, result }));
  }

  loadAverage(): Promise<LoadRead> {
    return this.recorded(() => this.inner.loadAverage(), (sample, result) => {
      sample.load = result;
    });
  }
}
