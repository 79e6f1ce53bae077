/**
 * Outputs published by others from real Macs (test/fixtures/darwin/real/, copied with their
 * `.source` files from shared/reference/real-macos-outputs/), each run through the parser
 * Warden uses for it, with plausibility checks: each parses right, or is refused with a clear
 * reason where it is cut short, wrapped by its publisher (the unwrapped text must then parse)
 * or older than the oldest macOS Warden supports. pmset-therm's samples are parsed in
 * test/unit/platform/thermal.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readDarwinMemory, OLDEST_MACOS } from '../../../src/platform/darwin/memory.js';
import { parseSwapUsage, parseSysctlLines } from '../../../src/platform/darwin/sysctl.js';
import { parseVmStat } from '../../../src/platform/darwin/vmstat.js';
import { parseLaunchctlDomainServices, parseLaunchctlPrint, readLaunchdJob } from '../../../src/platform/darwin/launchctl.js';
import { parseTopFootprints } from '../../../src/platform/darwin/footprint.js';
import { readTcpListeners } from '../../../src/platform/lsof.js';
import { parsePs } from '../../../src/platform/ps.js';
import { parseCpuTime, parseEtime } from '../../../src/platform/etime.js';
import type { MemorySample } from '../../../src/common/memory.js';
import type { Part } from '../../../src/common/result.js';
import { ScriptedFacts, fail, ok } from '../../support/scripted-facts.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REAL = path.join(HERE, '../../fixtures/darwin/real');
/** Where CI puts the shared folder: beside the clone. Used only to check the copies have not drifted. */
const SHARED = path.join(HERE, '../../../../shared/reference/real-macos-outputs');

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** RAM sizes Apple has shipped, in GiB. */
const SHIPPED_GIB = [1, 2, 3, 4, 6, 8, 12, 16, 18, 24, 32, 36, 48, 64, 96, 128, 192, 256, 512];
/** vm_stat's page counts add up to the RAM within this share (the kernel keeps some pages off every list). */
const PAGE_SUM_TOLERANCE = 0.07;

interface Sample {
  id: string;
  text: string;
  source: string;
}

