/**
 * The real bundle boots: dist/main/main.cjs itself, loaded by a plain node child with a stand-in
 * resolved for `electron` (test/support/electron-stand-in), on this host watching a real model
 * server that the test then kills. The closest this machine gets to `npm start` on a Mac: it
 * catches bundling, asset-path and start-order faults that controller tests cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../src/common/ipc.js';
import { TRAY_ICON_FILES } from '../../src/main/tray.js';
import { POPOVER_WIDTH } from '../../src/main/popover.js';
import { freePort, isAlive, modelServerArgv, waitForExit, waitForListen } from '../support/model-server.js';

interface StandInEvent {
  type: string;
  at: number;
  [key: string]: unknown;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const BOOT = path.join(ROOT, 'test/support/electron-stand-in/boot.cjs');
const BUNDLE = path.join(ROOT, 'dist/main/main.cjs');
const WAIT_MS = 60_000;

describe.runIf(process.platform === 'linux')('the built app (dist/main/main.cjs) on a stand-in electron', () => {
  let home: string;
  let eventsFile: string;
  let serverPid: number;
  let app: ChildProcess;
  let exit: Promise<number | null>;
  let output = '';

  const events = (): StandInEvent[] =>
    existsSync(eventsFile)
      ? readFileSync(eventsFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as StandInEvent)
      : [];
  const ofType = (type: string) => events().filter((e) => e.type === type);
  const trayFiles = () => ofType('tray-image').map((e) => path.basename(e.file as string));
  const send = (command: string) => app.stdin!.write(`${command}\n`);
  async function stateLevel(): Promise<string> {
    const before = ofType('state').length;
    send('state');
    await expect.poll(() => ofType('state').length, { timeout: WAIT_MS }).toBeGreaterThan(before);
    return ofType('state').at(-1)!.level as string;
  }

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error('dist/main/main.cjs is missing: run node scripts/build.mjs');
    home = mkdtempSync(path.join(os.tmpdir(), 'warden-bundle-'));
    eventsFile = path.join(home, 'events.jsonl');
    const port = await freePort();
    const pidfile = path.join(home, 'model.pid');
    const start = modelServerArgv(port, ['--pidfile', pidfile]);
    const server = spawn(start[0]!, start.slice(1), { detached: true, stdio: 'ignore' });
    server.unref();
    await waitForListen(port);
    serverPid = server.pid!;
    writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({
        intervalSeconds: 1,
        discovery: false,
        services: [{ name: 'model', url: `http://127.0.0.1:${port}/v1/models`, timeoutSeconds: 2, intervalSeconds: 1, supervisor: { kind: 'command', start, pidfile, port } }],
      }),
    );
    app = spawn(process.execPath, [BOOT, BUNDLE], { cwd: ROOT, env: { ...process.env, WARDEN_HOME: home, WARDEN_STUB_EVENTS: eventsFile }, stdio: ['pipe', 'pipe', 'pipe'] });
    app.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    app.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exit = new Promise((resolve) => app.once('exit', (code) => resolve(code)));
  }, WAIT_MS);

  afterAll(async () => {
    if (app && app.exitCode === null) app.kill('SIGKILL');
    if (serverPid && isAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('starts, registers exactly the IPC channels of the contract, hardened before any window', async () => {
    await expect.poll(() => ofType('ipc-handle').length, { timeout: WAIT_MS }).toBe(INVOKE_CHANNELS.length);
    expect(ofType('ipc-handle').map((e) => e.channel).sort()).toEqual([...INVOKE_CHANNELS].sort());
    const order = events().map((e) => e.type);
    expect(order.indexOf('enable-sandbox')).toBeLessThan(order.indexOf('tray-create'));
    expect(order.indexOf('schemes-privileged')).toBeLessThan(order.indexOf('tray-create'));
    expect(order).toContain('session-permission-request-handler');
    expect(ofType('protocol-handle').map((e) => e.scheme)).toEqual(['app']);
  }, WAIT_MS * 2);

  it("sets the tray image for the host's level, from the built assets", async () => {
    // Two cycles in, the model answering: the level the page reads is the one the tray shows.
    await expect.poll(async () => (await stateLevel()) !== 'unknown', { timeout: WAIT_MS }).toBe(true);
    const level = await stateLevel();
    const expected = { ok: TRAY_ICON_FILES.green, warn: TRAY_ICON_FILES.amber, crit: TRAY_ICON_FILES.red, unknown: TRAY_ICON_FILES.grey }[level]!;
    await expect.poll(() => trayFiles().at(-1), { timeout: WAIT_MS }).toBe(expected);
    for (const image of ofType('tray-image')) {
      expect(existsSync(image.file as string), `${String(image.file)} exists in the bundle's assets`).toBe(true);
      expect(image.template).toBe(/Template\.png$/.test(image.file as string));
    }
    expect(ofType('state').at(-1)!.services).toEqual([{ name: 'model', state: 'running' }]);
  }, WAIT_MS * 3);

  it('opens the popover window with the hardened options', async () => {
    send('click');
    await expect.poll(() => ofType('window-create').length, { timeout: WAIT_MS }).toBe(1);
    const options = ofType('window-create')[0]!.options as { width: number; show: boolean; webPreferences: Record<string, unknown> };
    expect(options.width).toBe(POPOVER_WIDTH);
    expect(options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, webSecurity: true, webviewTag: false });
    expect(existsSync(options.webPreferences.preload as string)).toBe(true);
    expect(ofType('window-load').map((e) => e.url)).toEqual(['app://warden/index.html']);
    expect(ofType('window-open-handler').length).toBe(1);
  }, WAIT_MS);

  it('opens the settings window on ⌘, with the popover\'s hardened options, and closes each window from its own page', async () => {
    const menu = ofType('app-menu').at(-1)!.items as Array<{ submenu?: Array<{ label?: string; role?: string; accelerator?: string }> }>;
    const items = menu.flatMap((m) => m.submenu ?? []);
    expect(items.find((i) => i.accelerator === 'CmdOrCtrl+,')?.label).toBe('Settings…');
    expect(items.find((i) => i.role === 'quit')?.accelerator).toBe('CmdOrCtrl+Q');
    send('key CmdOrCtrl+,');
    await expect.poll(() => ofType('window-create').length, { timeout: WAIT_MS }).toBe(2);
    const [popover, settings] = ofType('window-create').map((e) => e.options as { width: number; title?: string; webPreferences: Record<string, unknown> });
    expect(settings!.webPreferences).toEqual(popover!.webPreferences);
    expect(settings!.title).toBe('Warden Settings');
    expect(settings!.width).toBeGreaterThan(POPOVER_WIDTH);
    await expect.poll(() => ofType('window-load').map((e) => e.url), { timeout: WAIT_MS }).toEqual(['app://warden/index.html', 'app://warden/settings.html']);
    expect(ofType('window-open-handler').length).toBe(2);
    // ⌘, again brings the one window forward; no second.
    send('key CmdOrCtrl+,');
    send('invoke settings.html config:facts');
    await expect.poll(() => ofType('invoked').filter((e) => e.channel === 'config:facts').length, { timeout: WAIT_MS }).toBe(1);
    expect(ofType('window-create').length).toBe(2);
    const facts = ofType('invoked').find((e) => e.channel === 'config:facts')!.result as { defaults: Record<string, unknown>; limits: Record<string, unknown> };
    expect(facts.defaults).toMatchObject({ intervalSeconds: 5, discovery: true, 'thresholds.topByMemory': 5, 'notifications.onWarn': false });
    expect(facts.limits.intervalSeconds).toEqual({ minimum: 1, maximum: 3600 });
    // A page that is not the app's own is refused on the new channels too.
    send('invoke evil.html window:settings');
    await expect.poll(() => ofType('invoke-error').map((e) => e.page), { timeout: WAIT_MS }).toEqual(['evil.html']);
    send('invoke settings.html window:close');
    await expect.poll(() => ofType('window-close').map((e) => e.url), { timeout: WAIT_MS }).toEqual(['app://warden/settings.html']);
    // Esc in the popover: its page asks to close, and the popover hides (not destroyed).
    send('click');
    const hides = ofType('window-hide').length;
    send('invoke index.html window:close');
    await expect.poll(() => ofType('window-hide').length, { timeout: WAIT_MS }).toBeGreaterThan(hides);
    expect(ofType('window-close').length).toBe(1);
  }, WAIT_MS * 2);

  it('takes no global shortcut by default; the one the config names opens the popover', async () => {
    expect(ofType('shortcut-register')).toEqual([]);
    const configFile = path.join(home, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify({ ...config, app: { globalShortcut: 'CmdOrCtrl+Shift+M' } }));
    await expect.poll(() => ofType('shortcut-register').map((e) => e.accelerator), { timeout: WAIT_MS }).toEqual(['CmdOrCtrl+Shift+M']);
    // The popover is hidden (Esc, above); the shortcut brings it back.
    const shows = ofType('window-show').length;
    send('shortcut CmdOrCtrl+Shift+M');
    await expect.poll(() => ofType('window-show').length, { timeout: WAIT_MS }).toBeGreaterThan(shows);
  }, WAIT_MS * 2);

  it('turns the tray red when the model server dies, and shows one notification for it', async () => {
    process.kill(serverPid, 'SIGKILL');
    await waitForExit(serverPid);
    await expect.poll(() => trayFiles().at(-1), { timeout: WAIT_MS }).toBe(TRAY_ICON_FILES.red);
    expect(await stateLevel()).toBe('crit');
    await expect.poll(() => ofType('notification').filter((n) => /model/.test((n.options as { title: string }).title)).length, { timeout: WAIT_MS }).toBe(1);
    // A few more cycles: still one.
    await new Promise((r) => setTimeout(r, 3000));
    const shown = ofType('notification').filter((n) => /model/.test((n.options as { title: string }).title));
    expect(shown).toHaveLength(1);
    const note = shown[0]!.options as { body: string; urgency: string; groupId: string };
    expect(note.urgency).toBe('critical');
    expect(note.groupId).toMatch(/^incident-/);
    expect(note.body.length).toBeLessThanOrEqual(400);
  }, WAIT_MS * 3);

  it('exits cleanly on ⌘Q', async () => {
    send('key CmdOrCtrl+Q');
    expect(await exit).toBe(0);
    expect(ofType('exit').map((e) => e.code)).toEqual([0]);
    // The shortcut is given back on the way out.
    expect(ofType('shortcut-unregister').map((e) => e.accelerator)).toEqual(['CmdOrCtrl+Shift+M']);
    expect(output).not.toMatch(/failed to start|unexpected error|TypeError|at .*\.cjs:\d+/);
  }, WAIT_MS);
});
