/**
 * The `warden` CLI end to end on this Linux host, as a user runs it: the built bin, a real
 * config file, a real model server under the command supervisor, a real SQLite lock.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/common/state.js';
import { freePort, isAlive, modelServerArgv, waitForListen } from '../support/model-server.js';

const run = promisify(execFile);
const onLinux = process.platform === 'linux';

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

describe.runIf(onLinux)('warden on this host', () => {
  let home: string;
  let port: number;
  let pidfile: string;
  let db: string;
  let holder: ChildProcess;
  const env = () => ({ ...process.env, WARDEN_HOME: home, NO_COLOR: '1' });

  async function warden(...args: string[]): Promise<Result> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/warden.js', ...args], { env: env(), timeout: 90_000 });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  }
  const serverPid = () => Number(readFileSync(pidfile, 'utf8').trim());

  beforeAll(async () => {
    if (!existsSync('dist/cli/warden.js')) await run(process.execPath, ['scripts/build.mjs']);
    home = mkdtempSync(path.join(os.tmpdir(), 'warden-cli-'));
    port = await freePort();
    pidfile = path.join(home, 'model.pid');
    db = path.join(home, 'held.sqlite');
    const start = modelServerArgv(port, ['--pidfile', pidfile]);
    spawn(start[0]!, start.slice(1), { detached: true, stdio: 'ignore' }).unref();
    await waitForListen(port);
    // A real POSIX write lock held by a child that never lets go.
    holder = spawn(
      process.execPath,
      ['-e', `const D=require('better-sqlite3');const d=new D(${JSON.stringify(db)});d.exec('create table if not exists t(x)');d.exec('BEGIN EXCLUSIVE');d.exec('insert into t values(1)');process.stdout.write('held\\n');setInterval(()=>{},1e6)`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({
        intervalSeconds: 2,
        discovery: false,
        services: [
          {
            name: 'model; $(touch /tmp/pwned) "quoted"',
            url: `http://127.0.0.1:${port}/v1/models`,
            timeoutSeconds: 2,
            intervalSeconds: 1,
            supervisor: { kind: 'command', start: modelServerArgv(port, ['--pidfile', pidfile]), pidfile, port },
          },
        ],
        watchedFiles: [{ path: db, maxHeldMinutes: 0.05 }],
      }),
    );
  }, 60_000);

  afterAll(() => {
    holder?.kill('SIGKILL');
    try {
      process.kill(serverPid(), 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('status reads this host: memory, the service running, the lock holder', async () => {
    const { stdout, code } = await warden('status', '--json');
    expect(code).toBe(0);
    const state = JSON.parse(stdout) as State;
    expect(state.memory?.totalBytes).toBe(os.totalmem());
    expect(state.services[0]?.state).toBe('running');
    expect(state.services[0]?.probe?.measured).toMatch(/^200 in \d+ ms$/);
    expect(state.locks[0]?.holders.map((h) => h.pid)).toContain(holder.pid);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('status --check exits with the colour: 0 green, 1 amber, 2 red, 3 grey', async () => {
    // One invocation, so the level and the exit code come from the same State.
    const check = await warden('status', '--json', '--check');
    const json = JSON.parse(check.stdout) as State;
    expect(check.code).toBe({ ok: 0, warn: 1, crit: 2, unknown: 3 }[json.level]);
    const text = await warden('status');
    expect(text.stdout).toMatch(/^Warden {2}(GREEN|AMBER|RED|GREY) {2}/);
  });

  it('restart NAME --yes stops and starts the server, which answers again', async () => {
    const before = serverPid();
    const { stdout, code } = await warden('restart', 'model; $(touch /tmp/pwned) "quoted"', '--yes');
    expect(stdout).toContain('done:');
    expect(code).toBe(0);
    expect(isAlive(before)).toBe(false);
    const after = serverPid();
    expect(after).not.toBe(before);
    expect(isAlive(after)).toBe(true);
    const answer = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(answer.status).toBe(200);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('release PATH --yes stops the lock holder; a second process then takes the lock', async () => {
    // The limit is 3 s: wait until the holder is older than that.
    await new Promise((r) => setTimeout(r, 3_500));
    const { stdout, code } = await warden('release', db, '--yes');
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/SIGTERM/);
    await new Promise((r) => holder.exitCode !== null || holder.signalCode !== null ? r(null) : holder.once('exit', r));
    const { stdout: ok } = await run(process.execPath, ['-e', `const D=require('better-sqlite3');const d=new D(${JSON.stringify(db)});d.exec('BEGIN EXCLUSIVE');d.exec('COMMIT');console.log('locked ok')`]);
    expect(ok.trim()).toBe('locked ok');
  });

  it('an action that is not offered is refused with the reason, nothing done', async () => {
    const { stderr, code } = await warden('readopt', 'model; $(touch /tmp/pwned) "quoted"', '--yes');
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot readopt .*: only restart is offered for it now/);
  });

  it('capture records the facts, and the capture replays to the same picture', async () => {
    const file = path.join(home, 'capture.json');
    const cap = await warden('capture', '-o', file, '--samples', '2', '--interval', '1');
    expect(cap.code, cap.stderr).toBe(0);
    // Other processes on this host (the rest of the suite runs beside this file) may hold a secret in their argv: any count.
    expect(cap.stdout, cap.stderr).toMatch(/wrote .*capture\.json \(readable by you only, 0600\): 2 samples: \d+ commands, \d+ HTTP requests, \d+ file reads; \d+ secrets? redacted/);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    expect(bundle.host.platform).toBe('linux');
    expect(bundle.samples[0].commands.map((c: { argv: string[] }) => c.argv[0])).toContain('ps');
    const replay = JSON.parse((await warden('status', '--replay', file, '--json')).stdout) as State;
    expect(replay.replay).toBe(true);
    expect(replay.services[0]?.state, JSON.stringify(replay.services[0]?.probe)).toBe('running');
    expect(replay.memory?.totalBytes).toBe(os.totalmem());
  });

  it('watch refreshes until Ctrl-C and then exits cleanly', async () => {
    const child = spawn(process.execPath, ['bin/warden.js', 'watch', '--interval', '1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if ((out.match(/^Warden /gm) ?? []).length >= 2) {
          clearInterval(poll);
          resolve();
        }
      }, 100);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  });

  it('watch piped into a reader that goes away (warden watch | head) ends quietly, exit 0', async () => {
    const child = spawn(process.execPath, ['bin/warden.js', 'watch', '--interval', '1'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Read the first screen, then close the pipe as head does.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('an invalid config is refused naming the field, exit 2', async () => {
    const bad = path.join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify({ intervalSeconds: 'soon', watchedFiles: [{ path: 'relative/db.duckdb' }] }));
    const { stderr, code } = await warden('status', '--config', bad);
    expect(code).toBe(2);
    expect(stderr).toContain('intervalSeconds: must be number');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('usage mistakes say what is wrong, exit 2', async () => {
    expect((await warden('frobnicate')).stderr).toBe('warden: unknown command "frobnicate"; see warden --help\n');
    expect((await warden('status', '--nope')).code).toBe(2);
    expect((await warden('capture')).stderr).toBe('warden: capture needs -o FILE\n');
  });
});