function samples(folder: string): Sample[] {
  const dir = path.join(REAL, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort((a, b) => parseInt(a) - parseInt(b))
    .map((f) => {
      const n = f.slice(0, -4);
      return { id: `${folder}/${n}`, text: readFileSync(path.join(dir, f), 'utf8'), source: readFileSync(path.join(dir, `${n}.source`), 'utf8') };
    });
}

/** A `key: value` note of a .source file. */
function note(sample: Sample, key: string): string | null {
  const line = sample.source.split('\n').find((l) => l.startsWith(`${key}:`));
  return line ? line.slice(key.length + 1).trim() : null;
}

/** The text as the command printed it: the publisher's prefix (the `unwrap:` pattern) taken off each line. */
function unwrapped(sample: Sample): string | null {
  const pattern = note(sample, 'unwrap');
  if (pattern === null) return null;
  // The pattern ends in the space it names ("^> "); the note's own trim took it off.
  const raw = sample.source.split('\n').find((l) => l.startsWith('unwrap:'))!.slice('unwrap: '.length);
  const re = new RegExp(raw);
  return sample.text.split('\n').map((l) => l.replace(re, '')).join('\n');
}

/** What the test found, per folder, printed at the end for the notes. */
const findings = new Map<string, string[]>();
function record(sample: Sample, outcome: string): void {
  const folder = sample.id.split('/')[0]!;
  findings.set(folder, [...(findings.get(folder) ?? []), `${sample.id}: ${outcome}`]);
}
afterAll(() => {
  const lines = [...findings].map(([folder, list]) => `${folder}:\n    ${list.join('\n    ')}`);
  console.log(`real macOS outputs:\n  ${lines.join('\n  ')}`);
});

/** Warden's darwin memory read over one vm_stat and one sysctl answer. */
async function readMemory(vmStat: string, sysctl: string): Promise<Part<MemorySample>> {
  const facts = new ScriptedFacts().on((argv) => {
    if (argv[0] === 'vm_stat') return ok(argv, vmStat);
    if (argv[0] === 'sysctl') return ok(argv, sysctl);
    return null;
  });
  return readDarwinMemory(facts, Date.UTC(2026, 5, 1));
}

const NO_SWAP = 'vm.swapusage: total = 0.00M  used = 0.00M  free = 0.00M  \n';
const nearestShipped = (bytes: number) => SHIPPED_GIB.map((g) => g * GiB).reduce((a, b) => (Math.abs(b - bytes) < Math.abs(a - bytes) ? b : a));

/** free + active + inactive + speculative + throttled + wired + compressor: every physical page vm_stat counts. */
function pageSum(text: string): number {
  const vm = parseVmStat(text);
  const p = vm.pages;
  const rows = ['Pages free', 'Pages active', 'Pages inactive', 'Pages speculative', 'Pages throttled', 'Pages wired down', 'Pages occupied by compressor'];
  return rows.reduce((sum, row) => sum + (p[row] ?? 0), 0) * vm.pageSizeBytes;
}

/** Files the publisher cut short, as their .source says ("the AUTHOR cut it after …"). */
const CUT_SHORT = new Set(['vm_stat/6']);

describe('vm_stat', () => {
  for (const sample of samples('vm_stat')) {
    it(`${sample.id}`, async () => {
      const stated = Number(note(sample, 'memsize')?.split(' ')[0] ?? note(sample, 'memsize-approx')?.split(' ')[0] ?? NaN);
      let text = sample.text;
      const inner = unwrapped(sample);
      const reasons: string[] = [];
      if (inner !== null) {
        // As published, the prefix hides the header: refused, saying so.
        const raw = await readMemory(text, `hw.memsize: ${stated || 8 * GiB}\n${NO_SWAP}`);
        expect(raw.ok, `${sample.id} as published`).toBe(false);
        if (!raw.ok) expect(raw.reason).toMatch(/^vm_stat: no page-size header$|^vm_stat: no "/);
        reasons.push(`wrapped, refused as published (${raw.ok ? '' : raw.reason})`);
        text = inner;
      }
      const sum = pageSum(text);
      const total = Number.isFinite(stated) ? stated : nearestShipped(sum);
      const read = await readMemory(text, `hw.memsize: ${total}\n${NO_SWAP}`);
      if (note(sample, 'era') === 'old') {
        expect(read.ok).toBe(false);
        if (!read.ok) expect(read.reason).toBe(`vm_stat: no "Anonymous pages" row: the format of Mac OS X 10.8 or older (no memory compressor); Warden reads ${OLDEST_MACOS} and later`);
        record(sample, [...reasons, `refused: older than supported (${read.ok ? '' : read.reason})`].join('; '));
        return;
      }
      if (CUT_SHORT.has(sample.id)) {
        expect(read.ok).toBe(false);
        if (!read.ok) expect(read.reason).toMatch(/: the output is cut short$/);
        record(sample, [...reasons, `refused: cut short (${read.ok ? '' : read.reason})`].join('; '));
        return;
      }
      expect(read.ok, read.ok ? '' : read.reason).toBe(true);
      if (!read.ok) return;
      const m = read.value;
      expect([4096, 16384]).toContain(m.counters?.pageSizeBytes);
      // Every physical page lands on a list: the sum is the RAM within a few percent.
      expect(Math.abs(sum - total) / total, `${sample.id}: pages sum to ${(sum / GiB).toFixed(2)} GiB against ${(total / GiB).toFixed(0)} GiB`).toBeLessThanOrEqual(PAGE_SUM_TOLERANCE);
      expect(m.availableBytes).toBeGreaterThanOrEqual(0);
      expect(m.availableBytes).toBeLessThanOrEqual(m.totalBytes);
      expect(m.freeBytes).toBeLessThanOrEqual(m.totalBytes);
      expect((m.compressedBytes ?? 0) + (m.wiredBytes ?? 0)).toBeLessThanOrEqual(m.totalBytes);
      const against = Number.isFinite(stated) ? 'stated' : 'nearest shipped';
      record(sample, [...reasons, `parsed: ${m.counters?.pageSizeBytes} B pages, sum ${(sum / GiB).toFixed(2)} GiB vs ${(total / GiB).toFixed(0)} GiB ${against} (${(((sum - total) / total) * 100).toFixed(1)} %), available ${(m.availableBytes / GiB).toFixed(2)} GiB`].join('; '));
    });
  }
});

/** The vm.swapusage value as sysctl prints it after the name: a `sysctl -n` sample is given its name back. */
function swapLine(text: string): string {
  return /^vm\.swapusage: /m.test(text) ? text : `vm.swapusage: ${text.trim()}\n`;
}

describe('swapusage', () => {
  for (const sample of samples('swapusage')) {
    it(`${sample.id}`, () => {
      let text = sample.text;
      const reasons: string[] = [];
      const inner = unwrapped(sample);
      if (inner !== null) {
        expect(parseSysctlLines(text)['vm.swapusage'], 'the prefix hides the name').toBeUndefined();
        reasons.push('wrapped: no vm.swapusage line as published (sysctl: printed no vm.swapusage)');
        text = inner;
      }
      const value = parseSysctlLines(swapLine(text))['vm.swapusage'];
      expect(value).toBeDefined();
      const swap = parseSwapUsage(value!);
      expect(swap.totalBytes).toBeGreaterThanOrEqual(swap.usedBytes);
      expect(swap.usedBytes).toBeGreaterThanOrEqual(0);
      // total = used + free, to the 0.01 M sysctl prints.
      expect(Math.abs(swap.totalBytes - swap.usedBytes - swap.freeBytes)).toBeLessThanOrEqual(0.011 * MiB);
      // macOS grows swap in whole files of 1 GiB (or 64 MiB steps on older systems): the total is whole mebibytes.
      expect(swap.totalBytes % MiB).toBe(0);
      record(sample, [...reasons, `parsed: ${(swap.usedBytes / MiB).toFixed(2)} of ${(swap.totalBytes / MiB).toFixed(0)} MiB${value!.includes(',') ? ' (comma decimals)' : ''}`].join('; '));
    });
  }
});

describe('sysctl-multi', () => {
  const modern = readFileSync(path.join(REAL, 'vm_stat/1.txt'), 'utf8');
  for (const sample of samples('sysctl-multi')) {
    it(`${sample.id}`, async () => {
      const values = parseSysctlLines(sample.text);
      // None of these states hw.memsize; Warden asks for it with the rest, so one is added.
      const read = await readMemory(modern, `hw.memsize: ${16 * GiB}\n${sample.text}`);
      expect(read.ok, read.ok ? '' : read.reason).toBe(true);
      if (!read.ok) return;
      const m = read.value;
      const swap = parseSwapUsage(values['vm.swapusage']!);
      expect(m.swapUsedBytes).toBe(swap.usedBytes);
      expect(m.swapTotalBytes).toBeGreaterThanOrEqual(m.swapUsedBytes);
      const level = values['kern.memorystatus_vm_pressure_level'];
      expect(m.pressure).toBe(level === undefined ? null : ({ '1': 'normal', '2': 'warn', '4': 'critical' } as Record<string, string>)[level]);
      const free = values['kern.memorystatus_level'];
      expect(m.freePercent).toBe(free === undefined ? null : Number(free));
      record(sample, `parsed: swap ${(m.swapUsedBytes / MiB).toFixed(2)} of ${(m.swapTotalBytes / MiB).toFixed(0)} MiB, pressure ${m.pressure ?? 'not printed'}, free ${m.freePercent ?? '-'} %`);
    });
  }
});

describe('memsize', () => {
  const modern = readFileSync(path.join(REAL, 'vm_stat/1.txt'), 'utf8');
  for (const sample of samples('memsize')) {
    it(`${sample.id}`, async () => {
      let text = sample.text;
      const reasons: string[] = [];
      const inner = unwrapped(sample);
      if (inner !== null) {
        const raw = await readMemory(modern, `${text}\n${NO_SWAP}`);
        expect(raw.ok ? '' : raw.reason).toBe('sysctl: printed no hw.memsize');
        reasons.push('wrapped, refused as published (sysctl: printed no hw.memsize)');
        text = inner;
      }
      const read = await readMemory(modern, `${text}\n${NO_SWAP}`);
      expect(read.ok, read.ok ? '' : read.reason).toBe(true);
      if (!read.ok) return;
      expect(SHIPPED_GIB.map((g) => g * GiB)).toContain(read.value.totalBytes);
      record(sample, [...reasons, `parsed: ${read.value.totalBytes / GiB} GiB`].join('; '));
    });
  }
});

describe('memory_pressure', () => {
  // Warden does not run memory_pressure: it reads the same figures from vm_stat and sysctl
  // (kern.memorystatus_level is its "free percentage"). Its numbers are fed to those readers.
  for (const sample of samples('memory_pressure')) {
    it(`${sample.id}`, async () => {
      const system = /^The system has (\d+) \((\d+) pages with a page size of (\d+)\)\.$/m.exec(sample.text);
      expect(system, 'the "The system has" line').not.toBeNull();
      const [total, pages, pageSize] = [Number(system![1]), Number(system![2]), Number(system![3])];
      expect(total).toBe(pages * pageSize);
      expect(SHIPPED_GIB.map((g) => g * GiB)).toContain(total);
      const count = (label: string) => Number(new RegExp(`^${label}: (\\d+) *$`, 'm').exec(sample.text)?.[1] ?? NaN);
      const sum = ['Pages free', 'Pages active', 'Pages inactive', 'Pages speculative', 'Pages throttled', 'Pages wired down', 'Pages used by compressor'].reduce((s, l) => s + count(l), 0) * pageSize;
      expect(Math.abs(sum - total) / total).toBeLessThanOrEqual(PAGE_SUM_TOLERANCE);
      const percent = /^System-wide memory free percentage: (\d+)%$/m.exec(sample.text)?.[1];
      const read = await readMemory(readFileSync(path.join(REAL, 'vm_stat/1.txt'), 'utf8'), `hw.memsize: ${total}\n${NO_SWAP}kern.memorystatus_level: ${percent}\n`);
      expect(read.ok && read.value.freePercent).toBe(Number(percent));
      record(sample, `checked (no Warden parser; its figures through the sysctl reader): ${total / GiB} GiB, pages sum ${(((sum - total) / total) * 100).toFixed(1)} %, free ${percent} %`);
    });
  }
});

/** One ps row re-laid into Warden's columns (pid ppid uid rss %cpu time etime command). */
function wardenRow(f: { pid: string; ppid: string; uid: string; rss: string; cpu: string; time: string; etimeSeconds: number; command: string }): string {
  const d = Math.floor(f.etimeSeconds / 86_400);
  const h = Math.floor((f.etimeSeconds % 86_400) / 3600);
  const m = Math.floor((f.etimeSeconds % 3600) / 60);
  const s = f.etimeSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const etime = d > 0 ? `${d}-${two(h)}:${two(m)}:${two(s)}` : h > 0 ? `${two(h)}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
  return [f.pid, f.ppid, f.uid, f.rss, f.cpu, f.time, etime, f.command].join(' ');
}

describe('ps', () => {
  const byId = new Map(samples('ps').map((s) => [s.id, s]));

  it('ps/1 (pid ppid pgid uid rss %cpu time lstart ucomm args): every row parses, nobody (-2) included', () => {
    const sample = byId.get('ps/1')!;
    const lines = sample.text.split('\n').slice(1).filter((l) => l.trim() !== '');
    // Not Warden's columns as published: every line is left out, and counted.
    expect(parsePs(sample.text, 0).rows).toEqual([]);
    const LINE = /^\s*(\d+)\s+(\d+)\s+\d+\s+(-?\d+)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\s+(.{16}) (.*)$/;
    const parsed = lines.map((l) => LINE.exec(l));
    expect(parsed.every(Boolean), 'every row has the published columns').toBe(true);
    const starts = parsed.map((m) => Date.parse(`${m![7]} UTC`));
    // The capture was taken after the newest start (2026-10-01 per the source).
    const at = Math.max(...starts) + 60_000;
    const text = parsed.map((m, i) => wardenRow({ pid: m![1]!, ppid: m![2]!, uid: m![3]!, rss: m![4]!, cpu: m![5]!, time: m![6]!, etimeSeconds: Math.round((at - starts[i]!) / 1000), command: m![9]! })).join('\n');
    const { rows, skipped } = parsePs(`${text}\n`, at);
    expect(skipped).toBe(0);
    expect(rows).toHaveLength(lines.length);
    const nobody = rows.filter((r) => r.uid === -2).map((r) => r.name);
    expect(nobody).toEqual(expect.arrayContaining(['dhcp6d', 'distnoted']));
    for (const row of rows) {
      expect(row.elapsedSeconds).toBeGreaterThanOrEqual(0);
      expect(row.cpuSeconds).toBeGreaterThanOrEqual(0);
      expect(row.rssBytes).toBeGreaterThanOrEqual(0);
    }
    record(sample, `parsed: ${rows.length} rows re-laid into Warden's columns, ${nobody.length} of uid -2 kept (${nobody.join(', ')}); as published every line is left out (other columns)`);
  });

  for (const id of ['ps/2', 'ps/5']) {
    it(`${id} (pid etime command, with a header): every etime parses and is ≥ 0; not Warden's columns`, () => {
      const sample = byId.get(id)!;
      const rows = sample.text.split('\n').filter((l) => /^\s*\d+\s+\S+\s/.test(l));
      const etimes = rows.map((l) => parseEtime(l.trim().split(/\s+/)[1]!));
      for (const e of etimes) expect(e).toBeGreaterThanOrEqual(0);
      // The 7-column parser leaves every one of these lines out, counting them: a format change shows as a number.
      expect(parsePs(sample.text, 0).rows).toEqual([]);
      record(sample, `etime parsed on ${etimes.length} rows (max ${Math.max(...etimes)} s); refused by parsePs as not Warden's columns (every line counted as left out)${id === 'ps/2' ? '; its last row was cut by the publisher, only its etime is read' : ''}`);
    });
  }

  it('ps/3 (pid ppid time rss, with a header): every CPU time parses; not Warden\'s columns', () => {
    const sample = byId.get('ps/3')!;
    const rows = sample.text.split('\n').filter((l) => /^\s*\d+\s/.test(l)).map((l) => l.trim().split(/\s+/));
    for (const [, , time, rss] of rows) {
      expect(parseCpuTime(time!)).toBeGreaterThanOrEqual(0);
      expect(Number(rss)).toBeGreaterThanOrEqual(0);
    }
    expect(parsePs(sample.text, 0).rows).toEqual([]);
    record(sample, `CPU time parsed on ${rows.length} rows; refused by parsePs as not Warden's columns`);
  });
});

