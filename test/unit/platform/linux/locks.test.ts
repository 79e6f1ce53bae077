import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../../src/platform/capture.js';
import type { CommandResult, FileStat } from '../../../../src/platform/facts.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import { lsofFileOpenersArgv } from '../../../../src/platform/lsof.js';
import { parseProcLocks, readLockHolders, splitLinuxDev } from '../../../../src/platform/linux/locks.js';
import { readFileHolders } from '../../../../src/platform/file-holders.js';

// proc-locks-mixed.txt is a real /proc/locks (Linux 6.18, ext4 on fe:00) taken while Python
// children held: a lockf write lock on inode 2146509 with a second process blocked behind it
// (the `->` row), a lockf read lock (2146510), an flock (2146511) and an OFD write lock
// (2146512, pid -1).
const LOCKS = readFileSync(new URL('../../../fixtures/linux/proc-locks-mixed.txt', import.meta.url), 'utf8');
const DEV = 65024; // st_dev of fe:00

function stat(path: string, ino: number, dev = DEV, exists = true): FileRecord {
  const result: FileStat = { path, exists, isFile: exists, isDirectory: false, size: 0, mtimeMs: 0, dev, ino, uid: 0, error: null };
  return { op: 'stat', path, result };
}

function read(path: string, content: string | null): FileRecord {
  return { op: 'read', path, result: { path, exists: content !== null, content, truncated: false, error: null } };
}

function replay(files: FileRecord[], commands: Array<Partial<CommandResult> & { argv: string[] }> = []): ReplayFacts {
  return new ReplayFacts({
    format: 'warden-capture',
    version: 1,
    host: { platform: 'linux', arch: 'x64', hostname: 'box', uid: 0, user: 'root', cpuCount: 2, createdAt: 0, wardenVersion: 'test' },
    samples: [
      {
        at: 0,
        commands: commands.map((c) => ({ exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 5, timedOut: false, truncated: false, error: null, ...c })),
        files,
        http: [],
      },
    ],
  });
}

describe('parseProcLocks', () => {
  it('reads every row of a real /proc/locks, device in hex, marking the blocked waiter', () => {
    expect(parseProcLocks(LOCKS)).toEqual([
      { kind: 'POSIX', mode: 'READ', pid: 7826, major: 0xfe, minor: 0, inode: 2146510, waiting: false },
      { kind: 'OFDLCK', mode: 'WRITE', pid: -1, major: 0xfe, minor: 0, inode: 2146512, waiting: false },
      { kind: 'FLOCK', mode: 'WRITE', pid: 7827, major: 0xfe, minor: 0, inode: 2146511, waiting: false },
      { kind: 'POSIX', mode: 'WRITE', pid: 7742, major: 0xfe, minor: 0, inode: 2146509, waiting: false },
      { kind: 'POSIX', mode: 'WRITE', pid: 7784, major: 0xfe, minor: 0, inode: 2146509, waiting: true },
    ]);
  });

  it('reads a real SQLite BEGIN EXCLUSIVE lock: a byte range at 1 GiB, not the whole file', () => {
    const text = readFileSync(new URL('../../../fixtures/linux/proc-locks-sqlite-exclusive.txt', import.meta.url), 'utf8');
    expect(parseProcLocks(text)).toEqual([{ kind: 'POSIX', mode: 'WRITE', pid: 13582, major: 0xfe, minor: 0, inode: 2147199, waiting: false }]);
  });

  it('reads byte-range rows and nested waiters, and skips rows it cannot use', () => {
    const text = [
      '1: POSIX  ADVISORY  WRITE 4242 08:11:77 1073741824 1073742335',
      '1: -> POSIX  ADVISORY  READ 4243 08:11:77 1073741824 1073742335',
      '1:  -> -> POSIX  ADVISORY  READ 4244 08:11:77 0 EOF',
      '2: LEASE  BREAKING  UNLCK 99 08:11:78 0 EOF',
      '3: POSIX  ADVISORY  WRITE 5 <none>:0 0 EOF',
      'garbage',
      '',
    ].join('\n');
    expect(parseProcLocks(text)).toEqual([
      { kind: 'POSIX', mode: 'WRITE', pid: 4242, major: 8, minor: 0x11, inode: 77, waiting: false },
      { kind: 'POSIX', mode: 'READ', pid: 4243, major: 8, minor: 0x11, inode: 77, waiting: true },
      { kind: 'POSIX', mode: 'READ', pid: 4244, major: 8, minor: 0x11, inode: 77, waiting: true },
    ]);
  });
});

