import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../src/common/processes.js';
import { sameStart } from '../../src/engine/identity.js';
import { ProcReader } from '../../src/platform/linux/proc-table.js';
import { LiveFacts } from '../../src/platform/live.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { PS_ARGV, parsePs } from '../../src/platform/ps.js';
import { runCommand } from '../../src/platform/runner.js';
import type { Facts } from '../../src/platform/facts.js';

const onLinux = process.platform === 'linux';
/** stat's rss against status's exact VmRSS: the kernel's per-CPU batches, 64 pages a CPU at most (and then some for a process that grew between the reads). */
const RSS_SLACK_BYTES = os.cpus().length * 64 * 4096 + 1024 * 1024;

async function psRows(): Promise<Map<number, ProcessRow>> {
  const result = await runCommand(PS_ARGV, { timeoutMs: 20_000, maxBytes: 32 * 1024 * 1024 });
  expect(result.exitCode).toBe(0);
  return new Map(parsePs(result.stdout, Date.now()).rows.map((r) => [r.pid, r]));
}

describe.runIf(onLinux)('the /proc table against ps, on the same live processes', () => {
  const children: ChildProcess[] = [];
  let dir: string;
  let odd: ChildProcess;
  let zombieParent: ChildProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'warden-proc-'));
    // A name with spaces and parentheses (stat's comm field holds ") ("), arguments with two spaces and non-ASCII.
    const oddPath = join(dir, 'we ird) (x');
    copyFileSync('/bin/sh', oddPath);
    odd = spawn(oddPath, ['-c', 'sleep 120; :', 'two  spaces', 'ünï'], { stdio: 'ignore' });
    // After exec, `sleep 120` is the parent of the `sleep 0` that ended and never reaps it: a zombie.
    zombieParent = spawn('/bin/sh', ['-c', 'sleep 0 & exec sleep 120'], { stdio: 'ignore' });
    children.push(odd, zombieParent);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same pids, parents, uids, commands and names as ps, rss within the kernel batch, start within the identity tolerance', async () => {
    const before = await psRows();
    const facts = new LiveFacts();
    expect(facts.processSnapshot).toBeDefined();
    const part = await readProcessTable(facts, Date.now());
    const after = await psRows();
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.skipped).toBe(0);
    const fromProc = new Map(part.value.rows.map((r) => [r.pid, r]));
    // Processes alive through all three reads, with the same command in both ps reads.
    const steady = [...before.values()].filter((r) => after.get(r.pid)?.command === r.command && sameStart(after.get(r.pid)!.startedAt, r.startedAt));
    expect(steady.length).toBeGreaterThan(10);
    for (const ps of steady) {
      const row = fromProc.get(ps.pid);
      expect(row, `pid ${ps.pid} (${ps.command}) is in the /proc table`).toBeDefined();
      const later = after.get(ps.pid)!;
      expect({ pid: row!.pid, uid: row!.uid, command: row!.command, name: row!.name, zombie: row!.zombie }).toEqual({
        pid: ps.pid,
        uid: ps.uid,
        command: ps.command,
        name: ps.name,
        zombie: ps.zombie,
      });
      // A process whose parent exits between the reads is adopted (by 1 or a subreaper): either parent is right.
      expect([ps.ppid, later.ppid], `pid ${ps.pid} ppid`).toContain(row!.ppid);
      expect(row!.rssBytes, `pid ${ps.pid} rss`).toBeGreaterThanOrEqual(Math.min(ps.rssBytes, later.rssBytes) - RSS_SLACK_BYTES);
      expect(row!.rssBytes, `pid ${ps.pid} rss`).toBeLessThanOrEqual(Math.max(ps.rssBytes, later.rssBytes) + RSS_SLACK_BYTES);
      expect(sameStart(row!.startedAt, ps.startedAt), `pid ${ps.pid} start ${row!.startedAt} vs ps ${ps.startedAt}`).toBe(true);
      expect(row!.cpuSeconds).toBeGreaterThanOrEqual(ps.cpuSeconds ?? 0);
    }
    expect(fromProc.get(odd.pid!)).toMatchObject({ name: 'we', command: `${join(dir, 'we ird) (x')} -c sleep 120; : two  spaces ünï`, ppid: process.pid });
    const zombie = [...fromProc.values()].find((r) => r.ppid === zombieParent.pid && r.zombie);
    expect(zombie).toMatchObject({ command: '[sleep] <defunct>', name: 'sleep' });
  });

  it('keeps a process start time fixed from read to read, and reads a process started since the last walk', async () => {
    const reader = new ProcReader();
    const facts = { processSnapshot: (ms: number) => reader.snapshot(ms) } as unknown as Facts;
    const first = await readProcessTable(facts, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await readProcessTable(facts, Date.now());
    if (!first.ok || !second.ok) throw new Error('no table');
    const a = first.value.rows.find((r) => r.pid === odd.pid)!;
    const b = second.value.rows.find((r) => r.pid === odd.pid)!;
    expect(b.startedAt).toBe(a.startedAt);
    expect(b.command).toBe(a.command);
    const child = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const third = await readProcessTable(facts, Date.now());
    if (!third.ok) throw new Error(third.reason);
    expect(third.value.rows.find((r) => r.pid === child.pid)).toMatchObject({ command: '/bin/sleep 30', ppid: process.pid });
  });
});

describe.runIf(onLinux)('the listening sockets from /proc/net/tcp, live', () => {
  it('change when a server starts listening and when it stops, and not otherwise', async () => {
    const { createServer } = await import('node:net');
    const facts = new LiveFacts();
    const before = await facts.listeningSockets!();
    expect(before).not.toBeNull();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const during = await facts.listeningSockets!();
    expect(during).not.toBe(before);
    expect(during!.split(' ').some((pair) => pair.startsWith(`${port}:`))).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const after = await facts.listeningSockets!();
    expect(after!.split(' ').some((pair) => pair.startsWith(`${port}:`))).toBe(false);
  });
});