describe('top', () => {
  for (const sample of samples('top')) {
    it(`${sample.id} (the default wide columns): refused as not Warden's -stats pid,mem; its PID and MEM re-laid parse`, () => {
      expect(() => parseTopFootprints(sample.text)).toThrow('top: no "PID MEM" header');
      const lines = sample.text.split('\n');
      const header = lines.findIndex((l) => /^PID\s+COMMAND/.test(l));
      const columns = lines[header]!.trim().split(/\s+/);
      const mem = columns.indexOf('MEM');
      // COMMAND is cut to 16 characters and may hold spaces; it is the only such column.
      const rows = lines.slice(header + 1).filter((l) => l.trim() !== '').map((l) => [l.slice(0, 7).trim(), ...l.slice(24).trim().split(/\s+/)]);
      const complete = rows.filter((r) => r.length >= columns.length - 1);
      const physMem = /^PhysMem: (\d+)G used/m.exec(sample.text);
      const relaid = `PID    MEM\n${complete.map((r) => `${r[0]!.padEnd(7)}${r[mem - 1]}`).join('\n')}\n`;
      const footprints = parseTopFootprints(relaid);
      expect(footprints.size).toBe(complete.length);
      for (const bytes of footprints.values()) expect(bytes).toBeLessThanOrEqual(Number(physMem![1]) * GiB);
      record(sample, `refused as published (top: no "PID MEM" header: the default columns); ${footprints.size} complete rows re-laid parse, ${rows.length - complete.length} row cut by the publisher left out`);
    });
  }
});

