import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveFacts } from '../../src/platform/live.js';
import { parseProcLocks, readLockHolders } from '../../src/platform/linux/locks.js';
import { readFileHolders } from '../../src/platform/file-holders.js';
import { readFileOpeners, readPortListeners } from '../../src/platform/lsof.js';
import { parseDuckDbLockError } from '../../src/platform/duckdb.js';
import { SQLITE_HOLDER } from '../support/sqlite-holder.js';

// Real processes holding real locks, read through LiveFacts. Node has no fcntl API, so the
// POSIX locks come from SQLite (better-sqlite3) and DuckDB (@duckdb/node-api) in child
// processes, as in the incident. Linux only: /proc/locks.
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const linux = process.platform === 'linux';
const facts = new LiveFacts();

// Children started by these tests; each is killed by pid when its test ends.
const children: ChildProcess[] = [];
let dir = '';

/** Starts `node -e script ...args` in the repo (so it finds node_modules) and waits for its first stdout line. */
function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['-e', script, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, line: out.slice(0, newline) });
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before it was ready: ${err.trim()}`)));
    child.on('error', reject);
  });
}

async function stopChildren(): Promise<void> {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}


// A hung writer, like the incident's message-to-duckdb.py: opens the database and never lets go.
const DUCKDB_HOLDER = `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(process.argv[1]);
  const con = await db.connect();
  await con.run('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
  console.log('open');
  setInterval(() => {}, 60000);
})().catch((e) => { console.error(e.message); process.exit(2); });
`;

const DUCKDB_READER = `
const { DuckDBInstance } = require('@duckdb/node-api');
DuckDBInstance.create(process.argv[1]).then(
  () => { console.log(JSON.stringify({ opened: true })); process.exit(0); },
  (e) => { console.log(JSON.stringify({ opened: false, message: e.message })); process.exit(0); },
);
`;

const LISTENER = `
const server = require('node:net').createServer();
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

beforeAll(() => {
  // A directory name no shell would survive: the paths reach lsof and friends as argv only.
  dir = join(mkdtempSync(join(tmpdir(), 'warden-locks-')), 'dir with "quotes"; $(echo x) (parens)');
  mkdirSync(dir);
});

afterEach(stopChildren);

afterAll(() => {
  if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe.skipIf(!linux)('locks held by live processes (Linux)', () => {
  it('names the SQLite writer holding BEGIN EXCLUSIVE as a POSIX write lock', async () => {
    const db = join(dir, 'briefing\nstate.sqlite');
    const { child } = await startChild(SQLITE_HOLDER, [db]);
    const pid = child.pid as number;

    const rows = parseProcLocks(readFileSync('/proc/locks', 'utf8')).filter((r) => r.pid === pid);
    expect(rows.some((r) => r.kind === 'POSIX' && r.mode === 'WRITE')).toBe(true);

    expect(await readLockHolders(facts, db)).toEqual({ ok: true, value: [{ pid, kind: 'posix-write' }] });
    expect(await readFileHolders(facts, 'linux', db)).toEqual({ ok: true, value: [{ pid, kind: 'posix-write' }] });
    // The newline in the name reaches lsof intact, as one argv element.
    const openers = await readFileOpeners(facts, db);
    expect(openers.ok && openers.value.map((o) => o.pid)).toEqual([pid]);
  });

  it('names the hung DuckDB holder, and a second opener gets DuckDB’s lock error naming the same pid', async () => {
    const db = join(dir, 'work space.duckdb');
    const { child } = await startChild(DUCKDB_HOLDER, [db]);
    const pid = child.pid as number;

    expect(await readLockHolders(facts, db)).toEqual({ ok: true, value: [{ pid, kind: 'posix-write' }] });
    const holders = await readFileHolders(facts, 'linux', db);
    expect(holders.ok && holders.value).toContainEqual({ pid, kind: 'posix-write' });

    const { line } = await startChild(DUCKDB_READER, [db]);
    const reader = JSON.parse(line) as { opened: boolean; message?: string };
    expect(reader.opened).toBe(false);
    // Real Linux text, DuckDB 1.5 (no "by user", unlike macOS):
    // IO Error: Could not set lock on file "<db>": Conflicting lock is held in /usr/bin/node (PID <pid>). See also https://duckdb.org/docs/stable/connect/concurrency
    expect(reader.message).toMatch(/^IO Error: Could not set lock on file ".*": Conflicting lock is held in \S+ \(PID \d+\)\. See also https:\/\/duckdb\.org\//);
    const parsed = parseDuckDbLockError(reader.message ?? '');
    expect(parsed).toMatchObject({ path: db, pid, user: null });
    expect(parsed?.holder).toMatch(/node/);
  });

  it('frees the lock when the holder is stopped (what the Release action relies on)', async () => {
    const db = join(dir, 'release.duckdb');
    const { child } = await startChild(DUCKDB_HOLDER, [db]);
    expect(await readLockHolders(facts, db)).toEqual({ ok: true, value: [{ pid: child.pid, kind: 'posix-write' }] });
    await stopChildren();
    expect(await readLockHolders(facts, db)).toEqual({ ok: true, value: [] });
  });
});

describe('lsof on a live listener', () => {
  it('finds the child listening on its port, and nobody on a port just freed', async () => {
    const { child, line } = await startChild(LISTENER, []);
    const port = Number(line);
    expect(await readPortListeners(facts, port)).toEqual({ ok: true, value: [{ pid: child.pid, command: 'node' }] });
    await stopChildren();
    expect(await readPortListeners(facts, port)).toEqual({ ok: true, value: [] });
  });
});
