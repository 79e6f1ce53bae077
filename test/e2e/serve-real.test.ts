/**
 * The popover in Debian's Chromium over `warden serve` running the REAL engine on this Linux
 * host: a real model server under the command supervisor, a real SQLite lock held by a child,
 * real probes. A Restart click really restarts the server; the page follows over SSE; a wrong
 * token is refused. Screenshots of the green, amber and red popovers go to test-results/.
 * The 2026-05-10 incident's red popover comes from the committed capture, replayed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { formatBytes } from '../../src/common/format.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import type { State } from '../../src/common/state.js';
import { createEngine, createReplayEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { LOCK_READ_EVERY_SECONDS } from '../../src/engine/locks.js';
import { parseCapture } from '../../src/platform/capture.js';
import { launchChromium, openPopover, POPOVER_WIDTH, reads, ROOT, shoot, shootWindow, STATIC_DIR, text } from '../support/chromium.js';
import { POPOVER_MAX_HEIGHT } from '../../src/main/popover.js';
import { timeWithZone } from '../../src/common/zoned-time.js';
import { freePort, isAlive, killAndWait, modelServerArgv, startModelServer, waitForExit } from '../support/model-server.js';

const SERVICE = 'model-server';
/** The real engine samples every second; a state change reaches the page within a few. */
const ENGINE_WAIT_MS = 20_000;
/** Watched files are read less often than the rest; a new holder shows at the next read. */
const LOCK_WAIT_MS = LOCK_READ_EVERY_SECONDS * 1000 + ENGINE_WAIT_MS;
const WRONG_TOKEN = 'wrongwrongwrongwrongwrong';
const HOUR_MS = 3_600_000;
/** The pages whose pictures go into the README (scripts/update-screenshots.mjs): sharp enough, under 150 KB each. */
const README_SCALE = 1.4;

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.runIf(process.platform === 'linux')('warden serve on the real engine, in Chromium', () => {
  let home: string;
  let port: number;
  let pidfile: string;
  let db: string;
  let engine: Engine;
  let server: RunningServer;
  let page: Page;
  let errors: string[];
  let holder: ChildProcess | null = null;
  /** Every model server pid seen, so afterAll leaves none behind whatever failed. */
  const pids = new Set<number>();
  const engineLog: string[] = [];

  const serverPid = () => {
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    pids.add(pid);
    return pid;
  };
  const origin = () => new URL(server.url).origin;
  const serviceRow = (p: Page = page) => p.locator(`[data-service="${SERVICE}"]`);

  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'warden-serve-e2e-'));
    port = await freePort();
    pidfile = path.join(home, 'model-server.pid');
    db = path.join(home, 'workspace.sqlite');
    const setup = new Database(db);
    setup.exec('create table if not exists messages(id integer primary key, body text)');
    setup.close();
    pids.add((await startModelServer({ port, pidfile })).pid);
    const config: WardenConfigInput = {
      intervalSeconds: 1,
      discovery: false,
      services: [
        {
          name: SERVICE,
          url: `http://127.0.0.1:${port}/v1/models`,
          expect: { jsonField: 'data' },
          timeoutSeconds: 2,
          intervalSeconds: 1,
          supervisor: { kind: 'command', start: modelServerArgv(port, ['--pidfile', pidfile]), pidfile, port },
        },
      ],
      // 3 s, so a child holding it turns the page amber within the test.
      watchedFiles: [{ path: db, maxHeldMinutes: 0.05 }],
    };
    const configPath = path.join(home, 'config.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    engine = await createEngine({ configPath, dataDir: path.join(home, 'data'), log: (line) => engineLog.push(line) });
    server = await startServer(engine, { port: 0, staticDir: STATIC_DIR });
    engine.start();
    ({ page, errors } = await openPopover(browser, server.url, { scale: README_SCALE }));
  }, 60_000);

  afterAll(async () => {
    await page?.close();
    await server?.close();
    await engine?.stop();
    if (holder) await killAndWait(holder.pid!);
    try {
      serverPid();
    } catch {
      // no pidfile: the server never started
    }
    for (const pid of pids) await killAndWait(pid);
    rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it('renders the real state: one calm line, then host memory and the service running with its latency', async () => {
    const firstPid = serverPid();
    await expect.poll(() => level(page), { timeout: ENGINE_WAIT_MS }).toBe('Green');
    await reads(page.locator('.calm'), '1 of 1 services up', ENGINE_WAIT_MS);
    // The token was read from the address and taken out of it (the Restart below still works).
    expect(await page.evaluate(() => location.href)).toBe(`${origin()}/`);
    await shootWindow(page, 'window-green');

    await page.getByRole('button', { name: 'Details' }).click();
    await reads(page.locator('#section-memory .gauge-caption'), `in use of ${formatBytes(os.totalmem())}`);
    await reads(page.locator('#section-memory dl'), /Available\s*[\d.]+ [KMG]iB/);
    const row = serviceRow();
    await expect.poll(() => text(row.locator('.badge'))).toBe('running');
    await reads(row, `Warden's command for ${SERVICE} runs PID ${firstPid}`);
    await reads(row.locator('.row-value'), /^\d+ ms · 100% (1|24) h$/, ENGINE_WAIT_MS);
    await reads(row, /Health: 200 in \d+ ms/);
    await reads(page.locator('#section-locks'), 'workspace.sqlite');
    // Two samples: the swap rates and the sparklines are drawn.
    await page.locator('#section-memory .history svg').first().waitFor({ timeout: ENGINE_WAIT_MS });
    await reads(page.locator('#section-memory dl'), /Swap out\s*[\d.]+ [KMG]?i?B\/s/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(POPOVER_WIDTH);
    await shoot(page, 'real-green-details');
    expect(errors).toEqual([]);
  }, 60_000);

  it('Mute 1 h on the service row mutes that service in the engine, the row says until when, and Unmute lifts it', async () => {
    const snoozedUntil = async () => {
      const res = await fetch(`${origin()}/api/state`);
      expect(res.status).toBe(200);
      const state = (await res.json()) as State;
      return state.services.find((s) => s.name === SERVICE)?.snoozedUntil;
    };
    expect(await snoozedUntil()).toBeNull();
    // Shown by the test before; run alone, the calm page needs its Details opened.
    const details = page.getByRole('button', { name: 'Details', exact: true });
    if ((await details.count()) > 0) await details.click();
    const mute = serviceRow().getByRole('button', { name: 'Mute 1 h' });
    expect(await mute.getAttribute('title')).toBe(`No notifications about ${SERVICE} for an hour; its colour still shows`);
    const clickedAt = Date.now();
    await mute.click();
    await reads(serviceRow(), 'muted until');
    const until = await snoozedUntil();
    expect(until).toBeGreaterThanOrEqual(clickedAt + HOUR_MS);
    expect(until).toBeLessThanOrEqual(Date.now() + HOUR_MS);
    // Only this service: the header's snooze of everything is untouched.
    expect(engine.currentState().snoozedUntil).toBeNull();
    // The page writes times as every face does: 24-hour local clock with the zone.
    const clock = timeWithZone(until!);
    await reads(serviceRow(), `Notifications muted until ${clock}`);
    // Focus stays on the control as Mute becomes Unmute, through every re-render.
    const unmute = serviceRow().getByRole('button', { name: 'Unmute' });
    await expect.poll(() => unmute.evaluate((node) => node === document.activeElement)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(POPOVER_WIDTH);
    await shoot(page, 'real-service-muted');

    await page.keyboard.press('Enter');
    await serviceRow().getByRole('button', { name: 'Mute 1 h' }).waitFor();
    expect(await text(serviceRow())).not.toContain('muted until');
    expect(await snoozedUntil()).toBeNull();
    expect(errors).toEqual([]);
  }, 30_000);

  it('Restart asks with the offer’s exact text, really restarts the server, and the page follows over SSE', async () => {
    const before = serverPid();
    // Survives only if the page is never reloaded: the update must come over SSE.
    await page.evaluate(() => {
      (window as unknown as { sameDocument?: boolean }).sameDocument = true;
    });
    const offer = engine.currentState().services[0]?.actions.find((a) => a.kind === 'restart');
    expect(offer?.confirm).toMatch(new RegExp(`^Stop PID ${before} \\(node\\) with SIGTERM after checking it is still the same process; start .*model-server\\.mjs --port ${port} --pidfile .*, then wait up to \\d+ s for http://127\\.0\\.0\\.1:${port}/v1/models to answer\\.$`));

    await serviceRow().getByRole('button', { name: 'Restart' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => text(dialog.locator('.confirm-text'))).toBe(offer!.confirm);
    expect(serverPid()).toBe(before);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await reads(dialog.locator('#confirm-title'), 'Restart: done', 60_000);
    await reads(dialog, `${SERVICE} answers again (200 in`);
    await reads(dialog, `sent SIGTERM to PID ${before} (node)`);

    await waitForExit(before);
    const after = serverPid();
    expect(after).not.toBe(before);
    expect(isAlive(after)).toBe(true);
    await reads(dialog, `as PID ${after}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    await dialog.getByRole('button', { name: 'Close' }).click();
    await reads(serviceRow(), `runs PID ${after}`, ENGINE_WAIT_MS);
    await expect.poll(() => text(serviceRow().locator('.badge'))).toBe('running');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a wrong or missing token is refused with 403, from a script and from the page; nothing restarts', async () => {
    const before = serverPid();
    const attempt = (token: string | null) =>
      fetch(`${origin()}/api/action`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin(), ...(token === null ? {} : { 'X-Warden-Token': token }) },
        body: JSON.stringify({ actionId: `restart:${SERVICE}` }),
      });
    for (const token of [WRONG_TOKEN, null, `${server.token}x`]) {
      const res = await attempt(token);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'missing or wrong X-Warden-Token' });
    }

    const base = server.url.slice(0, server.url.indexOf('#'));
    const wrong = await openPopover(browser, `${base}#token=${WRONG_TOKEN}`);
    try {
      await reads(wrong.page.locator('.bar-level'), /Green|Amber|Red/, ENGINE_WAIT_MS);
      if ((await wrong.page.getByRole('button', { name: 'Details' }).count()) > 0) await wrong.page.getByRole('button', { name: 'Details' }).click();
      await serviceRow(wrong.page).getByRole('button', { name: 'Restart' }).click();
      const dialog = wrong.page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await reads(dialog.locator('#confirm-title'), 'Restart: not done', ENGINE_WAIT_MS);
      await reads(dialog, 'missing or wrong X-Warden-Token');
    } finally {
      await wrong.page.close();
    }
    expect(serverPid()).toBe(before);
    expect(isAlive(before)).toBe(true);
  }, 60_000);

  it('amber: a child holds a real SQLite write lock past its 3 s limit', async () => {
    // An ingest job that took the write lock and hung, as in the incident (a DuckDB writer there).
    const script = path.join(home, 'message-ingest.cjs');
    writeFileSync(
      script,
      [
        `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});`,
        'const db = new Database(process.argv[2]);',
        "db.exec('BEGIN EXCLUSIVE');",
        "db.exec(\"insert into messages(body) values('x')\");",
        "process.stdout.write('held\\n');",
        'setInterval(() => {}, 1e6);',
        '',
      ].join('\n'),
    );
    holder = spawn(process.execPath, [script, db], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.once('data', () => resolve());
      holder!.once('exit', (code) => reject(new Error(`the lock holder exited ${code} before taking the lock`)));
    });
    await expect.poll(() => level(page), { timeout: LOCK_WAIT_MS }).toBe('Amber');
    const locks = page.locator('#section-locks');
    await reads(locks, `PID ${holder.pid}`);
    await reads(locks, /held \d+ s/);
    // A warning first listed as a finding becomes an amber incident a cycle or two later; wait for that.
    const incident = page.locator('.incident.level-warn');
    await reads(incident.locator('.incident-title'), new RegExp(`^workspace\\.sqlite: locked \\d+ s by PID ${holder.pid} \\(node\\)$`), ENGINE_WAIT_MS);
    await reads(incident, 'limit 3 s');
    await reads(incident, `held by PID ${holder.pid} node ${script}`);
    // A number keeps its unit on its line.
    await expect.poll(() => incident.locator('.nowrap').allTextContents()).toContain('3 s');
    // Its age in seconds, not "1 ms": the picture reads as a state, not a flicker.
    await reads(incident.locator('.incident-since'), /· \d+ s$/, ENGINE_WAIT_MS);
    await saidOnce(page);
    await locks.getByRole('button', { name: 'Release' }).waitFor({ state: 'visible' });
    await expect.poll(() => text(serviceRow().locator('.badge'))).toBe('running');
    await shoot(page, 'real-amber');
    await shootWindow(page, 'window-amber');

    await locks.getByRole('button', { name: 'Release' }).click();
    const dialog = page.getByRole('dialog');
    await reads(dialog.locator('.confirm-text'), `PID ${holder.pid}`);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await reads(dialog.locator('#confirm-title'), 'Release: done', ENGINE_WAIT_MS);
    await waitForExit(holder.pid!);
    holder = null;
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => level(page), { timeout: ENGINE_WAIT_MS }).toBe('Green');
    await shoot(page, 'real-released');
    expect(errors).toEqual([]);
  }, 60_000);

  it('red: the server answers 500, the service fails 3 of 5 probes, and the page turns red over SSE', async () => {
    const mode = (m: string) => fetch(`http://127.0.0.1:${port}/__mode`, { method: 'POST', body: JSON.stringify({ mode: m }) });
    expect((await mode('500')).status).toBe(200);
    try {
      await expect.poll(() => level(page), { timeout: ENGINE_WAIT_MS }).toBe('Red');
      await reads(serviceRow(), /Health: 500 in \d+ ms · \d of last \d failed/);
      const incident = page.locator('.incident', { hasText: SERVICE });
      await reads(incident, SERVICE, ENGINE_WAIT_MS);
      await reads(incident, '500');
      await saidOnce(page);
      await shoot(page, 'real-red');
    } finally {
      await mode('ok');
    }
    expect(errors).toEqual([]);
    // Every cycle of the real engine completed, through restart, release and failure.
    expect(engineLog).toEqual([]);
  }, 60_000);
});

describe('the 2026-05-10 incident, replayed from its capture and served', () => {
  let server: RunningServer | null = null;

  afterAll(async () => {
    await server?.close();
  });

  it('the red popover: the canary down, the measured cause and the thieves at the top', async () => {
    const file = path.join(ROOT, 'test/fixtures/captures/incident-2026-05-10.json');
    const replay = createReplayEngine(parseCapture(readFileSync(file, 'utf8'), file));
    const state = await replay.runAll();
    expect(state.level).toBe('crit');
    server = await startServer(replay.engine, { port: 0, staticDir: STATIC_DIR });
    for (const dark of [false, true]) {
      const { page, errors } = await openPopover(browser, server.url, dark ? { dark } : { scale: README_SCALE });
      try {
        await expect.poll(() => level(page)).toBe('Red');
        await reads(page.locator('.banner-info'), 'Replay of a capture');
        const incident = page.locator('.incident');
        await reads(incident.locator('.incident-title'), 'cathedral: canary not answering within 10 s; 4 of the last 5 failed');
        await reads(incident, 'LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure, in LM Studio worker (LM Studio Helper, PID 7781)');
        // The next step is the Unload button (a replay refuses to run it), and the Models section shows the model.
        expect(await incident.getByRole('button', { name: 'Unload' }).count()).toBe(1);
        // The incident is the glance, in the window without scrolling; the sections open behind Details.
        expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(POPOVER_MAX_HEIGHT);
        if (!dark) await shootWindow(page, 'window-incident-red');
        await page.getByRole('button', { name: /^Details/ }).click();
        await reads(page.locator('[data-model="qwen2.5-coder-14b"]'), '12.1 GB file');
        expect(state.headline).toBe('cathedral: canary not answering within 10 s; 4 of the last 5 failed');
        await saidOnce(page);
        expect(await page.locator('.foot').textContent()).not.toContain('no history');
        await reads(incident, 'qemu-system-aarch64');
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(POPOVER_WIDTH);
        await shoot(page, dark ? 'incident-red-dark' : 'incident-red');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }, 60_000);
});

function level(page: Page): Promise<string> {
  return text(page.locator('.bar-level'));
}

/**
 * The headline is not printed again above an incident or finding that says the same words.
 * Read in one go: a live title ("locked 10 s") changes with every sample.
 */
async function saidOnce(page: Page): Promise<void> {
  const { headline, titles } = await page.evaluate(() => ({
    headline: document.querySelector('.headline')?.textContent ?? null,
    titles: [...document.querySelectorAll('.incident-title, .finding-title')].map((node) => node.textContent),
  }));
  expect(titles.length).toBeGreaterThan(0);
  expect(titles).not.toContain(headline);
}