/** `expect:` notes: state=…, pid=…, lastExit=…, runInterval=…, properties-contain=…. */
function expectations(sample: Sample): Record<string, string> {
  const text = note(sample, 'expect') ?? '';
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)=((?:not running)|[^\s]+(?: program)?)/g)) out[m[1]!] = m[2]!;
  return out;
}

describe('launchctl print', () => {
  for (const sample of samples('launchctl-print')) {
    it(`${sample.id}`, () => {
      const want = expectations(sample);
      const job = parseLaunchctlPrint(sample.text);
      expect(job.state).toBe(want.state);
      expect(job.pid).toBe(want.pid === 'null' ? null : Number(want.pid));
      if (want.lastExit === 'never-exited') expect(job.lastExit?.neverExited).toBe(true);
      else expect(job.lastExit?.code).toBe(Number(want.lastExit));
      if (want.runInterval) expect(job.runInterval).toBe(Number(want.runInterval));
      if (want['properties-contain']) expect(job.properties).toContain(want['properties-contain']);
      record(sample, `parsed: state ${job.state}, pid ${job.pid ?? '-'}, last exit ${job.lastExit?.text ?? 'none'}${job.runInterval ? `, every ${job.runInterval} s` : ''}${job.properties.length ? `, properties ${job.properties.join(' | ')}` : ''}`);
    });
  }
});

