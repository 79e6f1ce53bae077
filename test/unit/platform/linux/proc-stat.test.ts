import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auxvValues, commandOf, derivedFactsOf, parseBootTime, parseProcEntry, startTicksOf, USER_HZ, type ProcEntry } from '../../../../src/platform/linux/proc-stat.js';
import { nameFromCommand, parsePs } from '../../../../src/platform/ps.js';
import { readProcessTable } from '../../../../src/platform/processes.js';
import type { Facts } from '../../../../src/platform/facts.js';

// Real texts of one moment on the Linux test host: test/fixtures/linux/SOURCES-memory-processes.md.
const text = (name: string): string => readFileSync(new URL(`../../../fixtures/linux/proc/${name}`, import.meta.url), 'utf8');
/** What the reader hands over for a process: its stat, and what its status and cmdline say. */
const entryOf = (pid: number, stat: string, status: string, cmdline: string): ProcEntry => ({ pid, stat, derived: derivedFactsOf(status, cmdline) });
const entry = (pid: number): ProcEntry => entryOf(pid, text(`${pid}.stat`), text(`${pid}.status`), text(`${pid}.cmdline`));
const BOOT = parseBootTime(text('proc-stat-btime.txt')) as number;
const AT = BOOT + 13 * 60_000;
const clock = { bootTimeMs: BOOT, ticksPerSecond: USER_HZ, pageSizeBytes: 4096 };
const PIDS = [2, 4418, 11611, 11938];

