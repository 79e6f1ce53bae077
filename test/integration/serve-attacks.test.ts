/**
 * `warden serve` (the built CLI, a real process) against what any local process can do to it
 * without the token: hold sockets half-sent under the macOS default fd limit (ulimit -n 256 in
 * a child shell), take its port first, install it under a path with a space. And the runner
 * itself out of file descriptors: every spawn failure is a result, the process lives on.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/common/state.js';
import { bundleForChild } from '../support/bundle-child.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const linux = process.platform === 'linux';
const children: ChildProcess[] = [];
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'dist/cli/warden.js')) || !existsSync(path.join(REPO, 'dist/renderer/renderer.js'))) {
    await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
  }
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `warden serve --port 0` in `sh -c` (so a ulimit can come first); resolves once it printed its address. */
async function startServe(shellPrefix: string, cli = path.join(REPO, 'dist/cli/warden.js')): Promise<Served> {
  const home = tempDir('warden-serve-attack-');
  writeFileSync(path.join(home, 'config.json'), JSON.stringify({ intervalSeconds: 1, discovery: false }));
  const script = `${shellPrefix} exec "$0" "$1" serve --port 0 --config "$2"`;
  const child = spawn('/bin/sh', ['-c', script, process.execPath, cli, path.join(home, 'config.json')], {
    env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`warden serve exited ${code} before listening: ${err}`)));
  });
  return { child, port, stderr: () => err, exited };
}

async function getState(port: number): Promise<State> {
  const res = await fetch(`http://127.0.0.1:${port}/api/state`);
  expect(res.status).toBe(200);
  return (await res.json()) as State;
}

