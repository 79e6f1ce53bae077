/**
 * The token is not a shell: a config saved through a view (IPC `config:set`, `PUT /api/config`)
 * may change thresholds, URLs and notifications, never a supervisor, since a supervisor says
 * what Warden runs (a command's argv) and whom it signals. The attack, on the real engine behind
 * the real `warden serve`, with the token: add a command supervisor whose start is
 * `touch MARKER`, then ask for its Restart.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { createEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { STATIC_DIR } from '../support/chromium.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('a config saved through a view cannot add, change or remove a supervisor', () => {
  let home: string;
  let configPath: string;
  let marker: string;
  let engine: Engine;
  let server: RunningServer;
  let onDisk: WardenConfigInput;
  let logs: string[];

  const put = async (config: unknown) => {
    const reply = await fetch(new URL('/api/config', server.url), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Warden-Token': server.token },
      body: JSON.stringify(config),
    });
    return { status: reply.status, body: (await reply.json()) as { ok: boolean; problems?: Array<{ field: string; message: string }> } };
  };
  const diskText = () => readFileSync(configPath, 'utf8');

  beforeAll(async () => {
    if (!existsSync(path.join(STATIC_DIR, 'renderer.js'))) await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
    home = mkdtempSync(path.join(os.tmpdir(), 'warden-config-commands-'));
    marker = path.join(home, 'pwned');
    configPath = path.join(home, 'config.json');
    onDisk = {
      intervalSeconds: 1,
      discovery: false,
      services: [
        // Its owner's own command: the one supervisor the file grants.
        { name: 'model', url: 'http://127.0.0.1:9/health', supervisor: { kind: 'command', start: ['/bin/sleep', '3600'], cwd: home, pidfile: path.join(home, 'model.pid') } },
        { name: 'docs', url: 'http://127.0.0.1:9/docs' },
      ],
    };
    writeFileSync(configPath, `${JSON.stringify(onDisk, null, 2)}\n`);
    engine = await createEngine({ configPath, dataDir: null });
    logs = [];
    server = await startServer(engine, { port: 0, staticDir: STATIC_DIR, log: (line) => logs.push(line) });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('PUT /api/config with the token, adding a command supervisor: refused, the file unchanged, and its Restart never runs', async () => {
    const before = diskText();
    const evil: WardenConfigInput = { ...onDisk, services: [...onDisk.services!, { name: 'evil', supervisor: { kind: 'command', start: ['/usr/bin/touch', marker], port: 9 } }] };
    const reply = await put(evil);
    expect(reply.status).toBe(200);
    expect(reply.body.ok).toBe(false);
    expect(reply.body.problems).toEqual([
      { field: 'services.2.supervisor', message: `evil: a supervisor cannot be added from here: commands and supervisors are set only in the config file (${configPath}), by editing it; nothing was saved` },
    ]);
    expect(diskText()).toBe(before);
    expect(logs.some((l) => l.startsWith('config refused: services.2.supervisor: evil: a supervisor cannot be added from here'))).toBe(true);

    // The rest of the attack: the engine never heard of "evil", so there is no Restart to ask for.
    const state = await engine.tick();
    expect(state.services.map((s) => s.name)).toEqual(['model', 'docs']);
    const action = await fetch(new URL('/api/action', server.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Warden-Token': server.token },
      body: JSON.stringify({ actionId: 'restart:evil' }),
    });
    expect(((await action.json()) as { ok: boolean }).ok).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a changed argv, cwd or kind, a supervisor removed, and a supervised service renamed or removed', async () => {
    const before = diskText();
    const model = onDisk.services![0]!;
    const docs = onDisk.services![1]!;
    const commandOf = (changes: Record<string, unknown>) => ({ ...model, supervisor: { ...(model.supervisor as object), ...changes } }) as NonNullable<WardenConfigInput['services']>[number];
    const attempts: Array<[string, WardenConfigInput, string]> = [
      ['argv', { ...onDisk, services: [commandOf({ start: ['/usr/bin/touch', marker] }), docs] }, 'services.0.supervisor'],
      ['stop argv', { ...onDisk, services: [commandOf({ stop: ['/usr/bin/touch', marker] }), docs] }, 'services.0.supervisor'],
      ['cwd', { ...onDisk, services: [commandOf({ cwd: '/tmp' }), docs] }, 'services.0.supervisor'],
      ['kind', { ...onDisk, services: [{ ...model, supervisor: { kind: 'systemd', unit: 'ssh.service', scope: 'system' } }, docs] }, 'services.0.supervisor'],
      ['removed supervisor', { ...onDisk, services: [{ name: 'model', url: model.url! }, docs] }, 'services.0.supervisor'],
      ['renamed', { ...onDisk, services: [{ ...model, name: 'model2' }, docs] }, 'services.0.supervisor'],
      ['removed service', { ...onDisk, services: [docs] }, 'services'],
      ['added to another service', { ...onDisk, services: [model, { ...docs, supervisor: { kind: 'launchd', label: 'com.evil', plist: marker } }] }, 'services.1.supervisor'],
    ];
    for (const [what, config, field] of attempts) {
      const reply = await put(config);
      expect(reply.body.ok, what).toBe(false);
      expect(reply.body.problems?.map((p) => p.field), what).toContain(field);
    }
    expect(diskText()).toBe(before);
    expect(existsSync(marker)).toBe(false);
  });

  it('saves thresholds, URLs and notifications, the supervisor kept as on disk (its keys in any order)', async () => {
    const model = onDisk.services![0]!;
    const sup = model.supervisor as { kind: 'command'; start: string[]; cwd: string; pidfile: string };
    const edited: WardenConfigInput = {
      ...onDisk,
      thresholds: { lockMaxHeldMinutes: 45 },
      notifications: { onWarn: true },
      services: [{ ...model, url: 'http://127.0.0.1:9/v1/models', supervisor: { pidfile: sup.pidfile, cwd: sup.cwd, start: sup.start, kind: 'command' } }, { name: 'docs', url: 'http://127.0.0.1:9/v2' }],
    };
    expect((await put(edited)).body).toEqual({ ok: true });
    const saved = JSON.parse(diskText()) as WardenConfigInput;
    expect(saved.thresholds).toEqual({ lockMaxHeldMinutes: 45 });
    expect(saved.services?.[0]?.url).toBe('http://127.0.0.1:9/v1/models');
    expect(saved.services?.[0]?.supervisor).toEqual(model.supervisor);
  });

  it('the owner edits the file: the view must then carry the new supervisor, not the one it loaded earlier', async () => {
    const current = JSON.parse(diskText()) as WardenConfigInput;
    const byOwner: WardenConfigInput = { ...current, services: [{ ...current.services![0]!, supervisor: { kind: 'command', start: ['/bin/sleep', '7200'], port: 9 } }, current.services![1]!] };
    writeFileSync(configPath, `${JSON.stringify(byOwner, null, 2)}\n`);
    // A view that still holds the old supervisor cannot put it back over the owner's edit.
    expect((await put(current)).body.ok).toBe(false);
    expect((await put({ ...byOwner, intervalSeconds: 2 })).body).toEqual({ ok: true });
    expect((JSON.parse(diskText()) as WardenConfigInput).services?.[0]?.supervisor).toEqual({ kind: 'command', start: ['/bin/sleep', '7200'], port: 9 });
  });
});
