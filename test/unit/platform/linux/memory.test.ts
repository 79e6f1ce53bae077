import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureBundle, FileRecord } from '../../../../src/platform/capture.js';
import type { FileRead } from '../../../../src/platform/facts.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import { parseMeminfo } from '../../../../src/platform/linux/meminfo.js';
import { parseProcVmstat } from '../../../../src/platform/linux/vmstat.js';
import { parsePsi, pressureFromPsi, type Psi } from '../../../../src/platform/linux/psi.js';
import { LINUX_MEMORY_FILES, readLinuxMemory } from '../../../../src/platform/linux/memory.js';
import { readMemory } from '../../../../src/platform/memory.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/linux/${name}`, import.meta.url), 'utf8');
const KIB = 1024;

describe('parseMeminfo (real /proc/meminfo of the test host)', () => {
  const meminfo = parseMeminfo(fixture('meminfo-vm-24g.txt'));

  it('turns kB into bytes', () => {
    expect(meminfo['MemTotal']).toBe(24684092 * KIB);
    expect(meminfo['MemAvailable']).toBe(24339156 * KIB);
    expect(meminfo['Active(anon)']).toBe(1548 * KIB);
    expect(meminfo['SwapTotal']).toBe(0);
  });

  it('leaves out unitless counts, which are not sizes', () => {
    expect(meminfo['HugePages_Total']).toBeUndefined();
    expect(meminfo['Hugepagesize']).toBe(2048 * KIB);
  });

  it('gives nothing for garbage', () => {
    expect(parseMeminfo('MemTotal: lots\n<html>\n')).toEqual({});
  });

  it('reads the first and last rows, CRLF lines and tabs, and never joins two lines into one row', () => {
    expect(parseMeminfo('MemTotal:\t16 kB\r\nSwapFree:       8 kB')).toEqual({ MemTotal: 16 * KIB, SwapFree: 8 * KIB });
    expect(parseMeminfo('MemTotal:\n16 kB\nMemFree: 4 kB\n')).toEqual({ MemFree: 4 * KIB });
  });
});

describe('parseMeminfo with only the rows wanted', () => {
  const text = fixture('meminfo-vm-24g.txt');
  const wanted = ['MemTotal', 'MemFree', 'MemAvailable', 'SwapTotal', 'SwapFree', 'Zswap', 'Active(anon)', 'NoSuchRow'];

  it('gives exactly those rows of the whole parse, on the real file', () => {
    const whole = parseMeminfo(text);
    const expected = Object.fromEntries(wanted.filter((name) => whole[name] !== undefined).map((name) => [name, whole[name]]));
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(6);
    expect({ ...parseMeminfo(text, wanted) }).toEqual(expected);
  });

  it('matches a name whole: not a row it is the start of, nor one that is its start', () => {
    const rows = 'MemTotalX: 1 kB\nMem: 2 kB\nMemTotal: 3 kB\nSwapFre: 4 kB\n';
    expect({ ...parseMeminfo(rows, ['MemTotal', 'SwapFree', 'Me']) }).toEqual({ MemTotal: 3 * KIB });
    expect({ ...parseMeminfo(rows, []) }).toEqual({});
  });
});

describe('parseProcVmstat (real /proc/vmstat of the test host)', () => {
  it('reads the four paging counters', () => {
    expect(parseProcVmstat(fixture('vmstat-vm.txt'))).toEqual({ pgpgin: 1253381, pgpgout: 1418708, pswpin: 0, pswpout: 0 });
  });

  it('names a missing counter', () => {
    expect(() => parseProcVmstat('pgpgin 1\npgpgout 2\npswpin 3\n')).toThrow('/proc/vmstat: no pswpout row');
  });

  it('reads a counter by its whole name, on the first or last line, and skips a row whose value is not a number', () => {
    const text = 'pgpgin 5\npgpgout_x 9\npgpgout 6\npswpin oops\npswpin 7\nnr_pswpout 1\npswpout 8';
    expect(parseProcVmstat(text)).toEqual({ pgpgin: 5, pgpgout: 6, pswpin: 7, pswpout: 8 });
    expect(() => parseProcVmstat('xpgpgin 1\npgpgout 2\npswpin 3\npswpout 4')).toThrow('/proc/vmstat: no pgpgin row');
  });
});

