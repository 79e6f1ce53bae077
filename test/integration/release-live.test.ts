import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveFacts } from '../../src/platform/live.js';
import { LiveEffects } from '../../src/platform/effects.js';
import { systemClock } from '../../src/platform/clock.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { LockMonitor } from '../../src/engine/locks.js';
import { ActionLog, ActionRunner } from '../../src/engine/actions/runner.js';
import { checkIdentity } from '../../src/engine/actions/guard.js';
import { processRefOf } from '../../src/engine/services/monitor.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import type { ProcessTable } from '../../src/common/processes.js';

// Real DuckDB databases held by real hung processes, as in the incident (a writer that never
// let go). Linux: /proc/locks shows the holder; the release action signals it for real.
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const facts = new LiveFacts();
const uid = process.getuid?.() ?? 0;
const children: ChildProcess[] = [];

function startNode(script: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
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
  });
}

/** A hung writer: opens the database, takes DuckDB's lock, never lets go. `stubborn` ignores SIGTERM. */
const HOLDER = `
const { DuckDBInstance } = require('@duckdb/node-api');
if (process.argv[2] === 'stubborn') process.on('SIGTERM', () => {});
(async () => {
  const db = await DuckDBInstance.create(process.argv[1]);
  const con = await db.connect();
  await con.run('CREATE TABLE IF NOT EXISTS messages (id INTEGER)');
  console.log('holding');
  setInterval(() => {}, 60000);
})().catch((e) => { console.error(e.message); process.exit(2); });
`;

const READER = `
const { DuckDBInstance } = require('@duckdb/node-api');
DuckDBInstance.create(process.argv[1]).then(
  async (db) => { const con = await db.connect(); await con.run('SELECT count(*) FROM messages'); console.log(JSON.stringify({ opened: true })); process.exit(0); },
  (e) => { console.log(JSON.stringify({ opened: false, message: e.message })); process.exit(0); },
);
`;

async function table(): Promise<ProcessTable> {
  const read = await readProcessTable(facts, Date.now());
  if (!read.ok) throw new Error(read.reason);
  return read.value;
}

/** Runs a reader to its end: its answer is read only once it has exited and let go of any lock it took. */
async function tryReader(path: string): Promise<{ opened: boolean; message?: string }> {
  const { child, line } = await startNode(READER, [path]);
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(line) as { opened: boolean; message?: string };
}

