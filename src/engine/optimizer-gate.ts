import v8 from 'node:v8';

/**
 * A long-running Warden (watch, serve, the app) runs each of its functions about once a cycle,
 * every 5 s. V8's optimizing compiler (TurboFan) still counts most of them hot within minutes
 * and compiles them on a helper thread, 1–50 ms of CPU each (measured: 29 functions, 274 ms, in
 * the first 4 minutes of `warden watch` on a host of 100 processes), to save microseconds a
 * cycle; its code and its compile zones grow the RSS by a few MiB. So a long-running process
 * starts with TurboFan off (Ignition and Sparkplug, the baseline compiler, still run everything)
 * and turns it on for good once its cycles cost more than OPTIMIZE_ABOVE_SHARE of a core over a
 * minute: a host with thousands of processes, whose table loops pay the compile back in seconds.
 */

/** Past this share of one core, over the last OPTIMIZE_WINDOW_MS, the process turns TurboFan on. */
export const OPTIMIZE_ABOVE_SHARE = 0.005;
/** The window the share is measured over. */
export const OPTIMIZE_WINDOW_MS = 60_000;
/** Start-up (imports, the first cycles, discovery, the host identity) is not counted. */
export const OPTIMIZE_SETTLE_MS = 60_000;

export interface OptimizerGateDeps {
  /** The process's CPU so far, µs (all its threads). */
  cpuMicros(): number;
  now(): number;
  /** V8's flags, as `node --…` takes them; null where they cannot be set. */
  setFlags: ((flags: string) => void) | null;
}

export class OptimizerGate {
  private readonly startedAt: number;
  private readings: Array<{ at: number; cpu: number }> = [];
  /** Whether TurboFan runs: on unless this gate turned it off and has not turned it back on. */
  optimizing = true;
  /** Why TurboFan was turned back on, once it was. */
  reason: string | null = null;

  constructor(private readonly deps: OptimizerGateDeps) {
    this.startedAt = deps.now();
    if (!deps.setFlags) return;
    deps.setFlags('--no-turbofan');
    this.optimizing = false;
  }

  /** After a cycle has published: TurboFan back on when the last minute cost more than the bar. True when it was turned on now. */
  afterCycle(): boolean {
    const setFlags = this.deps.setFlags;
    if (this.optimizing || !setFlags) return false;
    const now = this.deps.now();
    if (now - this.startedAt < OPTIMIZE_SETTLE_MS) return false;
    const cpu = this.deps.cpuMicros();
    this.readings.push({ at: now, cpu });
    while (this.readings.length > 1 && now - (this.readings[1] as { at: number }).at >= OPTIMIZE_WINDOW_MS) this.readings.shift();
    const first = this.readings[0] as { at: number; cpu: number };
    const spanMs = now - first.at;
    if (spanMs < OPTIMIZE_WINDOW_MS) return false;
    const share = (cpu - first.cpu) / 1000 / spanMs;
    if (share <= OPTIMIZE_ABOVE_SHARE) return false;
    setFlags('--turbofan');
    this.optimizing = true;
    this.reason = `${(share * 100).toFixed(2)} % of a core over ${Math.round(spanMs / 1000)} s`;
    this.readings = [];
    return true;
  }
}

/** V8's flags for this process; null where the runtime refuses them. */
export function v8Flags(): ((flags: string) => void) | null {
  return typeof v8.setFlagsFromString === 'function' ? (flags) => v8.setFlagsFromString(flags) : null;
}
