import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveEffects, REPLAY_REFUSAL, ReplayEffects } from '../../src/platform/effects.js';
import { waitForExit } from '../support/model-server.js';

describe('LiveEffects', () => {
  let dir: string;
  const effects = new LiveEffects();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden effects '));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('spawnDetached runs argv without a shell, output to the log', async () => {
    const log = join(dir, 'out.log');
    const marker = join(dir, 'pwned');
    const argv = [process.execPath, '-e', 'console.log(process.argv[1])', `x; touch ${marker} $(touch ${marker}) \`touch ${marker}\``];
    const spawned = await effects.spawnDetached(argv, { cwd: dir, logPath: log });
    expect('pid' in spawned).toBe(true);
    if (!('pid' in spawned)) return;
    await waitForExit(spawned.pid);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await readFile(log, 'utf8');
    expect(text.split('\n')[0]).toBe(`x; touch ${marker} $(touch ${marker}) \`touch ${marker}\``);
    await expect(stat(marker)).rejects.toThrow();
  });

  it('spawnDetached reports a program that does not exist', async () => {
    const spawned = await effects.spawnDetached([join(dir, 'no such program')]);
    expect(spawned).toEqual({ reason: 'ENOENT: no such file or directory' });
  });

  it('copyFile copies, and never overwrites', async () => {
    const src = join(dir, 'a.plist.backup');
    const dst = join(dir, 'a.plist');
    await writeFile(src, 'one');
    expect(await effects.copyFile(src, dst)).toEqual({ ok: true });
    expect(await readFile(dst, 'utf8')).toBe('one');
    await writeFile(src, 'two');
    expect(await effects.copyFile(src, dst)).toEqual({ ok: false, reason: 'EEXIST: the destination already exists' });
    expect(await readFile(dst, 'utf8')).toBe('one');
  });

  it('signal refuses PID 1 and reports a process that is gone', async () => {
    expect(await effects.signal(1, 'SIGTERM')).toEqual({ ok: false, reason: 'refusing to signal PID 1' });
    const spawned = await effects.spawnDetached([process.execPath, '-e', '0']);
    if (!('pid' in spawned)) throw new Error(spawned.reason);
    await waitForExit(spawned.pid);
    expect(await effects.signal(spawned.pid, 'SIGTERM')).toEqual({ ok: false, reason: 'ESRCH: no such process' });
  });
});

describe('ReplayEffects', () => {
  it('refuses everything', async () => {
    const replay = new ReplayEffects();
    expect(await replay.signal()).toEqual({ ok: false, reason: REPLAY_REFUSAL });
    expect(await replay.spawnDetached()).toEqual({ reason: REPLAY_REFUSAL });
    expect(await replay.copyFile()).toEqual({ ok: false, reason: REPLAY_REFUSAL });
    expect((await replay.run(['launchctl', 'bootstrap', 'gui/501', '/x'])).error).toBe(REPLAY_REFUSAL);
    expect(REPLAY_REFUSAL).toBe('this is a replay of a capture; nothing can be changed');
  });
});
