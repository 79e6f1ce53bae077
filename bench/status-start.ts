import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { measure, type CpuClock, type Span } from './measure.js';

export interface StatusStart {
  /** `warden status`, each a fresh process: its whole CPU (the 1 s rate sleep costs none) and wall. */
  status: Span[];
  /** `node -e 0`, the same way: what any Node command costs before its first line runs. */
  bareNode: Span[];
  exitCodes: number[];
}

/**
 * `warden status` as an operator runs it: the built CLI in a fresh process with a fresh data
 * folder (WARDEN_HOME in a temp folder), default config, read from the OS after it is reaped
 * (cutime+cstime), beside a bare `node -e 0` measured the same way. Linux only: elsewhere a
 * reaped child's CPU cannot be read.
 */
export async function benchStatusStart(clock: CpuClock, root: string, runs: number): Promise<StatusStart> {
  const home = mkdtempSync(join(os.tmpdir(), 'warden-bench-status-'));
  const result: StatusStart = { status: [], bareNode: [], exitCodes: [] };
  try {
    const env = { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' };
    const run = (args: string[]) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, args, { env, timeout: 30_000, maxBuffer: 8 * 1024 * 1024 }, (error) => {
          const code = error ? (error as { code?: unknown }).code : 0;
          resolve(typeof code === 'number' ? code : -1);
        });
      });
    for (let i = 0; i < runs; i++) {
      const status = await measure(clock, () => run([join(root, 'bin', 'warden.js'), 'status']));
      result.status.push(status.span);
      result.exitCodes.push(status.value);
      result.bareNode.push((await measure(clock, () => run(['-e', '0']))).span);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return result;
}
