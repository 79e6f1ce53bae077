/**
 * The per-process judgements (growth, sustained CPU, arrival) give the same answer at every
 * engine interval: seeded series sampled every 1, 2, 5, 10, 30 and 60 s through the real
 * ThiefTracker.
 */
import { describe, expect, it } from 'vitest';
import { ThiefTracker } from '../../../src/engine/thieves.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { ProcessRow, Thief } from '../../../src/common/processes.js';
import type { MemorySample } from '../../../src/common/memory.js';
import { seededRandom } from '../../support/seeded-random.js';

const INTERVALS_S = [1, 2, 5, 10, 30, 60];
const MIN = 60_000;
const HOUR = 60 * MIN;
const GB = 1e9;
const MB = 1e6;
const T0 = Date.UTC(2026, 5, 2, 9, 0, 0);
const AVAILABLE = 6 * 2 ** 30;

/** What one process looks like at time `at` (ms since T0). */
interface Shape {
  pid: number;
  name: string;
  /** Started this long before T0. */
  ageAtStartMs: number;
  rss: (sinceStartMs: number, random: () => number) => number;
  /** Cumulative CPU seconds at that time; null: ps gave none. */
  cpuSeconds?: (sinceStartMs: number) => number | null;
  cpuPercent?: (sinceStartMs: number) => number;
}

function memoryAt(at: number): MemorySample {
  return {
    at,
    platform: 'linux',
    totalBytes: 32 * 2 ** 30,
    freeBytes: 2 * 2 ** 30,
    availableBytes: AVAILABLE,
    compressedBytes: null,
    wiredBytes: null,
    swapTotalBytes: 0,
    swapUsedBytes: 0,
    pressure: 'normal',
    pressureSource: 'test',
    freePercent: null,
    counters: null,
  };
}

function rowAt(shape: Shape, since: number, random: () => number): ProcessRow {
  const at = T0 + since;
  const elapsedSeconds = Math.floor((shape.ageAtStartMs + since) / 1000);
  return {
    pid: shape.pid,
    ppid: 1,
    uid: 501,
    rssBytes: Math.round(shape.rss(since, random) / 1024) * 1024,
    cpuPercent: shape.cpuPercent?.(since) ?? 0.5,
    cpuSeconds: shape.cpuSeconds ? shape.cpuSeconds(since) : null,
    elapsedSeconds,
    // As ps gives it: from whole seconds of etime, so it jitters by up to a second.
    startedAt: at - elapsedSeconds * 1000,
    name: shape.name,
    command: `/usr/local/bin/${shape.name}`,
    zombie: false,
  };
}

/** Runs the tracker for `forMs` at `intervalS` and returns the thieves after the last sample. */
function run(shapes: Shape[], intervalS: number, forMs: number, seed: number): { thieves: Thief[]; now: number } {
  const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
  const random = seededRandom(seed);
  let since = 0;
  for (; since <= forMs; since += intervalS * 1000) {
    tracker.update({ at: T0 + since, rows: shapes.map((s) => rowAt(s, since, random)) });
  }
  const now = T0 + since - intervalS * 1000;
  return { thieves: tracker.thieves(now, memoryAt(now)), now };
}

/** ±amplitude, uniform. */
function jitter(random: () => number, amplitude: number): number {
  return (random() * 2 - 1) * amplitude;
}

const leak = (pid: number, gbPerHour: number, fromMs: number): Shape => ({
  pid,
  name: `leaker${pid}`,
  ageAtStartMs: 3 * HOUR,
  rss: (t, random) => 4 * GB + Math.max(0, t - fromMs) * ((gbPerHour * GB) / HOUR) + jitter(random, 20 * MB),
});

const flat = (pid: number, amplitude: number, driftGbPerHour = 0): Shape => ({
  pid,
  name: `steady${pid}`,
  ageAtStartMs: 5 * HOUR,
  rss: (t, random) => 8 * GB + t * ((driftGbPerHour * GB) / HOUR) + jitter(random, amplitude),
});

