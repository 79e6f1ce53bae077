import type { Thresholds } from '../common/config.js';
import type { MemorySample } from '../common/memory.js';
import type { Growth, ProcessRow, ProcessTable, SustainedCpu, Thief } from '../common/processes.js';
import { formatDecimalGB, formatDuration, formatGrowthRate } from '../common/format.js';
import { bestTrailingFit } from './growth.js';
import { ProcessTrack, type KeptPoint, type TrackPoint } from './process-track.js';
import { sameStart } from './identity.js';
import { ancestryOf, recogniseRole } from './roles.js';

/** Smaller processes keep no history: a leak worth naming passes this long before it matters. */
const TRACK_MIN_BYTES = 64 * 1024 * 1024;
/** A "top holder" must hold at least this share of RAM (and 100 MB): a 4 MB shell is nobody's thief. */
const TOP_MIN_SHARE = 0.01;
const TOP_MIN_BYTES = 100e6;
/** A growth line needs this many points, whatever the interval. */
const GROWTH_MIN_POINTS = 5;
/** "CPU now" covers at least this long when the history has it (see ProcessTrack.cpuBaseline). */
const CPU_NOW_MIN_MS = 10_000;

/**
 * Per-process history keyed by pid + start time, so PID reuse never merges two processes and
 * exited processes are evicted at the next table. Each history is downsampled (ProcessTrack),
 * so growth and sustained CPU give the same answer at any engine interval.
 */
export class ThiefTracker {
  private tracks = new Map<number, ProcessTrack>();
  private latest: ProcessTable | null = null;
  private previous: ProcessTable | null = null;
  /** The latest table's rows by pid, built as update reads it; thieves() and the next update read it. */
  private latestIndex = new Map<number, ProcessRow>();
  private previousIndex = new Map<number, ProcessRow>();

  constructor(private thresholds: Thresholds) {}

  setThresholds(thresholds: Thresholds): void {
    this.thresholds = thresholds;
  }

  get trackedCount(): number {
    return this.tracks.size;
  }

  update(table: ProcessTable): void {
    // A table at or before the last one (a duplicate or out-of-order sample) changes nothing.
    if (this.latest && table.at <= this.latest.at) return;
    this.previous = this.latest;
    this.previousIndex = this.latestIndex;
    this.latest = table;
    const index = new Map<number, ProcessRow>();
    this.latestIndex = index;
    for (const row of table.rows) {
      index.set(row.pid, row);
      let track = this.tracks.get(row.pid);
      if (track && !sameStart(track.startedAt, row.startedAt)) track = undefined;
      if (!track) {
        if (!this.worthTracking(row)) {
          this.tracks.delete(row.pid);
          continue;
        }
        track = new ProcessTrack(row.pid, row.startedAt);
        this.tracks.set(row.pid, track);
      }
      track.add(pointOf(row, table.at));
    }
    for (const pid of this.tracks.keys()) if (!index.has(pid)) this.tracks.delete(pid);
  }

  /** Big enough to leak, or busy now: by ps's figure or by CPU time since the last table. */
  private worthTracking(row: ProcessRow): boolean {
    if (row.rssBytes >= TRACK_MIN_BYTES || row.cpuPercent >= this.thresholds.sustainedCpuPercent) return true;
    const before = this.previousRow(row);
    return before !== null && rowsCpu(before, this.previous!.at, row, this.latest!.at) >= this.thresholds.sustainedCpuPercent;
  }

  /** The same process in the previous table, or null (absent, or another process on the pid). */
  private previousRow(row: ProcessRow): ProcessRow | null {
    if (!this.previous) return null;
    const before = this.previousIndex.get(row.pid);
    return before && sameStart(before.startedAt, row.startedAt) ? before : null;
  }

  /**
   * A process's CPU % over the recent past, from cumulative CPU time (ps %cpu is a lifetime
   * average on Linux): its track when that spans an interval, else the last two tables (so the
   * table that made a small process worth tracking measures it too), else ps's figure. Null
   * when the latest table does not hold it.
   */
  cpuNow(pid: number): number | null {
    const row = this.latestIndex.get(pid);
    return row ? this.cpuOf(row) : null;
  }

