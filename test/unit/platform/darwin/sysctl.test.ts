import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSwapUsage, parseSysctlLines, pressureFromLevel } from '../../../../src/platform/darwin/sysctl.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/darwin/${name}`, import.meta.url), 'utf8');
const MIB = 1024 * 1024;

describe('parseSysctlLines (macos-command-formats.md §2)', () => {
  it('reads one name: value per line from the multi-name sample (48 GiB Mac under load)', () => {
    expect(parseSysctlLines(fixture('sysctl-multi-name-loaded.txt'))).toEqual({
      'kern.memorystatus_vm_pressure_level': '2',
      'kern.memorystatus_level': '41',
      'vm.swapusage': 'total = 13312.00M  used = 11625.69M  free = 1686.31M  (encrypted)',
      'vm.loadavg': '{ 21.53 26.57 41.30 }',
      'hw.ncpu': '18',
    });
  });

  it('keeps hw.memsize and hw.memsize_usable apart (M1 sample)', () => {
    const values = parseSysctlLines(fixture('sysctl-hw-memsize.txt'));
    expect(values['hw.memsize']).toBe('17179869184');
    expect(values['hw.memsize_usable']).toBe('16383606784');
  });

  it('ignores lines that are not an OID, such as an unknown-oid complaint or a prompt', () => {
    const values = parseSysctlLines("sysctl: unknown oid 'kern.memorystatus_level'\n$ sysctl hw.memsize\nhw.memsize: 17179869184\n\n");
    expect(values).toEqual({ 'hw.memsize': '17179869184' });
  });
});

describe('parseSwapUsage', () => {
  it('reads the brief sample: always MiB, encrypted', () => {
    const line = parseSysctlLines(fixture('sysctl-swapusage-11264M.txt'))['vm.swapusage'] as string;
    expect(parseSwapUsage(line)).toEqual({
      totalBytes: 11264 * MIB,
      usedBytes: Math.round(10386.19 * MIB),
      freeBytes: Math.round(877.81 * MIB),
      encrypted: true,
    });
  });

  it('reads walles/px#80', () => {
    const line = parseSysctlLines(fixture('sysctl-swapusage-4096M.txt'))['vm.swapusage'] as string;
    expect(parseSwapUsage(line)).toMatchObject({ totalBytes: 4096 * MIB, usedBytes: Math.round(2743.5 * MIB), freeBytes: Math.round(1352.5 * MIB) });
  });

  it('accepts the comma decimal of a de_DE capture (Powerlevel9k#1108)', () => {
    const line = parseSysctlLines(fixture('sysctl-swapusage-comma-decimal.txt'))['vm.swapusage'] as string;
    expect(parseSwapUsage(line)).toEqual({ totalBytes: 1024 * MIB, usedBytes: 397672448, freeBytes: 676069376, encrypted: true });
  });

  it('reads zero swap as zeros, not as missing', () => {
    const line = parseSysctlLines(fixture('sysctl-zero-swap.txt'))['vm.swapusage'] as string;
    expect(parseSwapUsage(line)).toEqual({ totalBytes: 0, usedBytes: 0, freeBytes: 0, encrypted: true });
  });

  it('reads the unencrypted form sysctl.c prints: two trailing spaces and nothing after', () => {
    expect(parseSwapUsage('total = 2048.00M  used = 0.00M  free = 2048.00M  ').encrypted).toBe(false);
  });

  it.each([
    ['G units, which Apple sysctl never prints', 'total = 13G  used = 11G  free = 2G  (encrypted)'],
    ['a truncated value', 'total = 13312.00M  used = 11625.69M'],
    ['empty', ''],
    ['words', 'not available'],
  ])('refuses %s', (_what, value) => {
    expect(() => parseSwapUsage(value)).toThrow('vm.swapusage: unexpected value');
  });
});

describe('pressureFromLevel (XNU dispatch levels 1 / 2 / 4)', () => {
  it.each([
    [1, 'normal'],
    [2, 'warn'],
    [4, 'critical'],
  ] as const)('%i is %s', (n, level) => {
    expect(pressureFromLevel(n)).toBe(level);
  });

  it.each([0, 3, 5, -1, 1.5, Number.NaN])('%s is no level', (n) => {
    expect(pressureFromLevel(n)).toBeNull();
  });
});