describe('parsePsi', () => {
  it('reads an idle host (real, test host)', () => {
    expect(parsePsi(fixture('pressure-memory-idle.txt'))).toEqual({
      some: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
      full: { avg10: 0, avg60: 0, avg300: 0, total: 0 },
    });
  });

  it('reads a thrashing host (PSI announcement, LWN 759781 via eminence/procfs#40)', () => {
    const psi = parsePsi(fixture('pressure-memory-thrashing.txt'));
    expect(psi.some).toEqual({ avg10: 70.24, avg60: 68.52, avg300: 69.91, total: 3559632828 });
    expect(psi.full?.avg10).toBe(57.59);
    expect(pressureFromPsi(psi)).toBe('critical');
  });

  it('accepts a file with only a some line', () => {
    expect(parsePsi('some avg10=1.00 avg60=0.50 avg300=0.10 total=123\n').full).toBeNull();
  });

  it.each([
    ['empty', '', 'no "some" line'],
    ['a some line without avg10', 'some avg60=0.00 avg300=0.00 total=0', 'has no avg10'],
    ['garbage values', 'some avg10=x avg60=0.00 avg300=0.00 total=0', 'has no avg10'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parsePsi(text)).toThrow(message);
  });
});

describe('pressureFromPsi thresholds (avg10: warn some ≥ 10, critical full ≥ 10 or some ≥ 40)', () => {
  const psi = (some: number, full: number | null): Psi => ({
    some: { avg10: some, avg60: 0, avg300: 0, total: 0 },
    full: full === null ? null : { avg10: full, avg60: 0, avg300: 0, total: 0 },
  });

  it.each([
    [0, 0, 'normal'],
    [9.99, 9.99, 'normal'],
    [10, 0, 'warn'],
    [39.99, 9.99, 'warn'],
    [40, 0, 'critical'],
    [12, 10, 'critical'],
    [10, null, 'warn'],
    [45, null, 'critical'],
  ] as const)('some %s, full %s → %s', (some, full, level) => {
    expect(pressureFromPsi(psi(some, full))).toBe(level);
  });
});

function read(path: string, content: string | null, extra: Partial<FileRead> = {}): FileRecord {
  return { op: 'read', path, result: { path, exists: content !== null, content, truncated: false, error: null, ...extra } };
}

function replay(files: FileRecord[]): ReplayFacts {
  const bundle: CaptureBundle = {
    format: 'warden-capture',
    version: 1,
    host: { platform: 'linux', arch: 'x64', hostname: 'test', uid: 1000, user: 'tester', cpuCount: 2, createdAt: 0, wardenVersion: '0.1.0' },
    samples: [{ at: 0, commands: [], files, http: [] }],
  };
  return new ReplayFacts(bundle);
}

const realFiles = (): FileRecord[] => [
  read(LINUX_MEMORY_FILES.meminfo, fixture('meminfo-vm-24g.txt')),
  read(LINUX_MEMORY_FILES.vmstat, fixture('vmstat-vm.txt')),
  read(LINUX_MEMORY_FILES.pressure, fixture('pressure-memory-idle.txt')),
];

