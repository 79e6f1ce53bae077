import { describe, expect, it } from 'vitest';
import { LockMonitor } from '../../../src/engine/locks.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { ProcessRow, ProcessTable } from '../../../src/common/processes.js';
import { ScriptedFacts, ok } from '../../support/scripted-facts.js';

const DB = '/Users/bert/sanctum/data/workspace.duckdb';
const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);
const HELD = (3 * 24 + 2) * 3600 + 15 * 60 + 11; // etime 03-02:15:11
const PYTHON = '/opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python scripts/message-to-duckdb.py';
// The real message shape (macos-command-formats.md §10), with the incident's numbers.
const READER_ERROR = `duckdb.duckdb.IOException: IO Error: Could not set lock on file "workspace.duckdb": Conflicting lock is held in /opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python (PID 10832) by user bert. See also https://duckdb.org/docs/stable/connect/concurrency`;

function row(pid: number, uid: number, elapsed: number, command: string): ProcessRow {
  return { pid, ppid: 1, uid, rssBytes: 1, cpuPercent: 0, cpuSeconds: 0, elapsedSeconds: elapsed, startedAt: NOW - elapsed * 1000, name: 'Python', command, zombie: false };
}

const table: ProcessTable = { at: NOW, rows: [row(10832, 501, HELD, PYTHON), row(2020, 501, 600, '/Applications/TablePlus.app/Contents/MacOS/TablePlus'), row(3030, 0, 700, '/usr/sbin/backupd')] };

function darwin(openers: string) {
  const facts = new ScriptedFacts().on((argv) => (argv[0] === 'lsof' && argv.at(-1) === DB ? ok(argv, openers) : null));
  facts.files.set(DB, { content: '', mtimeMs: NOW });
  const locks = new LockMonitor(facts, { everySeconds: 0 });
  locks.configure([{ path: DB }], { platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });
  return locks;
}

async function view(locks: LockMonitor) {
  await locks.poll(NOW);
  await locks.idle();
  return locks.views(NOW, table)[0];
}

describe('LockMonitor on macOS (openers only, no lock column)', () => {
  it('the incident: workspace.duckdb held 3 d 2 h by PID 10832, Release offered', async () => {
    const locks = darwin(`p10832\ncPython\nf5\nn${DB}\n`);
    const v = await view(locks);
    expect(v?.holders).toEqual([expect.objectContaining({ pid: 10832, kind: 'open', heldSeconds: HELD, command: PYTHON })]);
    expect(v?.heldSeconds).toBe(HELD);
    expect(v?.limitSeconds).toBe(1800);
    expect(v?.note).toContain('macOS cannot show fcntl locks');
    expect(v?.actions[0]?.id).toBe(`release:${DB}`);
    expect(v?.actions[0]?.confirm).toBe(
      'Send SIGTERM to PID 10832 (Python scripts/message-to-duckdb.py, running 3 d 2 h), which has workspace.duckdb open (macOS does not show who holds a lock, so it is not proven to hold it), after checking it is still the same process, then wait up to 5 s for workspace.duckdb to be free.',
    );
    expect(locks.target(DB)?.holder?.pid).toBe(10832);
  });

  it('a reader’s DuckDB error names the lock holder among several openers', async () => {
    const locks = darwin(`p2020\ncTablePlus\nf9\nn${DB}\np10832\ncPython\nf5\nn${DB}\n`);
    const before = await view(locks);
    expect(before?.actions).toEqual([]);
    expect(before?.note).toContain('2 processes have it open and none is known to hold the lock');

    expect(locks.reportReaderError(READER_ERROR, NOW)).toBe(true);
    const after = await view(locks);
    expect(after?.readerError).toBe(READER_ERROR.slice(READER_ERROR.indexOf('Could not set lock')));
    expect(after?.holders.map((h) => [h.pid, h.kind])).toEqual([
      [2020, 'open'],
      [10832, 'posix-write'],
    ]);
    expect(locks.target(DB)?.holder?.pid).toBe(10832);
  });

  it('offers nothing for another user’s process, and says why', async () => {
    const locks = darwin(`p3030\ncbackupd\nf4\nn${DB}\n`);
    const v = await view(locks);
    expect(v?.actions).toEqual([]);
    expect(v?.note).toContain("PID 3030 belongs to uid 0; Warden only signals its own user's processes");
  });

  it('a short hold with no reader error is not a problem: nothing offered', async () => {
    const facts = new ScriptedFacts().on((argv) => (argv[0] === 'lsof' ? ok(argv, `p2020\ncTablePlus\nf9\nn${DB}\n`) : null));
    facts.files.set(DB, { content: '', mtimeMs: NOW });
    const locks = new LockMonitor(facts, { everySeconds: 0 });
    locks.configure([{ path: DB, maxHeldMinutes: 60 }], { platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });
    const v = await view(locks);
    expect(v?.heldSeconds).toBe(600);
    expect(v?.limitSeconds).toBe(3600);
    expect(v?.actions).toEqual([]);
  });

  it('a holder that died (a zombie not yet reaped) holds nothing, even when a reader named it', async () => {
    const locks = darwin(`p10832\ncPython\nf5\nn${DB}\n`);
    expect(locks.reportReaderError(READER_ERROR, NOW)).toBe(true);
    await locks.poll(NOW);
    await locks.idle();
    const dead: ProcessTable = { at: NOW, rows: [{ ...row(10832, 501, HELD, '[Python] <defunct>'), zombie: true }] };
    const v = locks.views(NOW, dead)[0];
    expect(v?.holders).toEqual([]);
    expect(v?.heldSeconds).toBeNull();
    expect(v?.actions).toEqual([]);
  });
});

describe('LockMonitor on Linux: a holder is the process that held the lock when it was read', () => {
  const PATH = '/srv/data/state.sqlite';
  function linux() {
    const facts = new ScriptedFacts();
    facts.files.set(PATH, { content: '', mtimeMs: NOW });
    // ScriptedFacts stats every file on device 1 (00:01) with the path's length as its inode.
    facts.files.set('/proc/locks', { content: `1: POSIX  ADVISORY  WRITE 4242 00:01:${PATH.length} 0 EOF\n`, mtimeMs: NOW });
    const locks = new LockMonitor(facts, { everySeconds: 0 });
    locks.configure([{ path: PATH, maxHeldMinutes: 0 }], { platform: 'linux', uid: 501, thresholds: DEFAULT_THRESHOLDS });
    return locks;
  }
  const at = (startedAt: number): ProcessTable => ({ at: NOW + 30_000, rows: [{ ...row(4242, 501, 0, 'sqlite3 state.sqlite'), startedAt }] });

  it('names the pid’s process when it started before the read', async () => {
    const locks = linux();
    await locks.poll(NOW);
    await locks.idle();
    const v = locks.views(NOW + 30_000, at(NOW - 60_000))[0];
    expect(v?.holders.map((h) => h.pid)).toEqual([4242]);
    expect(v?.actions.map((a) => a.id)).toEqual([`release:${PATH}`]);
  });

  it('a process that took the pid after the read (the holder exited, the pid was reused) is not named, and nothing is offered', async () => {
    const locks = linux();
    await locks.poll(NOW);
    await locks.idle();
    const v = locks.views(NOW + 30_000, at(NOW + 20_000))[0];
    expect(v?.holders).toEqual([]);
    expect(v?.actions).toEqual([]);
    expect(v?.note).toContain('PID 4242 held it when last read, but the process now at that PID started later');
    expect(locks.target(PATH)?.holder).toBeNull();
  });
});
