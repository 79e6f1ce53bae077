import { describe, expect, it } from 'vitest';
import { ThiefTracker } from '../../../src/engine/thieves.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import { recogniseRole } from '../../../src/engine/roles.js';
import { fitLine } from '../../../src/engine/growth.js';
import type { ProcessRow } from '../../../src/common/processes.js';
import type { MemorySample } from '../../../src/common/memory.js';

const GB = 1e9;
const MIN = 60_000;
const T0 = Date.UTC(2026, 4, 10, 14, 0, 0);

function row(pid: number, over: Partial<ProcessRow> & { at: number; ageSeconds: number }): ProcessRow {
  const { at, ageSeconds, ...rest } = over;
  return {
    pid,
    ppid: 1,
    uid: 501,
    rssBytes: 100e6,
    cpuPercent: 0,
    cpuSeconds: null,
    elapsedSeconds: ageSeconds,
    startedAt: at - ageSeconds * 1000,
    name: `proc${pid}`,
    command: `/usr/bin/proc${pid}`,
    zombie: false,
    ...rest,
  };
}

const memory = (at: number, availableBytes: number): MemorySample => ({
  at,
  platform: 'darwin',
  totalBytes: 64 * 2 ** 30,
  freeBytes: 820 * 2 ** 20,
  availableBytes,
  compressedBytes: null,
  wiredBytes: null,
  swapTotalBytes: 0,
  swapUsedBytes: 0,
  pressure: 'critical',
  pressureSource: 'test',
  freePercent: null,
  counters: null,
});

