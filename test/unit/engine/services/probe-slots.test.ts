import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../../src/engine/defaults.js';
import { ServiceMonitor } from '../../../../src/engine/services/monitor.js';
import type { ServiceConfig } from '../../../../src/common/config.js';
import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, VolumeStat } from '../../../../src/platform/facts.js';

const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);

/** Services on another host (so no lsof): /hang/ URLs never answer before their deadline, the rest at once. */
class Remote implements Facts {
  readonly mode = 'live' as const;
  asked: string[] = [];
  async run(argv: readonly string[]): Promise<CommandResult> {
    return { argv: [...argv], exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, truncated: false, error: 'not here' };
  }
  async readFile(path: string): Promise<FileRead> {
    return { path, exists: false, content: null, truncated: false, error: null };
  }
  async stat(path: string): Promise<FileStat> {
    return { path, exists: false, isFile: false, isDirectory: false, size: 0, mtimeMs: 0, dev: 0, ino: 0, uid: -1, error: null };
  }
  async listDir(path: string): Promise<DirList> {
    return { path, exists: false, entries: null, error: null };
  }
  async readLink(path: string): Promise<LinkRead> {
    return { path, target: null, error: 'EINVAL' };
  }
  async statfs(path: string): Promise<VolumeStat> {
    return { path, exists: false, totalBytes: 0, availableBytes: 0, dev: 0, error: null };
  }
  async readRange(path: string, offset: number): Promise<FileChunk> {
    return { path, offset, exists: false, size: 0, ino: 0, content: null, bytes: 0, error: null };
  }
  async loadAverage(): Promise<LoadRead> {
    return { loadavg: [0, 0, 0], cores: 1, error: null };
  }
  http(request: HttpRequest): Promise<HttpResult> {
    this.asked.push(request.url);
    const base = { url: request.url, method: request.method ?? 'GET', headers: {}, bodyTruncated: false };
    if (!request.url.includes('/hang/')) return Promise.resolve({ ...base, status: 200, latencyMs: 3, timedOut: false, error: null, body: '{}' });
    return new Promise((resolve) =>
      setTimeout(() => resolve({ ...base, status: null, latencyMs: request.timeoutMs, timedOut: true, error: 'no answer', body: '' }), request.timeoutMs),
    );
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('probe concurrency', () => {
  it('does not let more hanging services than probe slots keep the others from being probed', async () => {
    vi.useFakeTimers({ now: NOW });
    const facts = new Remote();
    const monitor = new ServiceMonitor(facts, { concurrency: 8 });
    // Ten that never answer come first in the list and take every slot.
    const services: ServiceConfig[] = [
      ...Array.from({ length: 10 }, (_, i) => ({ name: `hang-${i}`, url: `http://models.internal:8000/hang/${i}`, timeoutSeconds: 60 })),
      ...Array.from({ length: 5 }, (_, i) => ({ name: `fast-${i}`, url: `http://models.internal:8000/fast/${i}` })),
    ];
    monitor.configure(services, { discovery: false, platform: 'linux', uid: 1000, thresholds: DEFAULT_THRESHOLDS });
    await monitor.poll(NOW, null);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(facts.asked.filter((u) => u.includes('/fast/'))).toEqual([]);

    // Past the slot time the hanging ones give their places up; their own 60 s deadline runs on.
    await vi.advanceTimersByTimeAsync(1_500);
    const views = monitor.views(NOW + 2_500, null);
    for (const view of views.filter((v) => v.name.startsWith('fast-'))) expect(view.probe).toMatchObject({ ok: true, at: NOW });
    for (const view of views.filter((v) => v.name.startsWith('hang-'))) expect(view.probe).toBeNull();
    expect(monitor.busy).toBe(10);

    await vi.advanceTimersByTimeAsync(60_000);
    await monitor.idle();
    for (const view of monitor.views(NOW + 62_500, null).filter((v) => v.name.startsWith('hang-'))) expect(view.probe).toMatchObject({ ok: false, measured: 'no answer within 60 s' });
  });
});
