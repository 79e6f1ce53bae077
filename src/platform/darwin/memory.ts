import type { MemorySample, PagingCounters, PressureLevel } from '../../common/memory.js';
import { errorText, known, unknownPart, type Part } from '../../common/result.js';
import { commandProblem, type CommandResult, type Facts } from '../facts.js';
import { parseVmStat, type VmStat } from './vmstat.js';
import { parseSwapUsage, parseSysctlLines, pressureFromLevel, type SwapUsage } from './sysctl.js';

/** One vm_stat and one sysctl per sample: two spawns, no shell, no `sysctl -n` (names keep the lines apart). */
export const DARWIN_MEMORY_ARGV: { readonly vmstat: readonly string[]; readonly sysctl: readonly string[] } = {
  vmstat: ['vm_stat'],
  sysctl: ['sysctl', 'hw.memsize', 'vm.swapusage', 'kern.memorystatus_vm_pressure_level', 'kern.memorystatus_level'],
};

export const DARWIN_MEMORY_TIMEOUT_MS = 3_000;

/** The oldest macOS Warden supports (the app's Electron needs macOS 12). */
export const OLDEST_MACOS = 'macOS 12 Monterey';

const PRESSURE_OID = 'kern.memorystatus_vm_pressure_level';
const FREE_PERCENT_OID = 'kern.memorystatus_level';

const FREE = 'Pages free';
const ANONYMOUS = 'Anonymous pages';
const PURGEABLE = 'Pages purgeable';
const WIRED = 'Pages wired down';
const COMPRESSOR = 'Pages occupied by compressor';
const REQUIRED_ROWS = [FREE, ANONYMOUS, PURGEABLE, WIRED, COMPRESSOR] as const;
const COUNTER_ROWS = ['Pageins', 'Pageouts', 'Swapins', 'Swapouts'] as const;

export async function readDarwinMemory(facts: Facts, at: number): Promise<Part<MemorySample>> {
  let vmResult: CommandResult;
  let sysctlResult: CommandResult;
  try {
    const options = { timeoutMs: DARWIN_MEMORY_TIMEOUT_MS };
    [vmResult, sysctlResult] = await Promise.all([
      facts.run(DARWIN_MEMORY_ARGV.vmstat, options),
      facts.run(DARWIN_MEMORY_ARGV.sysctl, options),
    ]);
  } catch (error) {
    return unknownPart(errorText(error));
  }

  const vmProblem = commandProblem(vmResult);
  if (vmProblem) return unknownPart(vmProblem);
  let vm: VmStat;
  try {
    vm = parseVmStat(vmResult.stdout);
  } catch (error) {
    return unknownPart(errorText(error));
  }
  const missingRow = REQUIRED_ROWS.find((label) => vm.pages[label] === undefined);
  if (missingRow) return unknownPart(missingRowReason(vm, missingRow));

  const sysctl = readSysctl(sysctlResult);
  if (!sysctl.ok) return sysctl;
  const { totalBytes, swap, values } = sysctl.value;

  return known(deriveSample(vm, totalBytes, swap, values, at));
}

/**
 * Why a required row is missing, when the output says: vm_stat ends with Pageouts (before
 * 10.9) or Swapouts (since), so output with neither was cut short; output with no compressor
 * row at all is Mac OS X 10.8 or older, which has no memory compressor to read.
 */
function missingRowReason(vm: VmStat, row: string): string {
  const base = `vm_stat: no "${row}" row`;
  if (vm.pages['Pageouts'] === undefined && vm.pages['Swapouts'] === undefined) return `${base}: the output is cut short`;
  if (!Object.keys(vm.pages).some((label) => label.includes('compressor'))) {
    return `${base}: the format of Mac OS X 10.8 or older (no memory compressor); Warden reads ${OLDEST_MACOS} and later`;
  }
  return base;
}

interface SysctlFacts {
  totalBytes: number;
  swap: SwapUsage;
  values: Record<string, string>;
}

/**
 * sysctl exits non-zero when any name is unknown (kern.memorystatus_level is missing on some
 * older systems and VMs) but still prints the names it knows, so the exit code alone does not
 * make the output unusable; only the two required names do.
 */