  private cpuOf(row: ProcessRow): number {
    const track = this.tracks.get(row.pid);
    const fromTrack = track && sameStart(track.startedAt, row.startedAt) ? trackCpu(track) : null;
    if (fromTrack !== null) return fromTrack;
    const before = this.previousRow(row);
    return before && this.previous && this.latest ? rowsCpu(before, this.previous.at, row, this.latest.at) : row.cpuPercent;
  }

  /** The processes worth naming now, most important first. */
  thieves(now: number, memory: MemorySample | null): Thief[] {
    const table = this.latest;
    if (!table) return [];
    const t = this.thresholds;
    const byMemory = table.rows.filter((r) => !r.zombie).sort((a, b) => memoryOf(b) - memoryOf(a));
    const floor = Math.max(TOP_MIN_BYTES, memory ? memory.totalBytes * TOP_MIN_SHARE : 0);
    const top = new Set(byMemory.slice(0, t.topByMemory).filter((r) => memoryOf(r) >= floor).map((r) => r.pid));
    const out: Thief[] = [];
    const byPid = this.latestIndex;
    for (const row of byMemory) {
      const track = this.tracks.get(row.pid);
      const reasons: Thief['reasons'] = [];
      if (top.has(row.pid)) reasons.push('memory');
      const sustained = track ? this.sustainedCpu(track) : null;
      const cpuNow = this.cpuOf(row);
      if (sustained || cpuNow >= t.sustainedCpuPercent) reasons.push('cpu');
      const growth = track ? this.growth(track, memory) : null;
      if (growth) reasons.push('growth');
      const age = Math.max(0, now - row.startedAt);
      const arrived = age <= t.arrivalWindowMinutes * 60_000 && memoryOf(row) >= t.arrivalMinBytes;
      if (arrived) reasons.push('arrival');
      if (reasons.length === 0) continue;
      const role = recogniseRole(row, ancestryOf(row, byPid));
      const metric = row.footprintBytes !== undefined ? 'footprint' : 'rss';
      const thief: Thief = {
        pid: row.pid,
        startedAt: row.startedAt,
        name: row.name,
        command: row.command,
        role: role?.role ?? null,
        roleLabel: role?.label ?? null,
        rssBytes: row.rssBytes,
        footprintBytes: row.footprintBytes ?? null,
        memoryMetric: metric,
        memoryBytes: memoryOf(row),
        cpuPercent: Math.round(cpuNow * 10) / 10,
        sustainedCpu: sustained,
        growth,
        arrivedAgoSeconds: arrived ? Math.round(age / 1000) : null,
        reasons,
        story: '',
      };
      thief.story = storyOf(thief);
      out.push(thief);
    }
    return out.sort(rank);
  }

  private growth(track: ProcessTrack, memory: MemorySample | null): Growth | null {
    const t = this.thresholds;
    const newest = track.latest;
    if (!newest) return null;
    // Footprint and RSS are different figures: a line is drawn through one of them only.
    const metric = newest.metric;
    const gates = { minSpanMs: t.growthMinWindowMinutes * 60_000, minPoints: GROWTH_MIN_POINTS, minSlopePerMs: t.growthMinBytesPerHour / 3_600_000 };
    const fit = bestTrailingFit(track.keptPoints, gates, { at: meanAtOf, value: meanBytesOf, counts: (p) => p.metric === metric });
    if (!fit || fit.r2 < t.growthMinR2) return null;
    const bytesPerHour = fit.slopePerMs * 3_600_000;
    const exhausts = memory && bytesPerHour > 0 ? (memory.availableBytes / bytesPerHour) * 3600 : null;
    return {
      bytesPerHour: Math.round(bytesPerHour),
      r2: Math.round(fit.r2 * 1000) / 1000,
      windowSeconds: Math.round(fit.spanMs / 1000),
      exhaustsInSeconds: exhausts === null ? null : Math.round(exhausts),
    };
  }

