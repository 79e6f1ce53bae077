/** `warden notify-test [CHANNEL]`, the built CLI, against real receivers. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../support/receiver.js';

const run = promisify(execFile);
const SECRET = 'cli-secret-path-0777';
let dir: string;
let configPath: string;
let good: Receiver;
let bad: Receiver;

beforeAll(async () => {
  if (!existsSync('dist/cli/warden.js')) await run(process.execPath, ['scripts/build.mjs']);
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-notify-test-'));
  good = await startReceiver();
  bad = await startReceiver({ always: 500 });
  configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ notifications: { channels: [
    { kind: 'ntfy', url: good.url(`/${SECRET}`), name: 'phone' },
    { kind: 'webhook', url: bad.url(`/${SECRET}`) },
  ] } }));
}, 120_000);

afterAll(async () => {
  await good?.close();
  await bad?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function warden(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli/warden.js', ...args], { env: { ...process.env, WARDEN_HOME: dir, NO_COLOR: '1' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('warden notify-test', () => {
  it('sends one test notice to each channel and says what each answered; exit 1 when one failed', async () => {
    const result = await warden('notify-test', '--config', configPath);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^sent {2}phone \(ntfy\): HTTP 200 in \d+ ms\nFAILED {2}webhook \(webhook\): HTTP 500: internal\n$/);
    expect(good.requests).toHaveLength(1);
    expect(good.requests[0]!.headers).toMatchObject({ title: 'Warden test notice', tags: 'test_tube' });
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('to the one named: exit 0', async () => {
    const result = await warden('notify-test', 'phone', '--config', configPath);
    expect(result).toMatchObject({ code: 0 });
    expect(good.requests).toHaveLength(2);
    expect(bad.requests).toHaveLength(1);
  });

  it('an unknown channel name: exit 2, naming the configured ones', async () => {
    const result = await warden('notify-test', 'pager', '--config', configPath);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('warden: no channel named "pager"; configured: phone, webhook\n');
  });
});