describe('readLinuxMemory (replayed from the test host files)', () => {
  it('builds the sample', async () => {
    const part = await readLinuxMemory(replay(realFiles()), 42);
    expect(part).toEqual({
      ok: true,
      value: {
        at: 42,
        platform: 'linux',
        totalBytes: 24684092 * KIB,
        freeBytes: 24355804 * KIB,
        availableBytes: 24339156 * KIB,
        compressedBytes: 0,
        wiredBytes: null,
        swapTotalBytes: 0,
        swapUsedBytes: 0,
        pressure: 'normal',
        pressureSource: '/proc/pressure/memory some avg10=0.00 full avg10=0.00',
        freePercent: null,
        // pgpgin/pgpgout are KiB: 4 KiB per page.
        counters: { pageSizeBytes: 4096, pageins: 1253381 / 4, pageouts: 1418708 / 4, swapins: 0, swapouts: 0 },
      },
    });
  });

  it('reports swap in use and a critical PSI', async () => {
    const meminfo = fixture('meminfo-vm-24g.txt')
      .replace(/^SwapTotal:.*$/m, 'SwapTotal:       8388604 kB')
      .replace(/^SwapFree:.*$/m, 'SwapFree:        2097148 kB');
    const files = realFiles();
    files[0] = read(LINUX_MEMORY_FILES.meminfo, meminfo);
    files[2] = read(LINUX_MEMORY_FILES.pressure, fixture('pressure-memory-thrashing.txt'));
    const part = await readLinuxMemory(replay(files), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.swapTotalBytes).toBe(8388604 * KIB);
    expect(part.value.swapUsedBytes).toBe((8388604 - 2097148) * KIB);
    expect(part.value.pressure).toBe('critical');
    expect(part.value.pressureSource).toBe('/proc/pressure/memory some avg10=70.24 full avg10=57.59');
  });

  it('without PSI: pressure is null and the source says why', async () => {
    const files = realFiles();
    files[2] = read(LINUX_MEMORY_FILES.pressure, null);
    const part = await readLinuxMemory(replay(files), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.pressure).toBeNull();
    expect(part.value.pressureSource).toBe('/proc/pressure/memory: not present (kernel without PSI)');
  });

  it('with PSI switched off (psi=0): the read error is the source', async () => {
    const files = realFiles();
    files[2] = read(LINUX_MEMORY_FILES.pressure, null, { exists: true, error: 'EOPNOTSUPP: operation not supported on socket' });
    const part = await readLinuxMemory(replay(files), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.pressureSource).toBe('/proc/pressure/memory: EOPNOTSUPP: operation not supported on socket');
  });

  it('without /proc/vmstat: counters are null, the rest stands', async () => {
    const files = realFiles();
    files[1] = read(LINUX_MEMORY_FILES.vmstat, 'nr_free_pages 1\n');
    const part = await readLinuxMemory(replay(files), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.counters).toBeNull();
    expect(part.value.totalBytes).toBe(24684092 * KIB);
  });

  it('a kernel without a Zswap row gives compressed null, not 0', async () => {
    const files = realFiles();
    files[0] = read(LINUX_MEMORY_FILES.meminfo, fixture('meminfo-vm-24g.txt').replace(/^Zswap:.*\n/m, ''));
    const part = await readLinuxMemory(replay(files), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.compressedBytes).toBeNull();
  });

  it.each([
    ['missing', read(LINUX_MEMORY_FILES.meminfo, null), '/proc/meminfo: not present'],
    ['empty', read(LINUX_MEMORY_FILES.meminfo, ''), '/proc/meminfo: empty'],
    ['without MemAvailable', read(LINUX_MEMORY_FILES.meminfo, 'MemTotal: 1000 kB\nMemFree: 10 kB\n'), '/proc/meminfo: no MemAvailable row'],
    ['truncated', read(LINUX_MEMORY_FILES.meminfo, 'MemTotal: 1', { truncated: true }), '/proc/meminfo: over the size cap'],
  ])('meminfo %s is not ok', async (_what, record, reason) => {
    const files = realFiles();
    files[0] = record;
    expect(await readLinuxMemory(replay(files), 0)).toEqual({ ok: false, reason });
  });

  it('a capture without /proc/meminfo names the missing fact', async () => {
    const part = await readLinuxMemory(replay([]), 0);
    expect(part).toEqual({ ok: false, reason: '/proc/meminfo: the capture has no record of file read of /proc/meminfo in sample 1' });
  });
});

describe('readMemory', () => {
  it('dispatches by the platform it is given', async () => {
    const part = await readMemory(replay(realFiles()), 'linux', 7);
    expect(part.ok && part.value.platform).toBe('linux');
  });

  it('has no reader for other platforms and says so', async () => {
    expect(await readMemory(replay([]), 'win32', 0)).toEqual({
      ok: false,
      reason: 'host memory: no reader for platform "win32" (darwin and linux only)',
    });
  });
});