describe('release a database held by a hung process', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden release '));
  });

  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function setup(path: string, maxHeldMinutes?: number) {
    const locks = new LockMonitor(facts, { everySeconds: 0 });
    locks.configure([{ path, ...(maxHeldMinutes !== undefined ? { maxHeldMinutes } : {}) }], { platform: 'linux', uid, thresholds: DEFAULT_THRESHOLDS });
    const runner = new ActionRunner(
      { facts, effects: new LiveEffects(), clock: systemClock, uid, platform: 'linux', ownPid: process.pid, waits: { lockFreeSeconds: 3, pollMs: 100 } },
      new ActionLog(join(dir, 'actions.jsonl')),
    );
    return { locks, runner };
  }

  it('names the holder, attaches the reader’s error, releases with SIGTERM, and the next reader opens it', async () => {
    const path = join(dir, 'workspace.duckdb');
    const { child } = await startNode(HOLDER, [path]);
    const { locks, runner } = setup(path);

    // A reader is refused, with DuckDB's own words naming the holder.
    const refused = await tryReader(path);
    expect(refused.opened).toBe(false);
    expect(refused.message).toContain(`Conflicting lock is held in ${process.execPath} (PID ${child.pid})`);
    expect(locks.reportReaderError(refused.message as string, Date.now())).toBe(true);
    expect(locks.reportReaderError('IO Error: Could not set lock on file "/elsewhere.duckdb": Conflicting lock is held in /x (PID 5)', Date.now())).toBe(false);

    await locks.poll(Date.now());
    await locks.idle();
    const [view] = locks.views(Date.now(), await table());
    expect(view?.exists).toBe(true);
    expect(view?.holders.map((h) => [h.pid, h.kind])).toEqual([[child.pid, 'posix-write']]);
    expect(view?.holders[0]?.command).toContain('DuckDBInstance');
    expect(view?.readerError).toMatch(/^Could not set lock on file ".*workspace\.duckdb": Conflicting lock is held in /);
    expect(view?.limitSeconds).toBe(30 * 60);
    expect(view?.note).toContain('held time is the holder process age: Warden cannot see when the lock itself was taken');
    expect(view?.actions.map((a) => a.id)).toEqual([`release:${path}`]);
    expect(view?.actions[0]?.confirm).toMatch(new RegExp(`^Send SIGTERM to PID ${child.pid} \\(node -e .*\\) after checking it is still the same process, then wait up to 5 s for workspace\\.duckdb to be free\\.$`));

    const result = await runner.run(`release:${path}`, view!.actions, { lock: (p) => locks.target(p) });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(new RegExp(`^PID ${child.pid} no longer holds ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`));
    expect(result.steps[0]).toMatch(new RegExp(`sent SIGTERM to PID ${child.pid} \\(node\\)$`));
    expect(result.followUp).toBeNull();

    const next = await tryReader(path);
    expect(next).toEqual({ opened: true });

    await locks.poll(Date.now());
    await locks.idle();
    const [after] = locks.views(Date.now(), await table());
    expect(after?.holders).toEqual([]);
    expect(after?.readerError).toBeNull();
    expect(after?.actions).toEqual([]);
  });

  it('a holder that ignores SIGTERM: the result offers SIGKILL, guarded the same way', async () => {
    const path = join(dir, 'stubborn.duckdb');
    const { child } = await startNode(HOLDER, [path, 'stubborn']);
    // Held "too long" at once: a limit of zero minutes.
    const { locks, runner } = setup(path, 0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await locks.poll(Date.now());
    await locks.idle();
    const [view] = locks.views(Date.now(), await table());
    expect(view?.heldSeconds).toBeGreaterThan(0);
    expect(view?.actions.map((a) => a.id)).toEqual([`release:${path}`]);

    const first = await runner.run(`release:${path}`, view!.actions, { lock: (p) => locks.target(p) });
    expect(first.ok).toBe(false);
    expect(first.message).toBe(`PID ${child.pid} still holds ${path} 3 s after SIGTERM`);
    expect(first.followUp?.id).toBe(`release-kill:${path}`);
    expect(first.followUp?.confirm).toMatch(new RegExp(`^Send SIGKILL to PID ${child.pid} `));
    expect(runner.followUps(Date.now()).map((o) => o.id)).toEqual([`release-kill:${path}`]);

    // The follow-up is accepted although the current views do not list it.
    const kill = await runner.run(`release-kill:${path}`, [], { lock: (p) => locks.target(p) });
    expect(kill.ok).toBe(true);
    expect(kill.steps[0]).toMatch(new RegExp(`sent SIGKILL to PID ${child.pid} \\(node\\)$`));
    expect(await tryReader(path)).toEqual({ opened: true });
    expect(runner.followUps(Date.now())).toEqual([]);
  });
});

describe('the guard with real processes', () => {
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('refuses PID 1, a start time that does not match, a process that is gone; passes the real one', async () => {
    const { child } = await startNode("console.log('up'); setInterval(() => {}, 60000);", []);
    const pid = child.pid as number;
    const row = (await table()).rows.find((r) => r.pid === pid);
    expect(row).toBeDefined();
    const ref = processRefOf(row!);

    expect(await checkIdentity(facts, ref, uid, Date.now())).toMatchObject({ ok: true, value: { pid } });

    const init = (await table()).rows.find((r) => r.pid === 1);
    const pid1 = await checkIdentity(facts, init ? processRefOf(init) : { ...ref, pid: 1 }, uid, Date.now());
    expect(pid1).toEqual({ ok: false, reason: "refusing to signal PID 1: it is the system's init (launchd/systemd)" });

    // PID reuse cannot be forced; a process shown as having started a minute earlier stands in for it.
    const reused = await checkIdentity(facts, { ...ref, startedAt: ref.startedAt - 60_000 }, uid, Date.now());
    expect(reused).toEqual({ ok: false, reason: `PID ${pid} started 60 s later than the process that was shown: the PID now belongs to another process` });

    const otherUser = await checkIdentity(facts, ref, uid + 1, Date.now());
    expect(otherUser).toEqual({ ok: false, reason: `PID ${pid} belongs to uid ${uid}, not Warden's uid ${uid + 1}; not touching it` });

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await checkIdentity(facts, ref, uid, Date.now())).toEqual({ ok: false, reason: `PID ${pid} is no longer running` });
  });
});
