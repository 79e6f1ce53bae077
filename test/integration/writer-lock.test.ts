/**
 * One engine writes a data folder. `warden watch` (a real child process) holds the writer lock;
 * a second engine on the same folder runs read-only, says so, and records no incident; `watch
 * --notify` beside it says so on stderr. A lock left by a killed writer, or naming a pid now
 * used by another process, is stale and taken over. Incidents keep what they paged with.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create.js';
import { HistoryStore } from '../../src/engine/history.js';
import { WRITER_LOCK } from '../../src/engine/writer-lock.js';
import { freePort } from '../support/model-server.js';

const run = promisify(execFile);
const home = mkdtempSync(path.join(os.tmpdir(), 'warden-writer-'));
const data = path.join(home, 'data');
const children: ChildProcess[] = [];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await pause(100);
  }
}

function lockHolder(): { pid: number; startedAt: number } | null {
  try {
    return JSON.parse(readFileSync(path.join(data, WRITER_LOCK), 'utf8')) as { pid: number; startedAt: number };
  } catch {
    return null;
  }
}

beforeAll(async () => {
  if (!existsSync('dist/cli/warden.js')) await run(process.execPath, ['scripts/build.mjs']);
  // A service on a port nothing listens on: missing, red, an incident at once.
  const dead = await freePort();
  writeFileSync(path.join(home, 'config.json'), JSON.stringify({ intervalSeconds: 1, discovery: false, services: [{ name: 'dead', port: dead }] }));
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

function wardenChild(...args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['bin/warden.js', ...args], { env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stderr: () => err };
}

describe('the data folder has one writer', () => {
  it('beside a running `warden watch`, an engine is read-only, says so, and records nothing; `watch --notify` says so too', async () => {
    const writer = wardenChild('watch');
    await until('warden watch to take the lock', () => lockHolder()?.pid === writer.child.pid);
    await until('the writer to record the incident', () => existsSync(path.join(data, 'incidents.jsonl')));

    const engine = await createEngine({ configPath: path.join(home, 'config.json'), dataDir: data });
    for (let i = 0; i < 3; i++) await engine.tick();
    const state = engine.currentState();
    expect(state.history).toEqual({
      available: false,
      readOnly: true,
      reason: expect.stringMatching(new RegExp(`^read-only: another Warden \\(PID ${writer.child.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\) writes ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; this one records no incidents$`)),
    });
    // It resumed the writer's incident from the snapshot, and judges it on.
    expect(state.incidents.filter((i) => i.closedAt === null)).toHaveLength(1);
    await engine.stop();
    // The lock is untouched; the file holds each event once (two writers wrote the same ids twice).
    expect(lockHolder()?.pid).toBe(writer.child.pid);
    const events = readFileSync(path.join(data, 'incidents.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.filter((e) => e.type === 'open')).toHaveLength(1);

    const notifier = wardenChild('watch', '--notify');
    await until('watch --notify to say it is read-only', () => /history read-only: another Warden \(PID \d+/.test(notifier.stderr()));
    notifier.child.kill('SIGTERM');

    // The writer is killed: its lock is stale, and the next engine writes.
    writer.child.kill('SIGKILL');
    await new Promise((r) => writer.child.once('exit', r));
    const next = await createEngine({ configPath: path.join(home, 'config.json'), dataDir: data });
    expect(next.currentState().history).toEqual({ available: true, reason: null, readOnly: false });
    expect(lockHolder()?.pid).toBe(process.pid);
    await next.stop();
    expect(lockHolder()).toBeNull();
  }, 180_000);

  it('a lock naming a live pid that started at another time (the pid was reused) is taken over', async () => {
    const sleeper = spawn('sleep', ['60']);
    children.push(sleeper);
    await pause(200);
    writeFileSync(path.join(data, WRITER_LOCK), JSON.stringify({ pid: sleeper.pid, startedAt: Date.now() - 3_600_000 }));
    const store = await HistoryStore.open(data, { writer: true });
    expect(store.readOnly).toBe(false);
    expect(lockHolder()?.pid).toBe(process.pid);
    await store.close();
    sleeper.kill('SIGKILL');
  });
});

describe('an incident keeps what it paged with', () => {
  it('the title and cause at the time it paged, and the latest separately', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-paged-'));
    const store = await HistoryStore.open(dir);
    const diagnosis = (cause: string) => ({ symptom: 's', cause, causeEvidence: [], thieves: [], suggestion: null });
    await store.append([
      { id: 'i/1', incidentId: 'i', type: 'open', at: 1, severity: 'crit', title: 'cathedral: canary not answering within 10 s', findingKeys: ['k'] },
      { id: 'i/2', incidentId: 'i', type: 'update', at: 2, diagnosis: diagnosis('memory pressure: swap 10.1 GiB used') },
      { id: 'i/3', incidentId: 'i', type: 'notify', at: 3, notification: { incidentId: 'i', kind: 'incident', severity: 'crit', title: 'cathedral: canary not answering within 10 s', body: '', at: 3 } },
      { id: 'i/4', incidentId: 'i', type: 'update', at: 4, title: 'cathedral: health probe slow', diagnosis: diagnosis('process alive and idle: PID 5120 at 0% CPU') },
      { id: 'i/5', incidentId: 'i', type: 'close', at: 5 },
    ]);
    const [record] = (await store.readIncidents()).incidents;
    expect(record).toMatchObject({
      title: 'cathedral: health probe slow',
      pagedTitle: 'cathedral: canary not answering within 10 s',
      pagedCause: 'memory pressure: swap 10.1 GiB used',
    });
    expect(record!.diagnosis?.cause).toBe('process alive and idle: PID 5120 at 0% CPU');
    rmSync(dir, { recursive: true, force: true });
  });
});
