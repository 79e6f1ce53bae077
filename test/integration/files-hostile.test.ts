/**
 * Files that are not what they should be, put where Warden reads: a FIFO as the config (at
 * start and swapped in under a running `warden serve`), as a capture, as a history file, a
 * 1 GB history file, a device. Each is refused with what it is, at once; nothing hangs, SIGTERM
 * still ends the process, and an unreadable history reaches the State and `warden incidents`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/common/state.js';
import { createEngine } from '../../src/engine/create.js';
import { LiveFacts } from '../../src/platform/live.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'dist/cli/warden.js');
const run = promisify(execFile);
const linux = process.platform === 'linux';
const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-hostile-'));
  dirs.push(dir);
  return dir;
}

async function fifo(at: string): Promise<string> {
  await run('mkfifo', [at]);
  return at;
}

/** The built CLI; a hang is killed at 60 s and fails the test with its output. */
async function warden(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' }, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number | null; signal?: string; stdout: string; stderr: string }) => ({ code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr }),
  );
}

beforeAll(async () => {
  if (!existsSync(CLI)) await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
}, 120_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(linux)('non-regular and oversized files where Warden reads', () => {
  it('LiveFacts.readFile refuses a FIFO and a device at once, saying what each is', async () => {
    const facts = new LiveFacts();
    const pipe = await fifo(path.join(tempDir(), 'log.fifo'));
    expect(await facts.readFile(pipe)).toEqual({ path: pipe, exists: true, content: null, truncated: false, error: 'is a FIFO, not a regular file; not read' });
    expect((await facts.readFile('/dev/zero')).error).toBe('is a character device, not a regular file; not read');
    expect((await facts.readFile(os.tmpdir())).error).toBe('is a folder, not a regular file; not read');
  });

  it('a FIFO as the config: status exits 2 naming it, instead of waiting for a writer', async () => {
    const home = tempDir();
    const config = await fifo(path.join(home, 'config.json'));
    const result = await warden(home, 'status', '--config', config);
    expect([result.code, result.stderr]).toEqual([2, `warden: config ${config} is invalid:\n  (file): cannot be read: is a FIFO, not a regular file; not read\n`]);
  }, 90_000);

  it('a FIFO swapped in for the config of a running warden serve: the State says so, the loop goes on, SIGTERM ends it', async () => {
    const home = tempDir();
    const config = path.join(home, 'config.json');
    writeFileSync(config, JSON.stringify({ intervalSeconds: 1, discovery: false }));
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--config', config], { env: { ...process.env, WARDEN_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /127\.0\.0\.1:(\d+)\//.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    const state = async () => (await (await fetch(`http://127.0.0.1:${port}/api/state`)).json()) as State;
    const until = async (what: string, ok: (s: State) => boolean) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await state();
        if (ok(s)) return s;
        if (Date.now() > deadline) throw new Error(`${what}: not within 60 s; unknowns: ${JSON.stringify(s.unknowns)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await until('a first sample', (s) => s.sampledAt !== null);
    const swapped = await fifo(path.join(home, 'config.fifo'));
    renameSync(swapped, config);
    const refused = await until('the config refused', (s) => s.unknowns.some((u) => u.part === 'config'));
    expect(refused.unknowns.find((u) => u.part === 'config')?.reason).toBe(`${config} was not applied ((file): cannot be read: is a FIFO, not a regular file; not read); still using the last good config`);
    const at = refused.sampledAt!;
    await until('cycles after the refusal', (s) => s.sampledAt! >= at + 2_000);
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.once('exit', (code) => resolve(code)))).toBe(0);
  }, 120_000);

  it('a FIFO as the capture to replay: exit 2 naming it', async () => {
    const home = tempDir();
    const capture = await fifo(path.join(home, 'capture.json'));
    const result = await warden(home, 'status', '--replay', capture);
    expect([result.code, result.stderr]).toEqual([2, `warden: cannot read capture ${capture}: is a FIFO, not a regular file; not read\n`]);
  }, 90_000);

  it('a 1 GB incidents.jsonl: history unavailable with the reason in the State; warden incidents says so; a FIFO as an old one is noted, not read', async () => {
    const home = tempDir();
    const data = path.join(home, 'data');
    mkdirSync(data);
    const big = path.join(data, 'incidents.jsonl');
    writeFileSync(big, '');
    truncateSync(big, 1024 ** 3);
    await fifo(path.join(data, 'incidents.1.jsonl'));

    const engine = await createEngine({ configPath: path.join(home, 'none.json'), dataDir: data });
    const history = engine.currentState().history;
    await engine.stop();
    const expected = 'cannot read incidents.jsonl is 1 GiB, over the 64 MiB Warden reads; not read: incidents in it are not shown';
    expect(history).toEqual({ available: false, reason: expected, readOnly: false });

    const result = await warden(home, 'incidents');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^history incomplete: cannot read incidents\.jsonl is 1 GiB, over the 64 MiB Warden reads; not read\nNo incidents since .* in the history that could be read\.\n$/);
    const json = JSON.parse((await warden(home, 'incidents', '--json')).stdout) as { unreadable: string[]; problems: string[] };
    expect(json.unreadable).toEqual(['incidents.jsonl is 1 GiB, over the 64 MiB Warden reads; not read']);
    expect(json.problems).toEqual(['incidents.1.jsonl: not a regular file; not read']);
  }, 120_000);
});
