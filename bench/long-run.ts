import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { clockTicks } from './measure.js';
import { FloorWalker } from './floor.js';
import { fitLine } from '../src/engine/growth.js';

/** The real long-running processes, measured from the OS: whole CPU (self and reaped children) and RSS. */
export interface LongRunProcess {
  name: string;
  seconds: number;
  /** utime+stime+cutime+cstime over the measured window, ms. */
  cpuMs: number;
  percentOfCore: number;
  rssFirstBytes: number;
  rssLastBytes: number;
  rssMaxBytes: number;
  /** RSS's least-squares slope over the run's second half (past the JIT's first compiles), bytes an hour; null when that half is under LATE_SLOPE_MIN_MS. */
  rssLateSlopeBytesPerHour: number | null;
}

export interface LongRun {
  processes: LongRunProcess[];
  discovered: string;
  floorMsPerWalk: number;
  floorPercent: number;
  rows: number;
}

/** Past start-up: the first cycles, discovery, the first inspections and the heap's first shrink (about 16 s in). */
export const SETTLE_MS = 20_000;
const RSS_EVERY_MS = 5_000;
const INTERVAL_MS = 5_000;
/** The stand-in servers on the default ports of two LLM servers, so discovery finds, probes and reads models from them. */
const STAND_IN_PORTS: ReadonlyArray<{ port: number; kind: 'ollama' | 'lmstudio' }> = [
  { port: 11434, kind: 'ollama' },
  { port: 1234, kind: 'lmstudio' },
];

export function longRunSecondsFromEnv(defaultSeconds: number): number {
  const text = process.env.WARDEN_BENCH_LONG_SECONDS;
  if (text === undefined || text === '') return defaultSeconds;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 86_400) throw new Error(`WARDEN_BENCH_LONG_SECONDS must be a whole number of seconds from 0 to 86400, not ${JSON.stringify(text)}`);
  return n;
}

/**
 * `warden watch` and `warden serve` as an operator starts them (the built CLI, default config
 * and interval, a data folder in a temp WARDEN_HOME), with stand-in LLM servers on their default
 * ports when those are free (else the same stand-ins, configured as services). After a settle
 * (the first cycles, discovery) both run side by side for `seconds`, read from /proc.
 */
export async function benchLongRun(root: string, seconds: number): Promise<LongRun> {
  const home = mkdtempSync(join(os.tmpdir(), 'warden-bench-long-'));
  const children: ChildProcess[] = [];
  try {
    const services: Array<{ name: string; url: string; port: number }> = [];
    const discovered: string[] = [];
    for (const { port, kind } of STAND_IN_PORTS) {
      const free = await portIsFree(port);
      const listen = free ? port : await freePort();
      children.push(spawn(process.execPath, [join(root, 'test/support/llm-stand-in.mjs'), '--kind', kind, '--port', String(listen), '--model', 'bench-model', '--mb', '16'], { stdio: 'ignore' }));
      if (free) discovered.push(`${kind} on ${port}`);
      else services.push({ name: `bench-${kind}`, url: `http://127.0.0.1:${listen}/`, port: listen });
    }
    writeFileSync(join(home, 'config.json'), `${JSON.stringify(services.length ? { services } : {}, null, 2)}\n`);
    const env = { ...process.env, WARDEN_HOME: home };
    const cli = join(root, 'bin/warden.js');
    const watch = spawn(process.execPath, [cli, 'watch'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    const serve = spawn(process.execPath, [cli, 'serve', '--port', String(await freePort())], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(watch, serve);
    await sleep(SETTLE_MS);
    const { ticks } = await clockTicks();
    const watched = [
      { name: 'warden watch', pid: watch.pid as number },
      { name: 'warden serve', pid: serve.pid as number },
    ];
    const start = watched.map((w) => ({ ...w, ticks: cpuTicks(w.pid), rss: [rssBytes(w.pid)], rssAt: [0] }));
    const startedAt = performance.now();
    while (performance.now() - startedAt < seconds * 1000) {
      await sleep(Math.min(RSS_EVERY_MS, seconds * 1000 - (performance.now() - startedAt)));
      for (const s of start) {
        s.rss.push(rssBytes(s.pid));
        s.rssAt.push(performance.now() - startedAt);
      }
    }
    const elapsed = (performance.now() - startedAt) / 1000;
    const processes = start.map((s): LongRunProcess => {
      const cpuMs = ((cpuTicks(s.pid) - s.ticks) * 1000) / ticks;
      return {
        name: s.name,
        seconds: elapsed,
        cpuMs,
        percentOfCore: (cpuMs / 1000 / elapsed) * 100,
        rssFirstBytes: s.rss[0] as number,
        rssLastBytes: s.rss.at(-1) as number,
        rssMaxBytes: Math.max(...s.rss),
        rssLateSlopeBytesPerHour: lateSlope(s.rssAt, s.rss),
      };
    });
    const floor = measureFloor();
    return {
      processes,
      discovered: discovered.length ? `discovered: ${discovered.join(', ')}` : `configured: ${services.map((s) => s.name).join(', ')} (default ports taken)`,
      floorMsPerWalk: floor.msPerWalk,
      floorPercent: (floor.msPerWalk / INTERVAL_MS) * 100,
      rows: floor.rows,
    };
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await sleep(500);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * The floor per walk (bench/floor.ts: the same files Warden reads, the same way), after one
 * walk that fills its cache as Warden's first table read does: the steady walks read each
 * process's stat, and status and cmdline only for processes new since.
 */
export function measureFloor(walks = 20): { msPerWalk: number; rows: number } {
  const floor = new FloorWalker();
  floor.walk();
  let rows = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < walks; i++) rows = floor.walk();
  const used = process.cpuUsage(before);
  return { msPerWalk: (used.user + used.system) / 1000 / walks, rows };
}

/** A slope over less than this says more about one collection than about a trend (CI's 40 s run gave −38 MiB/h). */
const LATE_SLOPE_MIN_MS = 5 * 60_000;

/** The least-squares slope of the readings in the second half of the run, per hour. */
function lateSlope(atMs: readonly number[], values: readonly number[]): number | null {
  const half = (atMs.at(-1) ?? 0) / 2;
  if (half < LATE_SLOPE_MIN_MS) return null;
  const fit = fitLine(atMs.map((at, i) => ({ at, value: values[i] as number })).filter((p) => p.at >= half));
  return fit ? fit.slopePerMs * 3_600_000 : null;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return match ? Number(match[1]) * 1024 : 0;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
