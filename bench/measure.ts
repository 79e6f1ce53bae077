import { readFileSync } from 'node:fs';
import { runCommand } from '../src/platform/runner.js';

/** CPU used so far, in ms: this process (all its threads) and the children it has reaped. */
export interface CpuReading {
  selfMs: number;
  childMs: number;
}

export interface CpuClock {
  /** One line for the operator: where the numbers come from and what they leave out. */
  readonly how: string;
  readonly childrenCounted: boolean;
  read(): CpuReading;
}

export interface Span {
  wallMs: number;
  selfMs: number;
  childMs: number;
  cpuMs: number;
}

/**
 * This process's CPU comes from process.cpuUsage() (getrusage, microseconds): /proc's utime and
 * stime are whole clock ticks, too coarse for a 5 ms cycle. Children come from cutime+cstime in
 * /proc/self/stat, the only place Node can read them; a child's time lands there when it is
 * reaped, and a shell's includes the commands it ran. Ticks are truncated, so a single span is
 * off by up to one tick; sums over many spans are not.
 */
export async function openCpuClock(): Promise<CpuClock> {
  if (process.platform !== 'linux') {
    return {
      how: `CPU = this process only (process.cpuUsage); child processes (ps, vm_stat, sysctl…) are NOT counted on ${process.platform}`,
      childrenCounted: false,
      read: () => ({ selfMs: selfMs(), childMs: 0 }),
    };
  }
  const { ticks, source } = await clockTicks();
  const msPerTick = 1000 / ticks;
  return {
    how: `CPU = this process (process.cpuUsage, µs) + reaped children (cutime+cstime in /proc/self/stat, CLK_TCK ${ticks} ${source})`,
    childrenCounted: true,
    read: () => ({ selfMs: selfMs(), childMs: childTicks() * msPerTick }),
  };
}

function selfMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function childTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // After the command name in parentheses (which may hold spaces): field 3 onward, so cutime
  // (field 16) and cstime (field 17) sit at 13 and 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[13]) + Number(fields[14]);
}

export async function clockTicks(): Promise<{ ticks: number; source: string }> {
  const result = await runCommand(['getconf', 'CLK_TCK'], { timeoutMs: 2_000 });
  const ticks = Number(result.stdout.trim());
  if (result.exitCode === 0 && Number.isInteger(ticks) && ticks > 0) return { ticks, source: 'from getconf' };
  return { ticks: 100, source: 'assumed: getconf CLK_TCK gave no number' };
}

/** Runs `work` once and says what it cost. */
export async function measure<T>(clock: CpuClock, work: () => Promise<T>): Promise<{ value: T; span: Span }> {
  const cpu0 = clock.read();
  const t0 = performance.now();
  const value = await work();
  const wallMs = performance.now() - t0;
  const cpu1 = clock.read();
  const self = cpu1.selfMs - cpu0.selfMs;
  const child = cpu1.childMs - cpu0.childMs;
  return { value, span: { wallMs, selfMs: self, childMs: child, cpuMs: self + child } };
}

export function sumSpans(spans: readonly Span[]): Span {
  const total: Span = { wallMs: 0, selfMs: 0, childMs: 0, cpuMs: 0 };
  for (const s of spans) {
    total.wallMs += s.wallMs;
    total.selfMs += s.selfMs;
    total.childMs += s.childMs;
    total.cpuMs += s.cpuMs;
  }
  return total;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The mean with `share` of the values dropped at each end (a tenth each by default). */
export function trimmedMean(values: readonly number[], share = 0.1): number {
  const sorted = [...values].sort((a, b) => a - b);
  const drop = Math.floor(sorted.length * share);
  return mean(sorted.slice(drop, sorted.length - drop));
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