describe('ThiefTracker', () => {
  it('measures growth by least squares and says when memory runs out', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const start = T0 - 11 * 3600_000;
    for (let i = 0; i <= 12; i++) {
      const at = T0 + i * 5 * MIN;
      // 3.5 GB/h with a little noise, from 46.5 GB.
      const rss = 46.5 * GB + (3.5 * GB * (i * 5)) / 60 + (i % 2 ? 20e6 : -20e6);
      tracker.update({ at, rows: [row(4242, { at, ageSeconds: (at - start) / 1000, rssBytes: rss, name: 'sanctum-mlx' })] });
    }
    const now = T0 + 60 * MIN;
    const [thief] = tracker.thieves(now, memory(now, 2 * 2 ** 30));
    expect(thief?.growth).not.toBeNull();
    expect(thief!.growth!.bytesPerHour / GB).toBeCloseTo(3.5, 1);
    expect(thief!.growth!.r2).toBeGreaterThan(0.99);
    expect(thief!.growth!.windowSeconds).toBe(3600);
    // 2 GiB available at 3.5 GB/h: about 37 minutes.
    expect(thief!.growth!.exhaustsInSeconds! / 60).toBeCloseTo((2 * 2 ** 30) / (3.5 * GB) * 60, 0);
    expect(thief!.role).toBe('mlx-server');
    expect(thief!.story).toMatch(/growing 3\.5 GB\/h over 1 h/);
  });

  it('does not call noise or a short window growth', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    for (let i = 0; i <= 12; i++) {
      const at = T0 + i * 5 * MIN;
      const rss = 10 * GB + (i % 2 ? 1 * GB : -1 * GB); // sawtooth, no trend
      tracker.update({ at, rows: [row(7, { at, ageSeconds: 99_999 + i * 300, rssBytes: rss })] });
    }
    expect(tracker.thieves(T0 + 60 * MIN, null)[0]?.growth).toBeNull();

    const short = new ThiefTracker(DEFAULT_THRESHOLDS);
    for (let i = 0; i <= 10; i++) {
      const at = T0 + i * MIN; // 10 minutes only, steep
      short.update({ at, rows: [row(8, { at, ageSeconds: 99_999 + i * 60, rssBytes: 5 * GB + i * 0.5 * GB })] });
    }
    expect(short.thieves(T0 + 10 * MIN, null)[0]?.growth).toBeNull();
  });

  it('names an arrival of 2 GiB or more inside 30 minutes, and only that', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const at = T0;
    tracker.update({
      at,
      rows: [
        row(900, { at, ageSeconds: 28 * 60, rssBytes: 13 * GB, name: 'LM Studio Helper', command: '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper.app/Contents/MacOS/LM Studio Helper --type=utility' }),
        row(901, { at, ageSeconds: 31 * 60, rssBytes: 13 * GB }),
        row(902, { at, ageSeconds: 60, rssBytes: 1 * GB }),
      ],
    });
    const thieves = tracker.thieves(at, null);
    const arrival = thieves.find((t) => t.pid === 900)!;
    expect(arrival.arrivedAgoSeconds).toBe(28 * 60);
    expect(arrival.roleLabel).toBe('LM Studio worker');
    expect(arrival.story).toContain('arrived 28 min ago');
    expect(thieves.find((t) => t.pid === 901)?.arrivedAgoSeconds ?? null).toBeNull();
    expect(thieves.find((t) => t.pid === 902)?.arrivedAgoSeconds ?? null).toBeNull();
  });

  it('calls CPU sustained only when the whole window was busy, from CPU-time deltas', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    for (let i = 0; i <= 12; i++) {
      const at = T0 + i * MIN;
      tracker.update({
        at,
        rows: [
          row(55, { at, ageSeconds: 86_400 + i * 60, rssBytes: 1.3 * GB, cpuPercent: 368, cpuSeconds: 100_000 + i * 60 * 3.68, name: 'qemu-system-aarch64' }),
          // busy only at the ends
          row(56, { at, ageSeconds: 86_400 + i * 60, rssBytes: 200e6, cpuPercent: i === 0 || i === 12 ? 300 : 1, cpuSeconds: null }),
        ],
      });
    }
    const thieves = tracker.thieves(T0 + 12 * MIN, null);
    const qemu = thieves.find((t) => t.pid === 55)!;
    expect(qemu.sustainedCpu?.averagePercent).toBe(368);
    expect(qemu.sustainedCpu!.forSeconds).toBeGreaterThanOrEqual(600);
    expect(qemu.role).toBe('vm');
    expect(qemu.story).toContain('368% CPU for 12 min');
    expect(thieves.find((t) => t.pid === 56)?.sustainedCpu ?? null).toBeNull();
  });

  it('measures any process\'s CPU over the last interval from CPU time, tracked or not', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    // Small and quiet by ps's lifetime %cpu, so never tracked; it used 2.5 s of CPU in 5 s.
    tracker.update({ at: T0, rows: [row(50, { at: T0, ageSeconds: 3600, rssBytes: 10e6, cpuPercent: 40, cpuSeconds: 100 })] });
    tracker.update({ at: T0 + 5000, rows: [row(50, { at: T0 + 5000, ageSeconds: 3605, rssBytes: 10e6, cpuPercent: 40, cpuSeconds: 102.5 })] });
    expect(tracker.trackedCount).toBe(0);
    expect(tracker.cpuNow(50)).toBeCloseTo(50, 5);
    // A new process with the same pid: no interval to measure, ps's figure is all there is.
    tracker.update({ at: T0 + 10_000, rows: [row(50, { at: T0 + 10_000, ageSeconds: 1, rssBytes: 10e6, cpuPercent: 3, cpuSeconds: 0 })] });
    expect(tracker.cpuNow(50)).toBe(3);
    expect(tracker.cpuNow(51)).toBeNull();
  });

  it('starts tracking a small process from the first interval it is busy, against the table before it only', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const small = (at: number, cpuSeconds: number, ageSeconds = 3600 + (at - T0) / 1000) => row(60, { at, ageSeconds, rssBytes: 10e6, cpuPercent: 2, cpuSeconds });
    tracker.update({ at: T0, rows: [small(T0, 100)] });
    // 1 s of CPU in 5 s: 20 %, under the 150 % bar.
    tracker.update({ at: T0 + 5000, rows: [small(T0 + 5000, 101)] });
    expect(tracker.trackedCount).toBe(0);
    // A repeat of the same table changes nothing (the previous table stays the one before it).
    tracker.update({ at: T0 + 5000, rows: [small(T0 + 5000, 101)] });
    // 10 s of CPU in 5 s: 200 %.
    tracker.update({ at: T0 + 10_000, rows: [small(T0 + 10_000, 111)] });
    expect(tracker.trackedCount).toBe(1);
    expect(tracker.cpuNow(60)).toBeCloseTo(200, 5);
    // Another process on the pid with a large CPU-time figure is not measured against the old one.
    tracker.update({ at: T0 + 15_000, rows: [small(T0 + 15_000, 500, 2)] });
    expect(tracker.trackedCount).toBe(0);
    expect(tracker.cpuNow(60)).toBe(2);
  });

  it('never merges a reused PID with the process that had it, and evicts exited processes', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    for (let i = 0; i <= 6; i++) {
      const at = T0 + i * 5 * MIN;
      tracker.update({ at, rows: [row(77, { at, ageSeconds: 3600 + i * 300, rssBytes: 4 * GB + i * 0.5 * GB })] });
    }
    expect(tracker.thieves(T0 + 30 * MIN, null)[0]?.growth).not.toBeNull();
    // Same pid, new process started a minute ago: its history starts empty.
    const at = T0 + 35 * MIN;
    tracker.update({ at, rows: [row(77, { at, ageSeconds: 60, rssBytes: 8 * GB })] });
    expect(tracker.thieves(at, null)[0]?.growth).toBeNull();
    tracker.update({ at: at + MIN, rows: [] });
    expect(tracker.trackedCount).toBe(0);
  });
});