/** Linux prints CPU time in whole seconds: the coarsest CPU time a test can give. */
const busy = (pid: number, percent: (t: number) => number, wholeSeconds: boolean): Shape => ({
  pid,
  name: `busy${pid}`,
  ageAtStartMs: 2 * HOUR,
  rss: () => 300 * MB,
  cpuPercent: () => 40,
  cpuSeconds: (t) => {
    // Integrate percent/100 over [0, t] in 1 s steps, so the CPU time is the exact running sum.
    let total = 0;
    for (let s = 0; s < t / 1000; s += 1) total += percent(s * 1000) / 100;
    return wholeSeconds ? Math.floor(total) : Math.round(total * 100) / 100;
  },
});

const find = (thieves: Thief[], pid: number) => thieves.find((t) => t.pid === pid);
/** Per-interval leak-rate error, printed for the notes. */
const errors: string[] = [];

describe.each(INTERVALS_S)('sampled every %i s', (intervalS) => {
  it('finds a steady leak with its rate within ±15 % and an ETA, and nothing in flat noise', () => {
    // 1.2 GB/h for 40 min in a process flat for hours before; flat noise of ±60 MB; a drift of
    // 0.2 GB/h, real but under the 512 MiB/h bar.
    const shapes = [leak(101, 1.2, 20 * MIN), flat(102, 60 * MB), flat(103, 10 * MB, 0.2)];
    const { thieves } = run(shapes, intervalS, 60 * MIN, 0xc0ffee + intervalS);
    const leaker = find(thieves, 101);
    expect(leaker?.growth, `no growth at ${intervalS} s`).toBeTruthy();
    const rate = leaker!.growth!.bytesPerHour / GB;
    errors.push(`${intervalS} s: 1.2 GB/h measured ${rate.toFixed(3)} (${(((rate - 1.2) / 1.2) * 100).toFixed(1)} %)`);
    expect(Math.abs(rate - 1.2) / 1.2).toBeLessThanOrEqual(0.15);
    expect(leaker!.growth!.windowSeconds).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.growthMinWindowMinutes * 60);
    expect(leaker!.growth!.exhaustsInSeconds).toBeCloseTo((AVAILABLE / (rate * GB)) * 3600, -2);
    expect(leaker!.reasons).toContain('growth');
    expect(leaker!.story).toMatch(/growing 1\.[0-3] GB\/h over \d+ min; available memory gone in ~/);
    expect(find(thieves, 102)?.growth ?? null).toBeNull();
    expect(find(thieves, 103)?.growth ?? null).toBeNull();
  });

  it('finds a slow leak (0.65 GB/h, above the 512 MiB/h bar by more than the noise) over 25 min within ±15 %', () => {
    const { thieves } = run([leak(111, 0.65, 35 * MIN)], intervalS, 60 * MIN, 0xbeef + intervalS);
    const growth = find(thieves, 111)?.growth;
    expect(growth, `no growth at ${intervalS} s`).toBeTruthy();
    const rate = growth!.bytesPerHour / GB;
    errors.push(`${intervalS} s: 0.65 GB/h over 25 min measured ${rate.toFixed(3)} (${(((rate - 0.65) / 0.65) * 100).toFixed(1)} %)`);
    expect(Math.abs(rate - 0.65) / 0.65).toBeLessThanOrEqual(0.15);
  });

  it('gives no growth before the fit window has passed', () => {
    const { thieves } = run([leak(121, 3, 0)], intervalS, 15 * MIN, 7);
    expect(find(thieves, 121)?.growth ?? null).toBeNull();
  });

  it('calls 300 % CPU for 12 min sustained, from whole-second CPU time, and a stop-start load not', () => {
    const steady = busy(201, () => 300, true);
    // Busy 2 min, idle 1 min, over and over: it averages 200 %, but it is not a sustained load.
    const stopStart = busy(202, (t) => ((t / MIN) % 3 < 2 ? 300 : 0), true);
    const { thieves } = run([steady, stopStart], intervalS, 12 * MIN, 1);
    const sustained = find(thieves, 201)?.sustainedCpu;
    expect(sustained, `not sustained at ${intervalS} s`).toBeTruthy();
    expect(Math.abs(sustained!.averagePercent - 300)).toBeLessThanOrEqual(3);
    expect(sustained!.forSeconds).toBeGreaterThanOrEqual(0.9 * DEFAULT_THRESHOLDS.sustainedCpuMinutes * 60);
    expect(find(thieves, 201)!.cpuPercent).toBeGreaterThan(250);
    expect(find(thieves, 202)?.sustainedCpu ?? null).toBeNull();
  });

  it('does not call 8 min of load sustained', () => {
    const { thieves } = run([busy(211, (t) => (t >= 4 * MIN ? 300 : 0), false)], intervalS, 12 * MIN, 2);
    expect(find(thieves, 211)?.sustainedCpu ?? null).toBeNull();
  });

  it('names a 3 GB arrival by its age, and not once it is older than the window', () => {
    const arrival: Shape = { pid: 301, name: 'arrival', ageAtStartMs: 20 * MIN, rss: () => 3 * GB };
    const young = run([arrival], intervalS, 5 * MIN, 3);
    expect(find(young.thieves, 301)?.arrivedAgoSeconds).toBe(Math.floor((20 * MIN + (young.now - T0)) / 1000));
    const old = run([arrival], intervalS, 11 * MIN, 3);
    expect(find(old.thieves, 301)?.arrivedAgoSeconds ?? null).toBeNull();
  });
});