describe('launchctl errors', () => {
  for (const sample of samples('launchctl-error')) {
    it(`${sample.id}`, async () => {
      const exit = Number(note(sample, 'exit')?.split(' ')[0]);
      // Exit unknown where the source does not show it: read as launchctl's "no such domain" (112) and as a bare failure (1).
      const exits = Number.isFinite(exit) ? [exit] : [112, 1];
      const outcomes: string[] = [];
      for (const code of exits) {
        const facts = new ScriptedFacts().on((argv) => (argv[0] === 'launchctl' ? fail(argv, code, sample.text) : null));
        const read = await readLaunchdJob(facts, 'gui/501', 'com.example.job');
        const said = read.ok ? (read.value.loaded ? 'loaded' : read.value.message) : read.reason;
        // Never a job read from an error, and the message is the launchctl's own words.
        expect(read.ok && read.value.loaded).toBe(false);
        expect(said).toContain(sample.text.split('\n').find((l) => l.trim() !== '' && l.trim() !== 'Bad request.')!.trim());
        outcomes.push(`exit ${code}: ${read.ok && !read.value.loaded ? read.value.why : 'unknown'} ("${said.slice(0, 70)}")`);
      }
      record(sample, `read as ${outcomes.join('; ')}`);
    });
  }
});

describe('launchctl list', () => {
  for (const sample of samples('launchctl-list')) {
    it(`${sample.id} (PID Status Label, the rows launchctl print gui/<uid> lists under services)`, () => {
      // Warden reads these rows from `launchctl print gui/<uid>`; the same columns sit in its services block.
      const rows = sample.text.split('\n').filter((l) => /^(\d+|-)\s/.test(l));
      const block = `gui/501 = {\n\tservices = {\n${rows.map((r) => `\t\t${r}`).join('\n')}\n\t}\n}\n`;
      const services = parseLaunchctlDomainServices(block);
      expect(services).toHaveLength(rows.length);
      for (const s of services) {
        expect(s.pid === null || s.pid > 0).toBe(true);
        expect(s.status).toMatch(/^-?\d+$|^-$/);
        expect(s.label).toMatch(/^[\w.-]+$/);
      }
      record(sample, `parsed: ${services.length} services, ${services.filter((s) => s.pid !== null).length} running${/REFLOWED/.test(sample.source) ? ' (spaces for tabs as published, still read)' : ''}`);
    });
  }
});

describe('lsof', () => {
  for (const sample of samples('lsof')) {
    it(`${sample.id} (column output): refused, Warden reads lsof -F field output`, async () => {
      const facts = new ScriptedFacts().on((argv) => (argv[0] === 'lsof' ? ok(argv, sample.text) : null));
      const read = await readTcpListeners(facts);
      expect(read.ok).toBe(false);
      if (!read.ok) expect(read.reason).toBe('lsof -iTCP -sTCP:LISTEN: no p<pid> lines in the output');
      record(sample, `refused: column output (${read.ok ? '' : read.reason})`);
    });
  }
});

describe('the copies', () => {
  it.runIf(existsSync(SHARED))('match the shared reference they were copied from (skipped where ../shared/reference is not beside the repo, as in CI)', () => {
    for (const folder of readdirSync(REAL).filter((f) => !f.includes('.'))) {
      for (const file of readdirSync(path.join(REAL, folder))) {
        expect(readFileSync(path.join(REAL, folder, file), 'utf8'), `${folder}/${file}`).toBe(readFileSync(path.join(SHARED, folder, file), 'utf8'));
      }
    }
  });
});