describe('top holders', () => {
  it('names only processes holding at least 1% of RAM (and 100 MB), however few there are', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    tracker.update({ at: T0, rows: [row(1, { at: T0, ageSeconds: 9e5, rssBytes: 4e6 }), row(2, { at: T0, ageSeconds: 9e5, rssBytes: 900e6 })] });
    expect(tracker.thieves(T0, memory(T0, 30 * 2 ** 30)).map((t) => t.pid)).toEqual([2]);
  });
});

describe('recogniseRole', () => {
  it.each([
    ['ollama', '/opt/homebrew/opt/ollama/bin/ollama serve', 'ollama'],
    ['ollama', '/Applications/Ollama.app/Contents/Resources/ollama runner --model /x --port 5', 'ollama-runner'],
    ['llama-server', '/Applications/Ollama.app/Contents/Resources/llama-server --model /b --port 1', 'ollama-runner'],
    ['llama-server', '/opt/homebrew/bin/llama-server -m m.gguf', 'llama-server'],
    ['Python', '/usr/bin/python3 -m mlx_lm server --model x', 'mlx-server'],
    ['sanctum-mlx', '/Users/bert/sanctum/bin/sanctum-mlx --port 1337', 'mlx-server'],
    ['python3', 'python3 /x/bin/vllm serve m', 'vllm'],
    ['qemu-system-aarch64', 'qemu-system-aarch64 -M virt', 'vm'],
    ['Slack Helper (Renderer)', '/Applications/Slack.app/x', 'electron-helper'],
    ['bash', '/bin/bash', null],
  ])('%s → %s', (name, command, role) => {
    expect(recogniseRole({ pid: 2, ppid: 1, name, command })?.role ?? null).toBe(role);
  });
});

describe('fitLine', () => {
  it('recovers an exact slope and r² 1', () => {
    const fit = fitLine([0, 1, 2, 3].map((i) => ({ at: i * 1000, value: 10 + 2 * i })));
    expect(fit!.slopePerMs * 1000).toBeCloseTo(2);
    expect(fit!.r2).toBeCloseTo(1);
  });
  it('refuses fewer than three points or a zero span', () => {
    expect(fitLine([{ at: 0, value: 1 }, { at: 1, value: 2 }])).toBeNull();
    expect(fitLine([0, 0, 0].map((at) => ({ at, value: at })))).toBeNull();
  });
});