describe('the track stays bounded', () => {
  it('holds at most 6 h of kept points at 1 s cycles, and still measures the leak', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const random = seededRandom(9);
    const shape = leak(401, 0.8, 0);
    for (let since = 0; since <= 7 * HOUR; since += 1000) tracker.update({ at: T0 + since, rows: [rowAt(shape, since, random)] });
    const track = (tracker as unknown as { tracks: Map<number, { keptPoints: readonly unknown[] }> }).tracks.get(401)!;
    expect(track.keptPoints.length).toBeLessThanOrEqual(6 * 120 + 1);
    expect(track.keptPoints.length).toBeGreaterThan(6 * 120 - 2);
    const growth = tracker.thieves(T0 + 7 * HOUR, memoryAt(T0 + 7 * HOUR))[0]?.growth;
    expect(Math.abs(growth!.bytesPerHour / GB - 0.8) / 0.8).toBeLessThan(0.05);
    expect(growth!.windowSeconds).toBeLessThanOrEqual(6 * 3600);
  });

  it('ignores a duplicate or out-of-order table', () => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const random = seededRandom(10);
    const shape = leak(402, 1.5, 0);
    for (let since = 0; since <= 40 * MIN; since += 5000) {
      tracker.update({ at: T0 + since, rows: [rowAt(shape, since, random)] });
      // The same sample again, and one from a minute ago with a wild value.
      tracker.update({ at: T0 + since, rows: [rowAt(shape, since, random)] });
      tracker.update({ at: T0 + since - MIN, rows: [{ ...rowAt(shape, since, random), rssBytes: 40 * GB }] });
    }
    const growth = tracker.thieves(T0 + 40 * MIN, null)[0]?.growth;
    expect(Math.abs(growth!.bytesPerHour / GB - 1.5) / 1.5).toBeLessThan(0.15);
  });
});

describe('leak-rate error per interval', () => {
  it('is printed for the record', () => {
    // Runs after the per-interval cases above (vitest keeps file order).
    console.log(`leak-rate error per interval:\n  ${errors.join('\n  ')}`);
    expect(errors.length).toBe(INTERVALS_S.length * 2);
  });
});
