import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Farm {
  /** Ports of servers that answer 200 with an OpenAI-style model list on any path. */
  fast: number[];
  stop(): Promise<void>;
}

/**
 * The HTTP servers the probes hit: node:http on 127.0.0.1 port 0, in a child process of their
 * own (test/support/probe-farm.mjs) so the servers' CPU is not counted as Warden's. The child is
 * reaped only at stop(), after every measurement, so it never shows up in cutime either.
 */
export function startFarm(root: string, fastServers: number): Promise<Farm> {
  const child = spawn(process.execPath, [join(root, 'test/support/probe-farm.mjs'), '--fast', String(fastServers)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the probe farm exited (${code ?? signal}) before it listened: ${err.trim()}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      const ports = JSON.parse(out.slice(0, newline)) as { fast: number[] };
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({ fast: ports.fast, stop: () => stopChild(child) });
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