describe('splitLinuxDev', () => {
  it('splits st_dev as glibc does', () => {
    expect(splitLinuxDev(65024)).toEqual({ major: 254, minor: 0 });
    expect(splitLinuxDev(2065)).toEqual({ major: 8, minor: 17 });
    // minor 300 spills into bits 20+; major 4100 into bits 32+ (e.g. device-mapper, NVMe partitions).
    const dev = (300 & 0xff) + ((4100 & 0xfff) << 8) + (300 >> 8) * 2 ** 20 + (4100 >> 12) * 2 ** 32;
    expect(splitLinuxDev(dev)).toEqual({ major: 4100, minor: 300 });
  });
});

describe('readLockHolders', () => {
  it('names the POSIX write holder and not the process waiting behind it', async () => {
    const facts = replay([stat('/data/a', 2146509), read('/proc/locks', LOCKS)]);
    expect(await readLockHolders(facts, '/data/a')).toEqual({ ok: true, value: [{ pid: 7742, kind: 'posix-write' }] });
  });

  it('maps READ to posix-read and FLOCK to flock', async () => {
    expect(await readLockHolders(replay([stat('/b', 2146510), read('/proc/locks', LOCKS)]), '/b')).toEqual({ ok: true, value: [{ pid: 7826, kind: 'posix-read' }] });
    const flock = replay(
      [stat('/c', 2146511), read('/proc/locks', LOCKS), read('/proc/7827/fdinfo/3', 'pos:\t0\nflags:\t0100001\nlock:\t1: FLOCK  ADVISORY  WRITE 7827 fe:00:2146511 0 EOF\n')],
      [{ argv: lsofFileOpenersArgv('/c'), stdout: 'p7827\ncpython3\nf3\nn/c\n' }],
    );
    expect(await readLockHolders(flock, '/c')).toEqual({ ok: true, value: [{ pid: 7827, kind: 'flock' }] });
  });

  // Real rows: `flock -x 9` (PID 14179) took the lock on bash's descriptor 9 and exited; bash
  // forked sleep (PID 14180), which inherited the descriptor, and exited too. /proc/locks still
  // names 14179; only 14180's fdinfo shows the lock.
  const INHERITED_LOCKS = readFileSync(new URL('../../../fixtures/linux/proc-locks-flock-inherited.txt', import.meta.url), 'utf8');
  const INHERITED_FDINFO = readFileSync(new URL('../../../fixtures/linux/proc-fdinfo-flock-inherited.txt', import.meta.url), 'utf8');

  it('names an inherited flock’s holder from the file side, never the pid that took it', async () => {
    const facts = replay(
      [stat('/e', 2146708), read('/proc/locks', INHERITED_LOCKS), read('/proc/14180/fdinfo/9', INHERITED_FDINFO)],
      [{ argv: lsofFileOpenersArgv('/e'), stdout: 'p14180\ncsleep\nf9\nn/e\n' }],
    );
    expect(await readLockHolders(facts, '/e')).toEqual({ ok: true, value: [{ pid: 14180, kind: 'flock' }] });
  });

  it('does not name an opener whose fdinfo lacks the flock (its own descriptor, no lock), and says the lock is unnamed', async () => {
    const facts = replay(
      [stat('/e', 2146708), read('/proc/locks', INHERITED_LOCKS), read('/proc/14179/fdinfo/4', 'pos:\t0\nflags:\t0100000\nmnt_id:\t27\nino:\t2146708\n')],
      // The taker's pid, reused by an innocent process that merely opened the same file.
      [{ argv: lsofFileOpenersArgv('/e'), stdout: 'p14179\ncinnocent\nf4\nn/e\n' }],
    );
    const result = await readLockHolders(facts, '/e');
    expect(result).toEqual({
      ok: false,
      reason:
        "/e: 1 flock lock(s): /proc/locks names PID 14179, the process that took it, and no process with the file open shows it in /proc/<pid>/fdinfo (the taker may have exited, leaving the lock to a child Warden cannot read: another user's process?)",
    });
  });

  it('says why an flock cannot be named when lsof cannot run', async () => {
    const facts = replay([stat('/e', 2146708), read('/proc/locks', INHERITED_LOCKS)], [{ argv: lsofFileOpenersArgv('/e'), exitCode: null, error: 'ENOENT: no such command on this system' }]);
    expect(await readLockHolders(facts, '/e')).toEqual({ ok: false, reason: '/e: cannot name the holder of its flock lock: lsof /e: ENOENT: no such command on this system' });
  });

  it('does not match the same inode on another device', async () => {
    const facts = replay([stat('/other/a', 2146509, 2065), read('/proc/locks', LOCKS)]);
    expect(await readLockHolders(facts, '/other/a')).toEqual({ ok: true, value: [] });
  });

  it('names an OFD lock’s holder through /proc/<pid>/fdinfo of the file’s openers', async () => {
    const facts = replay(
      [
        stat('/d', 2146512),
        read('/proc/locks', LOCKS),
        // Real fdinfo of the descriptor a Python child took the OFD lock through.
        read('/proc/7828/fdinfo/3', readFileSync(new URL('../../../fixtures/linux/proc-fdinfo-ofd-lock.txt', import.meta.url), 'utf8')),
      ],
      [{ argv: lsofFileOpenersArgv('/d'), stdout: 'p7828\ncpython3\nf3\nn/d\n' }],
    );
    expect(await readLockHolders(facts, '/d')).toEqual({ ok: true, value: [{ pid: 7828, kind: 'posix-write' }] });
  });

  it('explains an OFD lock it cannot tie to a pid', async () => {
    const facts = replay([stat('/d', 2146512), read('/proc/locks', LOCKS)], [{ argv: lsofFileOpenersArgv('/d'), exitCode: 1 }]);
    const result = await readLockHolders(facts, '/d');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(
      '/d: 1 open-file-description (OFD) lock(s) show no pid in /proc/locks, and no opener\'s /proc/<pid>/fdinfo named it (another user\'s process?)',
    );
  });

  it('has no holders for a missing file, and says why it cannot stat one', async () => {
    expect(await readLockHolders(replay([stat('/gone', 0, 0, false)]), '/gone')).toEqual({ ok: true, value: [] });
    const denied: FileRecord = { op: 'stat', path: '/x', result: { path: '/x', exists: false, isFile: false, isDirectory: false, size: 0, mtimeMs: 0, dev: 0, ino: 0, uid: -1, error: 'EACCES: permission denied' } };
    expect(await readLockHolders(replay([denied]), '/x')).toEqual({ ok: false, reason: '/x: EACCES: permission denied' });
  });

  it('is not ok without /proc/locks (not Linux)', async () => {
    expect(await readLockHolders(replay([stat('/a', 1), read('/proc/locks', null)]), '/a')).toEqual({ ok: false, reason: '/proc/locks: not present on this system' });
  });
});

