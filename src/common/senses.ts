import type { Part } from './result.js';

/** Throttling as the host reports it: darwin `pmset -g therm`, linux thermal zones and cpufreq. */
export interface ThermalView {
  source: string;
  /** The CPU is held back now: a speed or scheduler limit under 100 %, a recorded warning level, a zone past its trip point. */
  throttled: boolean;
  /** One line with its numbers: "no thermal or performance warning recorded", "CPU speed limited to 70 %". */
  summary: string;
  speedLimitPercent: number | null;
  schedulerLimitPercent: number | null;
  /** The recorded level's text, null when pmset says none was recorded (or on linux). */
  thermalWarning: string | null;
  performanceWarning: string | null;
  zones: Array<{ type: string; celsius: number; tripCelsius: number | null }>;
  /** Mean current and max CPU frequency over the cores that report them (linux), kHz. */
  cpuFreq: { currentKHz: number; maxKHz: number } | null;
  /** The first read of the current run of throttled reads; null when not throttled. */
  throttledSince: number | null;
  /** The app's Electron powerMonitor thermal state (macOS): "nominal", "fair", "serious", "critical"; null outside the app. */
  appState: AppThermalState | null;
}

export type AppThermalState = 'unknown' | 'nominal' | 'fair' | 'serious' | 'critical';

/** A volume that matters (holds swap, models or Warden's data), read by statfs. */
export interface VolumeView {
  /** The first path of it Warden checked; `paths` lists every role's path on this device. */
  path: string;
  roles: Array<'swap' | 'models' | 'data'>;
  paths: string[];
  totalBytes: number;
  availableBytes: number;
}

export interface DiskView {
  volumes: VolumeView[];
}

export interface LoadView {
  /** 1, 5 and 15 minute load averages. */
  loadavg: [number, number, number];
  cores: number;
}

/** One number a server prints in its own log, tailed (services[].logs in the config). */
export interface LogMetricView {
  service: string;
  name: string;
  path: string;
  /** What the values below are in: "ms" for time units (converted), else the configured unit. */
  unit: string;
  latest: { value: number; at: number } | null;
  /** Median of the recent values before the latest; null until there are three. */
  baseline: number | null;
  ratio: number | null;
  /** Values held (bounded). */
  count: number;
  /** "prefill 59.2 s, baseline 200 ms (296×)". */
  text: string;
  /** Why the log could not be read this cycle; null when it was. */
  error: string | null;
}

/** The candidate causes Warden measures each cycle besides memory and processes. */
export interface SensesView {
  thermal: Part<ThermalView>;
  disk: Part<DiskView>;
  load: Part<LoadView>;
  logs: LogMetricView[];
}
