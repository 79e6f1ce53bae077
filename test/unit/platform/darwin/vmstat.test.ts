import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { MemorySample } from '../../../../src/common/memory.js';
import type { CaptureBundle } from '../../../../src/platform/capture.js';
import type { CommandResult } from '../../../../src/platform/facts.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import { parseVmStat } from '../../../../src/platform/darwin/vmstat.js';
import { DARWIN_MEMORY_ARGV, readDarwinMemory } from '../../../../src/platform/darwin/memory.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/darwin/${name}`, import.meta.url), 'utf8');

describe('parseVmStat on the real samples (macos-command-formats.md §1)', () => {
  it('Intel, 4096-byte pages (wazuh/wazuh#22113): the prompt line before the header is ignored', () => {
    const vm = parseVmStat(fixture('vm_stat-intel-4k.txt'));
    expect(vm.pageSizeBytes).toBe(4096);
    expect(Object.keys(vm.pages)).toHaveLength(22);
    expect(vm.pages['Pages free']).toBe(6127229);
    expect(vm.pages['Anonymous pages']).toBe(464333);
    expect(vm.pages['Swapouts']).toBe(0);
  });

  it('strips the literal quotes of "Translation faults" so the label reads like the others', () => {
    const vm = parseVmStat(fixture('vm_stat-intel-4k.txt'));
    expect(vm.pages['Translation faults']).toBe(11477162);
    expect(vm.pages['"Translation faults"']).toBeUndefined();
  });

  it('Apple Silicon, 16384-byte pages (Mac mini report): page size from the header, trailing blank line ignored', () => {
    const vm = parseVmStat(fixture('vm_stat-apple-silicon-16k.txt'));
    expect(vm.pageSizeBytes).toBe(16384);
    expect(vm.pages['Pages occupied by compressor']).toBe(257278);
    expect(vm.pages['Pages zero filled']).toBe(4384339679);
    expect(vm.pages['Pageins']).toBe(53548367);
  });

  it('the partial sample (HMCL-dev/HMCL#4876) parses the rows it has and nothing more', () => {
    const vm = parseVmStat(fixture('vm_stat-apple-silicon-partial.txt'));
    expect(vm.pageSizeBytes).toBe(16384);
    expect(Object.keys(vm.pages)).toHaveLength(17);
    expect(vm.pages['Decompressions']).toBe(591661242);
    expect(vm.pages['Pageins']).toBeUndefined();
  });

  it('the 35-column MTE sample (M5 Pro): extra tag rows kept, 11-digit counters exact', () => {
    const vm = parseVmStat(fixture('vm_stat-mte-35col.txt'));
    expect(Object.keys(vm.pages)).toHaveLength(33);
    expect(vm.pages['Pages zero filled']).toBe(20918090185);
    expect(vm.pages['Translation faults']).toBe(15057293834);
    expect(vm.pages['Pageins']).toBe(7585826717);
    expect(vm.pages['Tagged decompressions']).toBe(10241373);
  });
});

describe('parseVmStat on bad input', () => {
  it('refuses text without the page-size header instead of assuming 4096', () => {
    expect(() => parseVmStat('Pages free:                                4410.\n')).toThrow('vm_stat: no page-size header');
    expect(() => parseVmStat('')).toThrow('vm_stat: no page-size header');
    expect(() => parseVmStat('<html>502 Bad Gateway</html>')).toThrow('vm_stat: no page-size header');
  });

  it('refuses a zero page size', () => {
    expect(() => parseVmStat('Mach Virtual Memory Statistics: (page size of 0 bytes)\n')).toThrow('not a positive integer');
  });

  it('ignores rows of other shapes and drops a counter too large to hold exactly', () => {
    const vm = parseVmStat(
      [
        'Mach Virtual Memory Statistics: (page size of 16384 bytes)',
        'Pages free:                                4410.',
        'Pages active:                            690385',
        'garbage line',
        'Pages huge:                 123456789012345678901.',
      ].join('\n'),
    );
    expect(vm.pages).toEqual({ 'Pages free': 4410 });
  });
});

type Reply = Omit<Partial<CommandResult>, 'argv'> & { argv: readonly string[] };

