/**
 * `warden watch --interval S` keeps S: the config file is read again within the first cycle
 * (and whenever it changes), and that reload used to put its own interval (5 s) back.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const home = mkdtempSync(path.join(os.tmpdir(), 'warden-watch-'));

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'dist/cli/warden.js'))) await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

it.runIf(process.platform === 'linux')('watch --interval 2 over a config file that says 5: every refresh says every 2 s, also after the file changes', async () => {
  const config = path.join(home, 'config.json');
  writeFileSync(config, JSON.stringify({ intervalSeconds: 5, discovery: false }));
  const child = spawn(process.execPath, [path.join(REPO, 'dist/cli/warden.js'), 'watch', '--interval', '2', '--config', config], {
    env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const headers = () => out.split('\n').filter((line) => line.startsWith('Warden ')).map((line) => /, every (\S+ s)/.exec(line)?.[1]);
  const until = async (what: string, ok: () => boolean) => {
    const deadline = Date.now() + 60_000;
    while (!ok()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what}; output so far:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await until('two refreshes', () => headers().length >= 2);
    // The file changes: it is applied (discovery stays off), and --interval still wins.
    writeFileSync(config, JSON.stringify({ intervalSeconds: 7, discovery: false }));
    const seen = headers().length;
    await until('three refreshes after the file changed', () => headers().length >= seen + 3);
    expect(new Set(headers())).toEqual(new Set(['2 s']));
  } finally {
    child.kill('SIGTERM');
  }
  await new Promise((resolve) => child.once('exit', resolve));
  expect(child.exitCode).toBe(0);
}, 90_000);