describe('readFileHolders', () => {
  it('on Linux lists lock holders, then other openers as open', async () => {
    const facts = replay(
      [stat('/data/a', 2146509), read('/proc/locks', LOCKS)],
      [{ argv: lsofFileOpenersArgv('/data/a'), stdout: 'p7742\ncpython3\nf3\nn/data/a\np7784\ncpython3\nf3\nn/data/a\n' }],
    );
    expect(await readFileHolders(facts, 'linux', '/data/a')).toEqual({
      ok: true,
      value: [
        { pid: 7742, kind: 'posix-write' },
        { pid: 7784, kind: 'open' },
      ],
    });
  });

  it('on Linux keeps the lock holders when lsof fails', async () => {
    const facts = replay([stat('/data/a', 2146509), read('/proc/locks', LOCKS)], [{ argv: lsofFileOpenersArgv('/data/a'), exitCode: null, error: 'ENOENT: no such command on this system' }]);
    expect(await readFileHolders(facts, 'linux', '/data/a')).toEqual({ ok: true, value: [{ pid: 7742, kind: 'posix-write' }] });
  });

  it('on macOS lists every opener as open (lsof cannot see fcntl locks there)', async () => {
    const text = readFileSync(new URL('../../../fixtures/darwin/lsof-file-openers-macos.SYNTHETIC.txt', import.meta.url), 'utf8');
    const path = '/Users/bert/sanctum/data/workspace.duckdb';
    const facts = replay([], [{ argv: lsofFileOpenersArgv(path), stdout: text }]);
    expect(await readFileHolders(facts, 'darwin', path)).toEqual({
      ok: true,
      value: [
        { pid: 10832, kind: 'open' },
        { pid: 20117, kind: 'open' },
      ],
    });
  });

  it('says when the platform is not supported', async () => {
    expect(await readFileHolders(replay([]), 'win32', '/a')).toEqual({ ok: false, reason: 'file holders: not supported on win32' });
  });
});
