import { PRESSURE_RANK, type MemorySample, type MemoryView, type PressureLevel } from '../../common/memory.js';
import type { DataFolder } from './folder.js';

/** The host memory series in series.json: the last hour per sample and 24 h per minute. */

export interface MemoryPoint {
  at: number;
  availableBytes: number;
  freeBytes: number;
  swapUsedBytes: number;
  pressure: PressureLevel | null;
  swapOutBytesPerSec: number | null;
}

/** One minute of samples; `at` is the minute's start. */
export interface MemoryBucket {
  at: number;
  samples: number;
  availableAvgBytes: number;
  availableMinBytes: number;
  swapUsedMaxBytes: number;
  swapOutMaxBytesPerSec: number | null;
  pressureMax: PressureLevel | null;
}

export interface MemorySeries {
  recent: MemoryPoint[];
  minutes: MemoryBucket[];
}

const SERIES = 'series.json';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

export class MemorySeriesFile {
  private recent: MemoryPoint[] = [];
  private minutes: MemoryBucket[] = [];

  constructor(private readonly folder: DataFolder) {}

  addMemorySample(sample: MemorySample | MemoryView): void {
    const rates = 'rates' in sample ? sample.rates : null;
    const point: MemoryPoint = {
      at: sample.at,
      availableBytes: sample.availableBytes,
      freeBytes: sample.freeBytes,
      swapUsedBytes: sample.swapUsedBytes,
      pressure: sample.pressure,
      swapOutBytesPerSec: rates ? rates.swapOutBytesPerSec : null,
    };
    const last = this.recent[this.recent.length - 1];
    if (last && point.at < last.at) {
      // The clock went back: what lies "ahead" of now would never age out on time.
      this.recent = this.recent.filter((p) => p.at <= point.at);
      this.minutes = this.minutes.filter((b) => b.at <= point.at);
    }
    this.recent.push(point);
    this.recent = this.recent.filter((p) => p.at > point.at - HOUR_MS);

    const minute = Math.floor(point.at / MINUTE_MS) * MINUTE_MS;
    let bucket = this.minutes[this.minutes.length - 1];
    if (!bucket || bucket.at !== minute) {
      bucket = {
        at: minute, samples: 0, availableAvgBytes: 0, availableMinBytes: point.availableBytes,
        swapUsedMaxBytes: point.swapUsedBytes, swapOutMaxBytesPerSec: null, pressureMax: null,
      };
      this.minutes.push(bucket);
    }
    bucket.samples += 1;
    bucket.availableAvgBytes += (point.availableBytes - bucket.availableAvgBytes) / bucket.samples;
    bucket.availableMinBytes = Math.min(bucket.availableMinBytes, point.availableBytes);
    bucket.swapUsedMaxBytes = Math.max(bucket.swapUsedMaxBytes, point.swapUsedBytes);
    if (point.swapOutBytesPerSec !== null) bucket.swapOutMaxBytesPerSec = Math.max(bucket.swapOutMaxBytesPerSec ?? 0, point.swapOutBytesPerSec);
    if (point.pressure && (!bucket.pressureMax || PRESSURE_RANK[point.pressure] > PRESSURE_RANK[bucket.pressureMax])) bucket.pressureMax = point.pressure;
    this.minutes = this.minutes.filter((b) => b.at > point.at - DAY_MS);
  }

  memorySeries(): MemorySeries {
    return structuredClone({ recent: this.recent, minutes: this.minutes });
  }

  saveSeries(): Promise<void> {
    if (this.folder.readOnly) return Promise.resolve();
    return this.folder.serial(() => this.folder.writeAtomic(SERIES, JSON.stringify({ version: 1, recent: this.recent, minutes: this.minutes })));
  }

  async load(): Promise<void> {
    const value = await this.folder.readJson(SERIES);
    if (value === undefined) return;
    const v = value as { version?: unknown; recent?: unknown; minutes?: unknown } | null;
    const pointsOk = (list: unknown): boolean => Array.isArray(list) && list.every((p) => typeof (p as { at?: unknown })?.at === 'number');
    if (v?.version !== 1 || !pointsOk(v.recent) || !pointsOk(v.minutes)) {
      this.folder.openProblems.push(`${SERIES}: not a memory series; starting a new one`);
      return;
    }
    this.recent = v.recent as MemoryPoint[];
    this.minutes = v.minutes as MemoryBucket[];
  }
}