async function pollFor<T>(what: string, read: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.runIf(linux)('warden serve against local processes without the token', () => {
  it('300 half-sent requests under ulimit -n 256: warden serve lives, keeps sampling, drops them, then serves', async () => {
    const served = await startServe('ulimit -n 256 &&');
    const before = await pollFor('a first sample', async () => ((await getState(served.port)).sampledAt !== null ? getState(served.port) : null), 30_000);

    // Each socket sends the start of a request and never the blank line that ends its headers.
    const sockets: net.Socket[] = [];
    let closedByServer = 0;
    for (let i = 0; i < 300; i++) {
      const socket = net.connect(served.port, '127.0.0.1', () => socket.write(`GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nX-Slow: `));
      socket.on('error', () => undefined);
      // Read what the server sends (a 408 at most), so its close is seen.
      socket.resume();
      socket.on('close', () => (closedByServer += 1));
      sockets.push(socket);
    }
    try {
      // The cap turns most away at once; the header deadline ends the rest. None may end Warden.
      await pollFor('every half-sent request closed by the server', async () => (closedByServer === 300 ? true : null), 60_000);
      expect([served.child.exitCode, served.child.signalCode]).toEqual([null, null]);
      const after = await pollFor(
        'a sample taken after the attack began, with the process table read',
        async () => {
          const state = await getState(served.port);
          return state.sampledAt! > before.sampledAt! + 2_000 && !state.unknowns.some((u) => u.part === 'processes') ? state : null;
        },
        30_000,
      );
      expect(after.unknowns.map((u) => u.reason).join('\n')).not.toMatch(/EMFILE|file descriptors/);
      expect(served.stderr()).not.toMatch(/EMFILE|Unhandled|unexpected error/);
      // The refusals were logged, counted when there were too many to print.
      expect(served.stderr()).toMatch(/warden serve: (connection refused: 64 connections already open|client error 408)/);
    } finally {
      for (const socket of sockets) socket.destroy();
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
  }, 150_000);

  it('the runner out of file descriptors: each spawn is a result naming EMFILE, never a crash; it runs again once fds are free', async () => {
    const dir = tempDir('warden-emfile-');
    const entry = path.join(dir, 'emfile.ts');
    writeFileSync(
      entry,
      `import { closeSync, openSync } from 'node:fs';
import { runCommand } from ${JSON.stringify(path.join(REPO, 'src/platform/runner.ts'))};
process.on('unhandledRejection', (e) => { console.log('UNHANDLED ' + String(e)); process.exit(3); });
const fds: number[] = [];
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch {}
const starved = [];
for (const argv of [['ps', '-A'], ['sh', '-c', 'exit 0'], ['/no/such/command']]) starved.push((await runCommand(argv)).error);
await new Promise((r) => setTimeout(r, 200));
for (const fd of fds.splice(0, 32)) closeSync(fd);
const again = await runCommand(['sh', '-c', 'echo ran']);
console.log(JSON.stringify({ starved, again: again.stdout.trim(), exit: again.exitCode }));
`,
    );
    const bundle = await bundleForChild(entry, path.join(dir, 'emfile.mjs'));
    const { stdout } = await run('/bin/sh', ['-c', 'ulimit -n 64 && exec "$0" "$1"', process.execPath, bundle], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { starved: string[]; again: string; exit: number };
    expect(result.starved).toEqual(Array(3).fill('EMFILE: Warden is out of file descriptors; not run'));
    expect(result).toMatchObject({ again: 'ran', exit: 0 });
  }, 90_000);

  it.runIf(process.platform === 'linux')('the /proc table out of file descriptors: unknown, naming EMFILE, never a crash or an empty table; read again once fds are free', async () => {
    const dir = tempDir('warden-emfile-proc-');
    const entry = path.join(dir, 'emfile-proc.ts');
    writeFileSync(
      entry,
      `import { closeSync, openSync } from 'node:fs';
import { LiveFacts } from ${JSON.stringify(path.join(REPO, 'src/platform/live.ts'))};
import { readProcessTable } from ${JSON.stringify(path.join(REPO, 'src/platform/processes.ts'))};
const facts = new LiveFacts();
const fds: number[] = [];
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch {}
const starved = await readProcessTable(facts, Date.now());
for (const fd of fds.splice(0, 32)) closeSync(fd);
const again = await readProcessTable(facts, Date.now());
console.log(JSON.stringify({ starved, again: again.ok ? again.value.rows.some((r) => r.pid === process.pid) : again.reason }));
`,
    );
    const bundle = await bundleForChild(entry, path.join(dir, 'emfile-proc.mjs'));
    const { stdout } = await run('/bin/sh', ['-c', 'ulimit -n 64 && exec "$0" "$1"', process.execPath, bundle], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { starved: { ok: boolean; reason?: string }; again: boolean | string };
    expect(result.starved.ok).toBe(false);
    expect(result.starved.reason).toMatch(/^\/proc: EMFILE/);
    expect(result.again).toBe(true);
  }, 90_000);

  it('port already taken: exit 2 with the port named and what to do, no stack trace', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const home = tempDir('warden-port-');
      const result = await run(process.execPath, [path.join(REPO, 'dist/cli/warden.js'), 'serve', '--port', String(port)], {
        env: { ...process.env, WARDEN_HOME: home },
        timeout: 60_000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(result).toEqual({
        code: 2,
        stderr: `warden: port ${port} on 127.0.0.1 is already in use (another warden serve?); choose another with --port N, or --port 0 for any free port\n`,
      });
    } finally {
      squatter.close();
    }
  }, 60_000);

  it('installed under a path with a space: the page is served', async () => {
    const root = path.join(tempDir('warden-space-'), 'My Tools');
    mkdirSync(root);
    cpSync(path.join(REPO, 'dist'), path.join(root, 'dist'), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
    const served = await startServe('', path.join(root, 'dist/cli/warden.js'));
    try {
      const page = await fetch(`http://127.0.0.1:${served.port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<');
      expect((await fetch(`http://127.0.0.1:${served.port}/renderer.js`)).status).toBe(200);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
  }, 60_000);
});