function replay(...commands: Reply[]): ReplayFacts {
  const bundle: CaptureBundle = {
    format: 'warden-capture',
    version: 1,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'test', uid: 501, user: 'tester', cpuCount: 8, createdAt: 0, wardenVersion: '0.1.0' },
    samples: [
      {
        at: 0,
        commands: commands.map((c) => ({ exitCode: 0, stdout: '', stderr: '', ...c, argv: [...c.argv] }) as CommandResult),
        files: [],
        http: [],
      },
    ],
  };
  return new ReplayFacts(bundle);
}

const vmstat = (stdout: string, extra: Partial<CommandResult> = {}): Reply => ({ argv: DARWIN_MEMORY_ARGV.vmstat, stdout, ...extra });
const sysctl = (stdout: string, extra: Partial<CommandResult> = {}): Reply => ({ argv: DARWIN_MEMORY_ARGV.sysctl, stdout, ...extra });

// hw.memsize 34359738368 is the Mac mini's own figure (memory_pressure, same report as the
// vm_stat sample); the swap and pressure lines are the multi-name sample's.
const MINI_SYSCTL = [
  'hw.memsize: 34359738368',
  'vm.swapusage: total = 13312.00M  used = 11625.69M  free = 1686.31M  (encrypted)',
  'kern.memorystatus_vm_pressure_level: 2',
  'kern.memorystatus_level: 41',
  '',
].join('\n');

function expectFinite(sample: MemorySample): void {
  for (const [key, value] of Object.entries(sample)) {
    if (typeof value === 'number') expect(Number.isFinite(value), key).toBe(true);
  }
  for (const value of Object.values(sample.counters ?? {})) expect(Number.isFinite(value)).toBe(true);
}

