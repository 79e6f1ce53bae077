import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../src/engine/create.js';
import { measure, openCpuClock, type Span } from './measure.js';

export const RESIDENT_FLAG = '--resident';

export interface Resident {
  cycles: number;
  /** RSS of the fresh process before the engine was made: Node and the loaded code. */
  rssBeforeBytes: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** The first cycle, which also runs discovery (one lsof of every TCP listener, again every 5 min) and reads the host identity once. */
  first: Span;
  /** The other cycles back to back, and stop(). */
  rest: Span;
  childrenCounted: boolean;
  unknowns: string[];
}

/**
 * In a fresh Node process (this script again, with --expose-gc), so what the bench itself
 * loaded and left behind is not counted: createEngine as `warden watch` runs it, with a zero
 * config in a temp file and no data folder, for `cycles` cycles back to back. Heap after a full GC.
 */
export function measureResident(script: string, cycles: number): Promise<Resident> {
  const child = spawn(process.execPath, ['--expose-gc', script, RESIDENT_FLAG, String(cycles)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`the headless engine process exited (${code ?? signal}): ${err.trim() || out.trim()}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1) as string) as Resident);
    });
  });
}

/** The child's side: runs the engine and prints one JSON line. */
export async function residentChild(cycles: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const clock = await openCpuClock();
  gc();
  const rssBeforeBytes = process.memoryUsage().rss;
  const dir = mkdtempSync(join(os.tmpdir(), 'warden-bench-home-'));
  try {
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, '{}\n');
    const engine = await createEngine({ configPath, dataDir: null });
    let unknowns: string[] = [];
    const tick = async () => {
      unknowns = (await engine.tick()).unknowns.map((u) => `${u.part}: ${u.reason}`);
    };
    // A live cycle waits up to 3 s for the parts it started, discovery among them. The host
    // identity read it starts runs beside the loop: waited for here, so its one-time cost lands
    // with the first cycle's and not in the steady cycles after it.
    const first = await measure(clock, async () => {
      await tick();
      await engine.identitySettled();
    });
    const rest = await measure(clock, async () => {
      for (let i = 1; i < cycles; i++) await tick();
      await engine.stop();
    });
    gc();
    const m = process.memoryUsage();
    const result: Resident = {
      cycles,
      rssBeforeBytes,
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      externalBytes: m.external,
      first: first.span,
      rest: rest.span,
      childrenCounted: clock.childrenCounted,
      unknowns,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
