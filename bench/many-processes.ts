import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { DEFAULT_THRESHOLDS } from '../src/engine/defaults.js';
import { ThiefTracker } from '../src/engine/thieves.js';
import { LiveFacts } from '../src/platform/live.js';
import { readProcessTable } from '../src/platform/processes.js';
import { PS_ARGV, parsePs } from '../src/platform/ps.js';
import { runCommand } from '../src/platform/runner.js';
import { measureFloor } from './long-run.js';
import { measure, pause, type CpuClock, type Span } from './measure.js';

export interface ManyProcesses {
  started: number;
  rows: number;
  /** Warden's live table (/proc on Linux) + ThiefTracker, per table. */
  warden: Span[];
  /** The same rows from one `ps` spawn + parsePs, the way the table was read before. */
  ps: Span[];
  floorMs: number;
  startSeconds: number;
}

const READY_WITHIN_MS = 90_000;

/**
 * `count` real sleeping processes, forked by one shell (`sleep` each), so the process table is
 * that big for real; then reaped: the shell ignores SIGTERM and waits, the group gets SIGTERM,
 * the shell reaps every sleep and exits, and the bench reaps the shell.
 */
export async function benchManyProcesses(clock: CpuClock, count: number, tables: number): Promise<ManyProcesses> {
  const base = pidCount();
  const t0 = performance.now();
  const script = `trap '' TERM; i=0; while [ $i -lt ${count} ]; do sleep 900 & i=$((i+1)); done; echo ready; wait`;
  const parent = spawn('/bin/sh', ['-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await ready(parent);
    while (pidCount() < base + count && performance.now() - t0 < READY_WITHIN_MS) await pause(200);
    const startSeconds = (performance.now() - t0) / 1000;
    const facts = new LiveFacts();
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const warden: Span[] = [];
    const ps: Span[] = [];
    let rows = 0;
    for (let i = 0; i <= tables; i++) {
      const w = await measure(clock, async () => {
        const at = Date.now();
        const table = await readProcessTable(facts, at);
        if (!table.ok) throw new Error(`Warden could not read the ${count}-process table: ${table.reason}`);
        tracker.update(table.value);
        tracker.thieves(at, null);
        return table.value.rows.length;
      });
      const p = await measure(clock, async () => {
        const result = await runCommand(PS_ARGV, { timeoutMs: 20_000, maxBytes: 64 * 1024 * 1024 });
        return parsePs(result.stdout, Date.now()).rows.length;
      });
      // The first table fills the tracker (and the /proc reader's command lines) from nothing.
      if (i === 0) continue;
      warden.push(w.span);
      ps.push(p.span);
      rows = w.value;
    }
    const floor = measureFloor(Math.max(3, tables));
    return { started: count, rows, warden, ps, floorMs: floor.msPerWalk, startSeconds };
  } finally {
    await reap(parent);
  }
}

function pidCount(): number {
  let n = 0;
  for (const name of readdirSync('/proc')) if (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) n++;
  return n;
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench: ${READY_WITHIN_MS / 1000} s and the sleeping processes were not all started`)), READY_WITHIN_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: the shell that forks the sleeping processes exited (${code}) before they were started`));
    });
  });
}

async function reap(parent: ChildProcess): Promise<void> {
  if (parent.exitCode !== null || parent.signalCode !== null || parent.pid === undefined) return;
  const exited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
  try {
    process.kill(-parent.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const late = setTimeout(() => {
    try {
      process.kill(-parent.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 30_000);
  await exited;
  clearTimeout(late);
}