describe('readDarwinMemory (vm_stat + sysctl, replayed)', () => {
  it('derives Activity Monitor figures from the Mac mini sample', async () => {
    const at = 1_778_400_000_000;
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-apple-silicon-16k.txt')), sysctl(MINI_SYSCTL)), at);
    expect(part).toEqual({
      ok: true,
      value: {
        at,
        platform: 'darwin',
        totalBytes: 34359738368,
        freeBytes: 4410 * 16384,
        // total − (anonymous − purgeable + wired + compressor) × page
        availableBytes: 34359738368 - (1002544 - 18868 + 420751 + 257278) * 16384,
        compressedBytes: 257278 * 16384,
        wiredBytes: 420751 * 16384,
        swapTotalBytes: 13312 * 1048576,
        swapUsedBytes: 12190419517,
        pressure: 'warn',
        pressureSource: 'kern.memorystatus_vm_pressure_level = 2',
        freePercent: 41,
        counters: { pageSizeBytes: 16384, pageins: 53548367, pageouts: 1401649, swapins: 0, swapouts: 0 },
      },
    });
    if (part.ok) expectFinite(part.value);
  });

  it('keeps the MTE sample exact and reports critical pressure with its source', async () => {
    const text = MINI_SYSCTL.replace('34359738368', '51539607552').replace('level: 2', 'level: 4');
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-mte-35col.txt')), sysctl(text)), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.availableBytes).toBe(16441147392);
    expect(part.value.pressure).toBe('critical');
    expect(part.value.pressureSource).toBe('kern.memorystatus_vm_pressure_level = 4');
    expect(part.value.counters).toEqual({ pageSizeBytes: 16384, pageins: 7585826717, pageouts: 11024500, swapins: 43935576, swapouts: 77401851 });
  });

  it('the partial sample still gives a sample, without paging counters', async () => {
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-apple-silicon-partial.txt')), sysctl(MINI_SYSCTL)), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.counters).toBeNull();
    expect(part.value.compressedBytes).toBe(442179 * 16384);
    expectFinite(part.value);
  });

  it('clamps available at zero when the parts exceed the total (Intel sample, synthetic 1 GiB memsize)', async () => {
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-intel-4k.txt')), sysctl(MINI_SYSCTL.replace('34359738368', '1073741824'))), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.availableBytes).toBe(0);
  });

  it('uses what sysctl printed when it exits 1 over the optional kern.memorystatus_level', async () => {
    const printed = MINI_SYSCTL.split('\n').filter((l) => !l.startsWith('kern.memorystatus_level')).join('\n');
    const part = await readDarwinMemory(
      replay(vmstat(fixture('vm_stat-intel-4k.txt')), sysctl(printed, { exitCode: 1, stderr: "sysctl: unknown oid 'kern.memorystatus_level'\n" })),
      0,
    );
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.freePercent).toBeNull();
    expect(part.value.pressure).toBe('warn');
  });

  it('is not ok when sysctl exits 1 without a required name, and says why', async () => {
    const printed = MINI_SYSCTL.split('\n').filter((l) => !l.startsWith('hw.memsize')).join('\n');
    const part = await readDarwinMemory(
      replay(vmstat(fixture('vm_stat-intel-4k.txt')), sysctl(printed, { exitCode: 1, stderr: "sysctl: unknown oid 'hw.memsize'\n" })),
      0,
    );
    expect(part).toEqual({ ok: false, reason: "sysctl hw.memsize vm.swapusage: exit 1: sysctl: unknown oid 'hw.memsize'" });
  });

  it('reads a zero-swap, normal-pressure Mac (healthy baseline sample)', async () => {
    const text = `hw.memsize: 17179869184\n${fixture('sysctl-zero-swap.txt')}`;
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-apple-silicon-16k.txt')), sysctl(text)), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.swapTotalBytes).toBe(0);
    expect(part.value.swapUsedBytes).toBe(0);
    expect(part.value.pressure).toBe('normal');
    expect(part.value.freePercent).toBeNull();
    // The parts exceed 16 GiB: the vm_stat sample is from a 32 GiB Mac.
    expect(part.value.availableBytes).toBe(0);
  });

  it('an unknown pressure number is no level, and the source says so', async () => {
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-intel-4k.txt')), sysctl(MINI_SYSCTL.replace('level: 2', 'level: 3'))), 0);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.pressure).toBeNull();
    expect(part.value.pressureSource).toBe('kern.memorystatus_vm_pressure_level = 3 (not 1, 2 or 4)');
  });

  it.each([
    ['empty output', vmstat(''), 'vm_stat: no page-size header'],
    ['garbage', vmstat('Segmentation fault\n'), 'vm_stat: no page-size header'],
    ['header only (truncated)', vmstat('Mach Virtual Memory Statistics: (page size of 16384 bytes)\n'), 'vm_stat: no "Pages free" row: the output is cut short'],
    ['a timeout', vmstat('', { exitCode: null, signal: 'SIGTERM', timedOut: true, durationMs: 3000 }), 'vm_stat: no answer within 3.0 s'],
    ['a missing command', vmstat('', { exitCode: null, error: 'ENOENT: no such command on this system' }), 'vm_stat: ENOENT: no such command on this system'],
  ])('vm_stat with %s is not ok: %s', async (_what, reply, reason) => {
    const part = await readDarwinMemory(replay(reply, sysctl(MINI_SYSCTL)), 0);
    expect(part).toEqual({ ok: false, reason });
  });

  it.each([
    ['garbage memsize', MINI_SYSCTL.replace('34359738368', '16G'), 'sysctl: hw.memsize = "16G" is not a byte count'],
    ['a swap value in G', MINI_SYSCTL.replace('total = 13312.00M', 'total = 13G'), 'vm.swapusage: unexpected value'],
    ['nothing printed', '', 'sysctl: printed no hw.memsize'],
  ])('sysctl with %s is not ok', async (_what, text, reason) => {
    const part = await readDarwinMemory(replay(vmstat(fixture('vm_stat-intel-4k.txt')), sysctl(text)), 0);
    expect(part.ok).toBe(false);
    if (!part.ok) expect(part.reason).toContain(reason);
  });

  it('a capture without the commands names the missing fact', async () => {
    const part = await readDarwinMemory(replay(), 0);
    expect(part.ok).toBe(false);
    if (!part.ok) expect(part.reason).toMatch(/no record of command `vm_stat`|no record of command `sysctl/);
  });
});