describe('parseProcEntry on real /proc texts', () => {
  it('reads btime as ms since the epoch', () => {
    expect(BOOT).toBe(Number(text('proc-stat-btime.txt').split(' ')[1]) * 1000);
    expect(parseBootTime('cpu 1 2 3\nintr 5\n')).toBeNull();
  });

  it('gives the pid, ppid, uid, rss and command ps printed for the same processes', () => {
    const fromPs = parsePs(text('ps-same-processes.txt'), AT).rows;
    expect(fromPs.map((r) => r.pid)).toEqual(PIDS);
    for (const ps of fromPs) {
      const row = parseProcEntry(entry(ps.pid), AT, clock);
      expect(row, `pid ${ps.pid}`).not.toBeNull();
      expect({ pid: row!.pid, ppid: row!.ppid, uid: row!.uid, command: row!.command, name: row!.name, zombie: row!.zombie }).toEqual({
        pid: ps.pid,
        ppid: ps.ppid,
        uid: ps.uid,
        command: ps.command,
        name: ps.name,
        zombie: ps.zombie,
      });
      // stat's rss is the kernel's per-CPU-batched count; ps prints status's exact VmRSS: within 64 pages per CPU here (2 CPUs).
      expect(Math.abs(row!.rssBytes - ps.rssBytes), `pid ${ps.pid} rss`).toBeLessThanOrEqual(2 * 64 * 4096);
    }
    // The bash of the same moment: 950 pages in stat, VmRSS 4016 kB in status.
    expect(parseProcEntry(entry(4418), AT, clock)!.rssBytes).toBe(950 * 4096);
  });

  it('reads a name with spaces and parentheses from after the last ")", and its argv verbatim', () => {
    const row = parseProcEntry(entry(11938), AT, clock)!;
    expect(row.ppid).toBe(1);
    expect(row.command).toBe('/tmp/cost/odd/we ird) (x -c sleep 60; : two  spaces é');
    // The name is guessed from the joined command line as it is from ps, so the two readers agree.
    expect(row.name).toBe('we');
    expect(row.startedAt).toBe(BOOT + 76823 * 10);
    expect(row.elapsedSeconds).toBe(Math.floor((AT - row.startedAt) / 1000));
  });

  it('shows a kernel thread as [comm] with no memory, and a zombie as [comm] <defunct>', () => {
    expect(parseProcEntry(entry(2), AT, clock)).toMatchObject({ command: '[kthreadd]', name: 'kthreadd', rssBytes: 0, zombie: false, ppid: 0 });
    expect(parseProcEntry(entry(11611), AT, clock)).toMatchObject({ command: '[sleep] <defunct>', name: 'sleep', zombie: true });
  });

  it('names a process without argv as nameFromCommand names its [comm] line, for any comm', () => {
    for (const comm of ['kworker/0:1-events', ' spaced ', '', '(sd-pam)', 'a]b', 'x <defunct>', 'tab\tbed']) {
      for (const state of ['S', 'Z']) {
        const row = parseProcEntry(entryOf(9, `9 (${comm}) ${state} 1 ${'0 '.repeat(25)}`, 'Uid:\t0\t0\t0\t0\n', ''), AT, clock)!;
        expect(row.name, `${state} ${JSON.stringify(comm)}`).toBe(nameFromCommand(row.command));
      }
    }
  });

  it('gives a start time that does not move between samples (pid + start is the identity)', () => {
    const a = parseProcEntry(entry(4418), AT, clock)!;
    const b = parseProcEntry(entry(4418), AT + 3_600_000, clock)!;
    expect(b.startedAt).toBe(a.startedAt);
    expect(b.elapsedSeconds - a.elapsedSeconds).toBe(3600);
  });

  it('computes ps %cpu (lifetime CPU over lifetime, in tenths) and cpu seconds from utime + stime', () => {
    const stat = '77 (busy) R 1 77 77 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 1000 0 512 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0';
    const row = parseProcEntry(entryOf(77, stat, 'Uid:\t501\t501\t501\t501\nVmRSS:\t    2048 kB\n', 'busy\u0000--x\u0000'), BOOT + 10_000 + 40_000, clock)!;
    expect(row).toMatchObject({ cpuSeconds: 2, elapsedSeconds: 40, cpuPercent: 5, rssBytes: 2 * 1024 * 1024, uid: 501, command: 'busy --x' });
  });

  it('refuses texts that are not a process: another pid, cut short, no Uid line', () => {
    const good = entry(4418);
    expect(parseProcEntry({ ...good, pid: 4419 }, AT, clock)).toBeNull();
    expect(parseProcEntry({ ...good, stat: good.stat.slice(0, 60) }, AT, clock)).toBeNull();
    expect(parseProcEntry({ ...good, derived: derivedFactsOf('Name:\tbash\n', '') }, AT, clock)).toBeNull();
    expect(parseProcEntry({ ...good, stat: '' }, AT, clock)).toBeNull();
    // Up to the start time but not the rss field; a number field that is not a number.
    const fields = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1)).join(' ');
    expect(parseProcEntry({ ...good, stat: `4418 (bash) S ${fields(20)}` }, AT, clock)).toBeNull();
    expect(parseProcEntry({ ...good, stat: `4418 (bash) S ${fields(21)}` }, AT, clock)).not.toBeNull();
    expect(parseProcEntry({ ...good, stat: `4418 (bash) S x ${fields(40)}` }, AT, clock)).toBeNull();
  });

  it('reads each number field as decimal digits only, where it lies', () => {
    const uid = 'Uid:\t0\t0\t0\t0\n';
    // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal start vsize rss
    const statWith = (over: Record<number, string>, tail = ' 0 0\n') => {
      const fields = ['S', '1', '5', '5', '0', '-1', '0', '0', '0', '0', '0', '150', '50', '0', '0', '20', '0', '1', '0', '1000', '0', '512'];
      for (const [i, v] of Object.entries(over)) fields[Number(i)] = v;
      return `5 (x y) ${fields.join(' ')}${tail}`;
    };
    const parse = (stat: string) => parseProcEntry(entryOf(5, stat, uid, 'x\u0000'), BOOT + 60_000, clock);
    expect(parse(statWith({}))).toMatchObject({ ppid: 1, cpuSeconds: 2, rssBytes: 512 * 4096, startedAt: BOOT + 10_000 });
    // A stat cut right after rss, newline and all; a negative rss (the kernel's is signed) as none.
    expect(parse(statWith({}, '\n'))).toMatchObject({ rssBytes: 512 * 4096 });
    expect(parse(statWith({ 21: '-3' }))).toMatchObject({ rssBytes: 0 });
    // What Number() would take but the kernel never prints: signs, hex, exponents, blanks.
    for (const bad of ['+1', '0x10', '1e3', '', '1.5', '-', '9007199254740993']) expect(parse(statWith({ 1: bad })), JSON.stringify(bad)).toBeNull();
    // The state is one letter: only Z is a zombie.
    expect(parse(statWith({ 0: 'Z' }))?.zombie).toBe(true);
    expect(parse(statWith({ 0: 'ZZ' }))?.zombie).toBe(false);
    expect(startTicksOf(statWith({}))).toBe(1000);
    expect(startTicksOf(statWith({ 19: 'x' }))).toBeNull();
    expect(startTicksOf('5 (x) S 1')).toBeNull();
    expect(startTicksOf('garbage')).toBeNull();
  });

  it('reads the page size and clock ticks from auxv pairs, in either byte order', () => {
    const words = [33n, 7n, 6n, 16384n, 17n, 100n, 0n, 0n];
    const le = Buffer.alloc(words.length * 8);
    const be = Buffer.alloc(words.length * 8);
    words.forEach((w, i) => {
      le.writeBigUInt64LE(w, i * 8);
      be.writeBigUInt64BE(w, i * 8);
    });
    expect(auxvValues(le, true)).toEqual({ pageSizeBytes: 16384, ticksPerSecond: 100 });
    expect(auxvValues(be, false)).toEqual({ pageSizeBytes: 16384, ticksPerSecond: 100 });
    expect(auxvValues(Buffer.alloc(0), true)).toEqual({ pageSizeBytes: null, ticksPerSecond: null });
  });

  it('joins argv with spaces, drops the final NULs, and prints control characters as ?', () => {
    expect(commandOf('a\u0000b c\u0000\u0000')).toBe('a b c');
    expect(commandOf('evil\u001b[31m\u0000x\n')).toBe('evil?[31m x ');
    // As procps 4 prints them (Debian 12: argv "a\tb\nc\rd\x01e" shows as "a?b c?d?e").
    expect(commandOf('a\tb\nc\rd\u0001e')).toBe('a?b c?d?e');
    expect(commandOf('')).toBe('');
  });
});

