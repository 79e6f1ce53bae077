import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const MODEL_SERVER_PATH = fileURLToPath(new URL('./model-server.mjs', import.meta.url));

export type ModelServerMode = 'ok' | 'slow' | '500' | 'hang' | 'slow59' | 'flap';

export interface ModelServer {
  port: number;
  pid: number;
  /** The process the test started (for a daemonized server, the starter that already exited). */
  child: ChildProcess;
  url(path?: string): string;
  setMode(mode: ModelServerMode): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  pidfile?: string;
  mode?: ModelServerMode;
  daemonize?: boolean;
}

/** A port that was free a moment ago (bind to 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function modelServerArgv(port: number, extra: string[] = []): string[] {
  return [process.execPath, MODEL_SERVER_PATH, '--port', String(port), ...extra];
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForListen(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await canConnect(port)) return;
    await pause(50);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export async function waitForPortFree(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!(await canConnect(port))) return;
    await pause(50);
  }
  throw new Error(`127.0.0.1:${port} still accepts connections after ${timeoutMs} ms`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return;
    await pause(25);
  }
  throw new Error(`PID ${pid} still runs after ${timeoutMs} ms`);
}

/** Sends SIGKILL (SIGTERM when asked) and waits until the process is gone. */
export async function killAndWait(pid: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  await waitForExit(pid);
}

export async function startModelServer(options: StartOptions = {}): Promise<ModelServer> {
  const port = options.port ?? (await freePort());
  const extra: string[] = [];
  if (options.pidfile) extra.push('--pidfile', options.pidfile);
  if (options.mode) extra.push('--mode', options.mode);
  if (options.daemonize) extra.push('--daemonize');
  const [file, ...args] = modelServerArgv(port, extra);
  const child = spawn(file as string, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let pid = child.pid as number;
  if (options.daemonize) {
    if (!options.pidfile) throw new Error('a daemonized model server needs a pidfile to be found again');
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the daemonizing starter exited ${code}`))));
    });
    pid = Number((await readFile(options.pidfile, 'utf8')).trim());
  }
  await waitForListen(port);
  const url = (path = '/v1/models') => `http://127.0.0.1:${port}${path}`;
  return {
    port,
    pid,
    child,
    url,
    async setMode(mode) {
      const res = await fetch(url('/__mode'), { method: 'POST', body: JSON.stringify({ mode }) });
      if (res.status !== 200) throw new Error(`setMode ${mode}: HTTP ${res.status}`);
    },
    async stop() {
      await killAndWait(pid, 'SIGKILL');
    },
  };
}