  /**
   * The trailing run of busy intervals between kept points (30 s or more apart at any engine
   * interval, so one cycle's jitter never breaks a run); sustained when it spans the window and
   * averages above the bar.
   */
  private sustainedCpu(track: ProcessTrack): SustainedCpu | null {
    const t = this.thresholds;
    const points = track.keptPoints;
    let first = points.length - 1;
    // Every interval in the run must be busy, or a spike at each end would pass.
    while (first > 0 && intervalCpu(points[first - 1]!, points[first]!) >= t.sustainedCpuPercent * 0.5) first -= 1;
    const start = points[first];
    const last = points.at(-1);
    if (!start || !last || start === last) return null;
    const span = last.at - start.at;
    if (span < t.sustainedCpuMinutes * 60_000 * 0.9) return null;
    const average =
      start.cpuSeconds !== null && last.cpuSeconds !== null && last.cpuSeconds >= start.cpuSeconds
        ? ((last.cpuSeconds - start.cpuSeconds) / (span / 1000)) * 100
        : points.slice(first).reduce((sum, p) => sum + p.cpuPercent, 0) / (points.length - first);
    if (average < t.sustainedCpuPercent) return null;
    return { averagePercent: Math.round(average), forSeconds: Math.round(span / 1000) };
  }
}

function pointOf(row: ProcessRow, at: number): TrackPoint {
  return {
    at,
    bytes: memoryOf(row),
    metric: row.footprintBytes !== undefined ? 'footprint' : 'rss',
    cpuSeconds: row.cpuSeconds,
    cpuPercent: row.cpuPercent,
  };
}

const meanAtOf = (p: KeptPoint): number => p.meanAt;
const meanBytesOf = (p: KeptPoint): number => p.meanBytes;

function memoryOf(row: ProcessRow): number {
  return row.footprintBytes ?? row.rssBytes;
}

/** CPU since the track's baseline (see ProcessTrack.cpuBaseline); null until it holds two readings. */
function trackCpu(track: ProcessTrack): number | null {
  const newest = track.latest;
  const base = newest ? track.cpuBaseline(CPU_NOW_MIN_MS) : null;
  return newest && base ? intervalCpu(base, newest) : null;
}

/** CPU between two readings, from cumulative CPU time where ps gave it (linux %cpu is a lifetime average). */
function intervalCpu(a: TrackPoint, b: TrackPoint): number {
  return cpuBetween(a.at, a.cpuSeconds, b.at, b.cpuSeconds, b.cpuPercent);
}

/** The same between a process's rows in two tables (read at `aAt` and `bAt`), without a point made of each. */
function rowsCpu(a: ProcessRow, aAt: number, b: ProcessRow, bAt: number): number {
  return cpuBetween(aAt, a.cpuSeconds, bAt, b.cpuSeconds, b.cpuPercent);
}

function cpuBetween(aAt: number, aSeconds: number | null, bAt: number, bSeconds: number | null, bPercent: number): number {
  if (aSeconds === null || bSeconds === null || bAt <= aAt) return bPercent;
  const pct = ((bSeconds - aSeconds) / ((bAt - aAt) / 1000)) * 100;
  return pct >= 0 ? pct : bPercent;
}

function rank(a: Thief, b: Thief): number {
  const weight = (x: Thief) => (x.growth ? 4 : 0) + (x.arrivedAgoSeconds !== null ? 2 : 0) + (x.sustainedCpu ? 1 : 0);
  return weight(b) - weight(a) || b.memoryBytes - a.memoryBytes;
}

/** One line an operator can read at 3 a.m. */
export function storyOf(t: Thief): string {
  const parts: string[] = [`${formatDecimalGB(t.memoryBytes)} ${t.memoryMetric === 'footprint' ? 'footprint' : 'RSS'}`];
  if (t.growth) {
    let g = `growing ${formatGrowthRate(t.growth.bytesPerHour)} over ${formatDuration(t.growth.windowSeconds)}`;
    if (t.growth.exhaustsInSeconds !== null) g += `; available memory gone in ~${formatDuration(t.growth.exhaustsInSeconds)} at this rate`;
    parts.push(g);
  }
  if (t.arrivedAgoSeconds !== null) parts.push(`arrived ${formatDuration(t.arrivedAgoSeconds)} ago`);
  if (t.sustainedCpu) parts.push(`${t.sustainedCpu.averagePercent}% CPU for ${formatDuration(t.sustainedCpu.forSeconds)}`);
  else if (t.reasons.includes('cpu')) parts.push(`${Math.round(t.cpuPercent)}% CPU now`);
  return parts.join(', ');
}