describe('readProcessTable with a /proc snapshot', () => {
  const facts = (snapshot: Facts['processSnapshot']): Facts =>
    ({ mode: 'live', processSnapshot: snapshot, run: () => Promise.reject(new Error('ps must not run')) }) as unknown as Facts;

  it('reads the rows from the snapshot and counts what did not parse, never running ps', async () => {
    const entries = [...PIDS.map(entry), entryOf(5, 'garbage', '', '')];
    const part = await readProcessTable(facts(() => Promise.resolve({ pageSizeBytes: 4096, ticksPerSecond: 100, procStat: text('proc-stat-btime.txt'), entries, vanished: 1, timedOut: false })), AT);
    expect(part.ok && part.value.rows.map((r) => r.pid)).toEqual(PIDS);
    expect(part.ok && part.value.skipped).toBe(1);
  });

  it('says why when the walk passed its deadline, /proc/stat has no btime, or the read failed', async () => {
    const late = await readProcessTable(facts(() => Promise.resolve({ pageSizeBytes: 4096, ticksPerSecond: 100, procStat: text('proc-stat-btime.txt'), entries: [entry(2)], vanished: 0, timedOut: true })), AT);
    expect(late).toEqual({ ok: false, reason: '/proc: the walk passed its 4 s deadline after 1 processes' });
    const noBoot = await readProcessTable(facts(() => Promise.resolve({ pageSizeBytes: 4096, ticksPerSecond: 100, procStat: 'cpu 1\n', entries: [entry(2)], vanished: 0, timedOut: false })), AT);
    expect(noBoot).toEqual({ ok: false, reason: '/proc/stat has no btime line' });
    const failed = await readProcessTable(facts(() => Promise.reject(Object.assign(new Error('EACCES: permission denied, scandir /proc'), { code: 'EACCES' }))), AT);
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.reason).toMatch(/^\/proc: .*EACCES/);
  });
});
