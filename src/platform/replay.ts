import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpResult, LinkRead, LoadRead, VolumeStat } from './facts.js';
import { MissingFactError, describeArgv } from './facts.js';
import type { CaptureBundle, CaptureSample } from './capture.js';

/**
 * Answers from a capture bundle, one sample at a time. A fact the current sample does not
 * hold is a MissingFactError naming it; replay never borrows an answer from another sample.
 */
export class ReplayFacts implements Facts {
  readonly mode = 'replay' as const;
  private index = 0;
  private cursors = new Map<string, number>();

  constructor(readonly bundle: CaptureBundle) {}

  get sampleCount(): number {
    return this.bundle.samples.length;
  }

  get sampleIndex(): number {
    return this.index;
  }

  useSample(index: number): CaptureSample {
    const sample = this.bundle.samples[index];
    if (!sample) throw new RangeError(`the capture has ${this.bundle.samples.length} samples; no sample ${index}`);
    this.index = index;
    this.cursors.clear();
    return sample;
  }

  private pick<T>(key: string, matches: T[], fact: string): T {
    if (matches.length === 0) throw new MissingFactError(`${fact} in sample ${this.index + 1}`);
    const n = this.cursors.get(key) ?? 0;
    this.cursors.set(key, n + 1);
    return matches[Math.min(n, matches.length - 1)] as T;
  }

  private sample(): CaptureSample {
    return this.bundle.samples[this.index] as CaptureSample;
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    const key = JSON.stringify(argv);
    const matches = this.sample().commands.filter((c) => JSON.stringify(c.argv) === key);
    const found = this.pick(`cmd:${key}`, matches, `command \`${describeArgv(argv)}\``);
    // Hand-made bundles may leave out the optional fields; fill them as a clean run.
    return {
      ...found,
      signal: found.signal ?? null,
      durationMs: found.durationMs ?? 0,
      timedOut: found.timedOut ?? false,
      truncated: found.truncated ?? false,
      error: found.error ?? null,
      argv: [...argv],
    };
  }

  private file<T>(op: string, path: string): T {
    const matches = this.sample().files.filter((f) => f.op === op && f.path === path);
    return this.pick(`${op}:${path}`, matches, `file ${op} of ${path}`).result as T;
  }

  async readFile(path: string): Promise<FileRead> {
    return this.file<FileRead>('read', path);
  }

  async stat(path: string): Promise<FileStat> {
    return this.file<FileStat>('stat', path);
  }

  async listDir(path: string): Promise<DirList> {
    return this.file<DirList>('list', path);
  }

  async readLink(path: string): Promise<LinkRead> {
    return this.file<LinkRead>('readlink', path);
  }

  async http(request: { url: string; method?: string }): Promise<HttpResult> {
    const method = request.method ?? 'GET';
    const matches = this.sample().http.filter((h) => h.url === request.url && h.method === method);
    return this.pick(`http:${method} ${request.url}`, matches, `HTTP ${method} ${request.url}`).result;
  }

  async statfs(path: string): Promise<VolumeStat> {
    return this.file<VolumeStat>('statfs', path);
  }

  /** The chunk recorded at this offset (the engine asks for the same ones as while recording). */
  async readRange(path: string, offset: number): Promise<FileChunk> {
    const matches = this.sample().files.filter((f) => f.op === 'range' && f.path === path && (f.result as FileChunk).offset === offset);
    return this.pick(`range:${path}:${offset}`, matches, `file range of ${path} from byte ${offset}`).result as FileChunk;
  }

  async loadAverage(): Promise<LoadRead> {
    const load = this.sample().load;
    if (!load) throw new MissingFactError(`the load average in sample ${this.index + 1}`);
    return load;
  }
}
