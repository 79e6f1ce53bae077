import type { MemorySample, PagingCounters, PressureLevel } from '../../common/memory.js';
import { errorText, known, unknownPart, type Part } from '../../common/result.js';
import type { Facts, FileRead } from '../facts.js';
import { parseMeminfo } from './meminfo.js';
import { parseProcVmstat } from './vmstat.js';
import { parsePsi, pressureFromPsi } from './psi.js';

export const LINUX_MEMORY_FILES = {
  meminfo: '/proc/meminfo',
  vmstat: '/proc/vmstat',
  pressure: '/proc/pressure/memory',
} as const;

/**
 * pswpin/pswpout count pages of the kernel's PAGE_SIZE, which /proc does not state. 4 KiB is
 * x86-64 and the usual arm64 distribution kernel; a 16 or 64 KiB arm64 kernel would make swap
 * rates read 4–16× low. pgpgin/pgpgout are KiB (mm/vmstat.c halves the sector counts) and are
 * converted to the same 4 KiB unit, so one pageSizeBytes covers all four counters.
 */
export const LINUX_PAGE_SIZE_BYTES = 4096;

const REQUIRED_ROWS = ['MemTotal', 'MemFree', 'MemAvailable', 'SwapTotal', 'SwapFree'] as const;
/** Every meminfo row the sample reads. */
const MEMINFO_ROWS: readonly string[] = [...REQUIRED_ROWS, 'Zswap'];

export async function readLinuxMemory(facts: Facts, at: number): Promise<Part<MemorySample>> {
  const [meminfoRead, vmstatRead, pressureRead] = await Promise.all([
    readText(facts, LINUX_MEMORY_FILES.meminfo),
    readText(facts, LINUX_MEMORY_FILES.vmstat),
    readText(facts, LINUX_MEMORY_FILES.pressure),
  ]);
  if (!meminfoRead.ok) return meminfoRead;
  const meminfo = parseMeminfo(meminfoRead.value, MEMINFO_ROWS);
  const missing = REQUIRED_ROWS.find((row) => meminfo[row] === undefined);
  if (missing) return unknownPart(`${LINUX_MEMORY_FILES.meminfo}: no ${missing} row`);
  const row = (name: (typeof REQUIRED_ROWS)[number]): number => meminfo[name] as number;
  const totalBytes = row('MemTotal');
  if (totalBytes <= 0) return unknownPart(`${LINUX_MEMORY_FILES.meminfo}: MemTotal is 0`);
  const { pressure, pressureSource } = readPressure(pressureRead);
  return known({
    at,
    platform: 'linux',
    totalBytes,
    freeBytes: row('MemFree'),
    // The kernel's own estimate of what can be had without swapping (cache and reclaimable slab
    // included), which is exactly what availableBytes means on darwin too.
    availableBytes: row('MemAvailable'),
    // Zswap is the compressed pool's size in RAM, the counterpart of darwin's compressor pages;
    // 0 when zswap is off, which is true. Kernels before the row existed give null, not 0.
    compressedBytes: meminfo['Zswap'] ?? null,
    // Unevictable and Mlocked overlap and miss kernel allocations, so no honest "wired" figure exists.
    wiredBytes: null,
    swapTotalBytes: row('SwapTotal'),
    swapUsedBytes: Math.max(0, row('SwapTotal') - row('SwapFree')),
    pressure,
    pressureSource,
    freePercent: null,
    counters: vmstatRead.ok ? readCounters(vmstatRead.value) : null,
  });
}

async function readText(facts: Facts, path: string): Promise<Part<string>> {
  let read: FileRead;
  try {
    read = await facts.readFile(path);
  } catch (error) {
    return unknownPart(`${path}: ${errorText(error)}`);
  }
  if (!read.exists) return unknownPart(`${path}: not present`);
  if (read.error) return unknownPart(`${path}: ${read.error}`);
  if (read.truncated) return unknownPart(`${path}: over the size cap`);
  if (read.content === null || read.content.trim() === '') return unknownPart(`${path}: empty`);
  return known(read.content);
}

function readPressure(read: Part<string>): { pressure: PressureLevel | null; pressureSource: string } {
  if (!read.ok) {
    // Absent on kernels before 4.20 or built without CONFIG_PSI; EOPNOTSUPP when booted with psi=0.
    const why = read.reason.endsWith(': not present') ? `${read.reason} (kernel without PSI)` : read.reason;
    return { pressure: null, pressureSource: why };
  }
  try {
    const psi = parsePsi(read.value);
    const full = psi.full ? ` full avg10=${psi.full.avg10.toFixed(2)}` : '';
    return {
      pressure: pressureFromPsi(psi),
      pressureSource: `${LINUX_MEMORY_FILES.pressure} some avg10=${psi.some.avg10.toFixed(2)}${full}`,
    };
  } catch (error) {
    return { pressure: null, pressureSource: errorText(error) };
  }
}

function readCounters(text: string): PagingCounters | null {
  let vmstat;
  try {
    vmstat = parseProcVmstat(text);
  } catch {
    return null;
  }
  const kibPerPage = LINUX_PAGE_SIZE_BYTES / 1024;
  return {
    pageSizeBytes: LINUX_PAGE_SIZE_BYTES,
    // KiB → 4 KiB pages; may be fractional, kept exact so rates stay exact.
    pageins: vmstat.pgpgin / kibPerPage,
    pageouts: vmstat.pgpgout / kibPerPage,
    swapins: vmstat.pswpin,
    swapouts: vmstat.pswpout,
  };
}