function readSysctl(result: CommandResult): Part<SysctlFacts> {
  const problem = commandProblem(result);
  if (result.error || result.timedOut || result.truncated || result.signal) return unknownPart(problem ?? 'sysctl: no output');
  const values = parseSysctlLines(result.stdout);
  const memsize = values['hw.memsize'];
  const swapusage = values['vm.swapusage'];
  if (memsize === undefined) return unknownPart(problem ?? 'sysctl: printed no hw.memsize');
  if (swapusage === undefined) return unknownPart(problem ?? 'sysctl: printed no vm.swapusage');
  const totalBytes = Number(memsize);
  if (!/^\d+$/.test(memsize) || !Number.isSafeInteger(totalBytes) || totalBytes <= 0) {
    return unknownPart(`sysctl: hw.memsize = ${JSON.stringify(memsize.slice(0, 40))} is not a byte count`);
  }
  try {
    return known({ totalBytes, swap: parseSwapUsage(swapusage), values });
  } catch (error) {
    return unknownPart(errorText(error));
  }
}

/**
 * Activity Monitor's split, rebuilt from vm_stat because Apple documents no API for it:
 * - App memory = Anonymous − Purgeable: anonymous pages are what processes allocated; the
 *   purgeable ones can be dropped by the kernel without paging, so they don't count against apps.
 * - Wired = "Pages wired down": kernel and locked memory that can never be paged or compressed.
 * - Compressor = "Pages occupied by compressor": the physical pages the compressed data sits in
 *   (not "stored in compressor", which is the larger uncompressed size it stands for).
 * - Available = total − (app + wired + compressor): file cache, speculative and purgeable pages
 *   are reclaimed without swapping, so they count as available. On Apple Silicon the parts are
 *   known not to add up exactly, so it is clamped at zero rather than reported negative.
 * - Free = "Pages free" only (free − speculative in vm_stat.c); tiny on a healthy Mac by design.
 */
function deriveSample(vm: VmStat, totalBytes: number, swap: SwapUsage, values: Record<string, string>, at: number): MemorySample {
  const page = vm.pageSizeBytes;
  const rows = vm.pages;
  const appPages = Math.max(0, (rows[ANONYMOUS] ?? 0) - (rows[PURGEABLE] ?? 0));
  const wiredBytes = (rows[WIRED] ?? 0) * page;
  const compressedBytes = (rows[COMPRESSOR] ?? 0) * page;
  const usedBytes = appPages * page + wiredBytes + compressedBytes;
  const { pressure, pressureSource } = readPressure(values[PRESSURE_OID]);
  return {
    at,
    platform: 'darwin',
    totalBytes,
    freeBytes: (rows[FREE] ?? 0) * page,
    availableBytes: Math.max(0, totalBytes - usedBytes),
    compressedBytes,
    wiredBytes,
    swapTotalBytes: swap.totalBytes,
    swapUsedBytes: swap.usedBytes,
    pressure,
    pressureSource,
    freePercent: readPercent(values[FREE_PERCENT_OID]),
    counters: readCounters(vm),
  };
}

function readPressure(text: string | undefined): { pressure: PressureLevel | null; pressureSource: string } {
  if (text === undefined) return { pressure: null, pressureSource: `${PRESSURE_OID}: not printed by sysctl` };
  if (!/^\d+$/.test(text)) {
    return { pressure: null, pressureSource: `${PRESSURE_OID} = ${JSON.stringify(text.slice(0, 40))}: not a level` };
  }
  const pressure = pressureFromLevel(Number(text));
  return { pressure, pressureSource: `${PRESSURE_OID} = ${text}${pressure ? '' : ' (not 1, 2 or 4)'}` };
}

function readPercent(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,3}$/.test(text)) return null;
  const n = Number(text);
  return n <= 100 ? n : null;
}

/** All four or none: a rate built from a mix of present and missing counters would be wrong. */
function readCounters(vm: VmStat): PagingCounters | null {
  const [pageins, pageouts, swapins, swapouts] = COUNTER_ROWS.map((label) => vm.pages[label]);
  if (pageins === undefined || pageouts === undefined || swapins === undefined || swapouts === undefined) return null;
  return { pageSizeBytes: vm.pageSizeBytes, pageins, pageouts, swapins, swapouts };
}
