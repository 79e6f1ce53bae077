/** OS memory pressure as the OS reports it (darwin: kern.memorystatus_vm_pressure_level; linux: PSI). */
export type PressureLevel = 'normal' | 'warn' | 'critical';
/** The pressure levels in order: higher is worse (the series keeps a bucket's worst; /metrics exports the number). */
export const PRESSURE_RANK: Readonly<Record<PressureLevel, number>> = { normal: 0, warn: 1, critical: 2 };

/** Cumulative counters, in pages of `pageSizeBytes`; rates are derived from two samples. */
export interface PagingCounters {
  pageSizeBytes: number;
  pageins: number;
  pageouts: number;
  swapins: number;
  swapouts: number;
}

/** Host memory, one shape for darwin and linux. Every size in bytes. */
export interface MemorySample {
  at: number;
  platform: 'darwin' | 'linux';
  totalBytes: number;
  /** Pages nobody uses at all. Tiny on a healthy Mac; not a pressure signal by itself. */
  freeBytes: number;
  /** What can be had without swapping (darwin: total − app − wired − compressor; linux: MemAvailable). */
  availableBytes: number;
  compressedBytes: number | null;
  wiredBytes: number | null;
  swapTotalBytes: number;
  swapUsedBytes: number;
  pressure: PressureLevel | null;
  /** Where the pressure level came from, e.g. "kern.memorystatus_vm_pressure_level = 4". */
  pressureSource: string;
  /** darwin kern.memorystatus_level (0–100), when the OS has it. */
  freePercent: number | null;
  counters: PagingCounters | null;
}

/** Per-second rates between two samples, in bytes per second. */
export interface PagingRates {
  pageInBytesPerSec: number;
  pageOutBytesPerSec: number;
  swapInBytesPerSec: number;
  swapOutBytesPerSec: number;
  overSeconds: number;
}

export interface MemoryView extends MemorySample {
  rates: PagingRates | null;
}
