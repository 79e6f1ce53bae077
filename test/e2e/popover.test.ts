/**
 * The popover in Debian's Chromium, served by the real `warden serve` over a scripted engine:
 * what the operator sees on a green day and on the afternoon of 2026-05-10.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { RENDERER_CSP } from '../../src/common/csp.js';
import type { State } from '../../src/common/state.js';
import { launchChromium, openPopover, POPOVER_WIDTH, reads, shoot, shootWindow, STATIC_DIR, text } from '../support/chromium.js';
import { FakeEngine } from '../support/fake-engine.js';
import { amberState, greenState, HOSTILE_NAME, hostileState, redState, RESTART_EMBED, staleState, UNLOAD_CODER } from '../support/states.js';

let browser: Browser;
const open: Array<{ server: RunningServer; page: Page }> = [];

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  for (const { server, page } of open.splice(0)) {
    await page.close();
    await server.close();
  }
});

afterAll(async () => {
  await browser?.close();
});

async function popover(state: State, opts: { hash?: (token: string) => string; dark?: boolean } = {}): Promise<{ page: Page; engine: FakeEngine; server: RunningServer; errors: string[] }> {
  const engine = new FakeEngine(state);
  const server = await startServer(engine, { port: 0, staticDir: STATIC_DIR });
  const base = server.url.slice(0, server.url.indexOf('#'));
  const opened = await openPopover(browser, opts.hash ? `${base}#${opts.hash(server.token)}` : server.url, opts.dark ? { dark: true } : {}).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  open.push({ server, page: opened.page });
  return { ...opened, engine, server };
}

/** Opens the sections an open incident keeps behind Details. */
async function openDetails(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Details/ }).click();
}

describe('popover in Chromium over warden serve', () => {
  it('green: one calm line, no alarms, no console errors', async () => {
    const { page, errors } = await popover(greenState());
    await reads(page.locator('.calm'), 'All normal: 37.6 GiB available, 2 services answering');
    expect(await page.locator('.headline').count()).toBe(0);
    expect(await page.locator('.incident').count()).toBe(0);
    expect(await page.locator('#section-memory').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'))).toBe(RENDERER_CSP);
    await shoot(page, 'green');
    await shootWindow(page, 'window-mac-green');
    await page.getByRole('button', { name: 'Details' }).click();
    await reads(page.locator('#section-memory'), 'Pressure normal');
    expect(errors).toEqual([]);
  });

  it('amber: the orphan badge, the lock held 3 d 2 h, the job that exited 5, the arrival', async () => {
    const { page, errors } = await popover(amberState());
    await expect.poll(() => text(page.locator('.bar-level'))).toBe('Amber');
    const cathedral = page.locator('[data-service="cathedral"]');
    await expect.poll(() => text(cathedral.locator('.badge'))).toBe('orphaned');
    await reads(cathedral, 'com.sanctum.mlx.plist.pre-disable-compile-20260507-030615');
    await cathedral.getByRole('button', { name: 'Re-adopt' }).waitFor({ state: 'visible' });
    await reads(page.locator('#section-locks'), 'held 3 d 2 h');
    await reads(page.locator('#section-locks'), 'PID 10832');
    await reads(page.locator('#section-locks'), 'message-to-duckdb.py');
    await reads(page.locator('#section-jobs'), 'last exit 5');
    await reads(page.locator('#section-jobs'), 'launchctl bootstrap could not find the plist');
    await reads(page.locator('#section-thieves'), 'arrived 28 min ago');
    await reads(page.locator('#section-thieves'), '13.4 GB footprint');
    await reads(page.locator('#section-thieves'), '+3.5 GB/h');
    await reads(page.locator('#section-unknowns'), 'launchctl print gui/501 gave no answer within 5 s');
    await shoot(page, 'amber');
    await shootWindow(page, 'window-mac-amber');
    expect(errors).toEqual([]);
  });

  it('red: the incident with its measured cause and thieves at the top', async () => {
    const { page, errors } = await popover(redState());
    await expect.poll(() => text(page.locator('.bar-level'))).toBe('Red');
    const incident = page.locator('.incident');
    await reads(incident, "cathedral's canary: no answer within 10 s");
    await reads(incident, '10.1 GiB of swap used, 820 MiB free of 64 GiB, pressure critical');
    await reads(incident, 'arrived 28 min before the first failure');
    // The glance: the sections wait behind Details, the longer lists behind "N more".
    expect(await page.locator('#section-memory').count()).toBe(0);
    await shootWindow(page, 'window-mac-red');
    for (const more of await incident.locator('.evidence-more > summary').all()) await more.click();
    await reads(incident, 'qemu-system-aarch64 at 368% CPU');
    // The differential: each usual suspect, in or ruled out, with its number.
    await reads(incident.locator('[data-candidate="log"]'), 'Server log');
    await reads(incident.locator('[data-candidate="log"]'), 'prefill 59.2 s, baseline 200 ms (296×)');
    await expect.poll(() => text(incident.locator('[data-candidate="thermal"] .candidate-verdict'))).toBe('ruled out');
    await expect.poll(() => text(incident.locator('[data-candidate="disk"]'))).toBe('Diskruled out62 % free');
    await expect.poll(() => text(incident.locator('[data-candidate="memory"] .candidate-verdict'))).toBe('in');
    await openDetails(page);
    await expect.poll(() => text(page.locator('#section-memory .badge'))).toBe('Pressure critical');
    await reads(page.locator('#section-memory'), '10.1 GiB of 11 GiB');
    await reads(page.locator('#section-memory'), '820 MiB');
    await reads(page.locator('#section-thieves'), '368% CPU');
    await reads(page.locator('#section-thieves'), '50.2 GB RSS');
    await reads(page.locator('[data-service="cathedral"]'), 'Canary: no answer within 10 s');
    // The footer says what machine this is, as a bug report needs it.
    await reads(page.locator('footer .host-identity'), 'Mac mini · Apple M4 Pro · 64 GiB');
    expect(await page.locator('footer .host-identity').getAttribute('title')).toBe('macOS 15.4 · Mac mini · Apple M4 Pro, 16 cores (12 P + 4 E) · 64 GiB');
    // The incident comes before the detail sections.
    const order = await page.evaluate(() => [...document.querySelectorAll('.incident, .section')].map((n) => n.className.split(' ')[0]));
    expect(order[0]).toBe('incident');
    await shoot(page, 'red');
    expect(errors).toEqual([]);
  });

  it("red: the Models section, and the incident's next step is the Unload button, confirmed before it runs", async () => {
    const { page, engine } = await popover(redState());
    await openDetails(page);
    const lm = page.locator('[data-server="lm-studio"]');
    await reads(lm, 'LM Studio');
    await reads(lm, '13.8 GB footprint');
    await reads(lm.locator('[data-model="qwen2.5-coder-14b"]'), '12.1 GB file · loaded 37 min ago');
    // The State was built a moment before the page read the clock: 30 s, or a little more on a busy machine.
    await reads(page.locator('[data-model="llama3.2:3b"]'), /2\.0 GB at load · loaded 3\d s ago · unloads in 4 min/);
    // Ollama's model offers no Unload in this State; only the offered one has a button.
    expect(await page.locator('[data-server="ollama"]').getByRole('button', { name: 'Unload' }).count()).toBe(0);
    const incident = page.locator('.incident');
    await reads(incident, 'Free memory: unload qwen2.5-coder-14b from LM Studio');
    await incident.getByRole('button', { name: 'Unload' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    await expect.poll(() => text(dialog.locator('.confirm-text'))).toBe(UNLOAD_CODER.confirm);
    expect(engine.mutations()).toEqual([]);
    await shoot(page, 'red-unload-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => engine.mutations()).toEqual([{ method: 'runAction', actionId: UNLOAD_CODER.id }]);
  });

  it('red in dark mode', async () => {
    const { page } = await popover(redState(), { dark: true });
    await page.locator('.incident').waitFor({ state: 'visible' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(244, 244, 246)');
    await shoot(page, 'red-dark');
  });

  it('stale: a grey banner that says how old the last sample is', async () => {
    const { page } = await popover(staleState());
    await reads(page.locator('.banner-stale'), /Last sample 4\d s ago/);
    await expect.poll(() => page.locator('.bar').getAttribute('class')).toMatch(/level-unknown/);
  });

  it('a hostile process name renders as text: no element injected, nothing run, cut with the full text in a tooltip', async () => {
    const { page, errors } = await popover(hostileState());
    const name = page.locator('#section-thieves .name').first();
    const text = await name.textContent();
    expect(text).toMatch(/^<img src=x onerror=/);
    expect(text!.length).toBeLessThanOrEqual(36);
    const full = (await name.getAttribute('title'))!;
    expect(full).toBe('<img src=x onerror="window.__pwned=1">redgnp.exe');
    expect(await page.locator('#app img, #app script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const story = page.locator('#section-thieves .story').first();
    expect((await story.textContent())!.length).toBeLessThanOrEqual(90);
    expect((await story.getAttribute('title'))!.length).toBeGreaterThan(1000);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    expect(HOSTILE_NAME).toContain('<img');
    expect(errors).toEqual([]);
  });

  it('Restart asks first, showing exactly what will happen, then runs the offered action', async () => {
    const { page, engine } = await popover(amberState());
    await page.locator('[data-service="embeddings"]').getByRole('button', { name: 'Restart' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ state: 'visible' });
    await expect.poll(() => text(dialog.locator('.confirm-text'))).toBe(RESTART_EMBED.confirm);
    await expect.poll(() => dialog.getByRole('button', { name: 'Cancel' }).evaluate((node) => node === document.activeElement)).toBe(true);
    expect(engine.mutations()).toEqual([]);
    await shoot(page, 'amber-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await reads(dialog, 'Restart: done');
    await reads(dialog, 'Downtime 27 s');
    expect(engine.mutations()).toEqual([{ method: 'runAction', actionId: RESTART_EMBED.id }]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('Escape cancels the confirmation and nothing runs', async () => {
    const { page, engine } = await popover(amberState());
    await page.locator('#section-locks').getByRole('button', { name: 'Release' }).click();
    await page.getByRole('dialog').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(engine.mutations()).toEqual([]);
  });

  it('a State pushed over SSE re-renders the popover', async () => {
    const { page, engine } = await popover(greenState());
    await page.locator('.calm').waitFor({ state: 'visible' });
    await expect.poll(() => engine.subscriberCount()).toBe(1);
    engine.push(redState());
    await reads(page.locator('.incident'), "cathedral's canary");
    await expect.poll(() => page.locator('.calm').count()).toBe(0);
  });

  it('snooze from the menu reaches the engine with the token', async () => {
    const { page, engine } = await popover(redState());
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: 'For 1 hour' }).click();
    await expect.poll(() => engine.mutations()).toEqual([{ method: 'snooze', target: { scope: 'all' }, duration: '1h' }]);
  });

  it("a notification's button opens the action's confirm step; nothing runs until Confirm", async () => {
    const { page, engine } = await popover(redState(), { hash: (token) => `token=${token}&confirm=${encodeURIComponent(UNLOAD_CODER.id)}` });
    const dialog = page.locator('dialog.confirm');
    await expect.poll(() => dialog.evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
    await reads(page.locator('#confirm-title'), /^Unload/);
    expect(engine.calls.filter((c) => c.method === 'runAction')).toEqual([]);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => engine.calls.filter((c) => c.method === 'runAction')).toEqual([{ method: 'runAction', actionId: UNLOAD_CODER.id }]);
  });

  it('a bad token is refused and the page says so', async () => {
    const { page, engine } = await popover(redState(), { hash: () => 'token=wrongwrongwrongwrongwrong' });
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: 'For 1 hour' }).click();
    await reads(page.locator('.banner-crit'), 'missing or wrong X-Warden-Token');
    expect(engine.mutations()).toEqual([]);
  });

  it('green: the last hour of available memory beside the calm line, inside 360 px and three lines', async () => {
    const now = Date.now();
    const state = greenState(now);
    const engine = new FakeEngine(state);
    const total = state.memory!.totalBytes;
    // One point a minute for the hour before: available memory falling from 60 % to 40 % of the total.
    engine.history = Array.from({ length: 60 }, (_, i) => ({ at: now - (61 - i) * 60_000, availableBytes: Math.round(total * (0.6 - (0.2 * i) / 59)), swapUsedBytes: 0, totalBytes: total }));
    const server = await startServer(engine, { port: 0, staticDir: STATIC_DIR });
    const { page, errors } = await openPopover(browser, server.url);
    open.push({ server, page });
    const chart = page.locator('.calm svg.spark-calm');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toBe('Available memory, last hour');
    const points = (await chart.locator('.spark-line').getAttribute('points'))!.split(' ');
    expect(points.length).toBeGreaterThanOrEqual(58);
    // Falling: the newest point sits lower (a larger y) than the oldest.
    expect(Number(points.at(-1)!.split(',')[1])).toBeGreaterThan(Number(points[0]!.split(',')[1]));
    const calm = (await page.locator('.calm').boundingBox())!;
    const box = (await chart.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(calm.x);
    expect(box.x + box.width).toBeLessThanOrEqual(Math.min(calm.x + calm.width, POPOVER_WIDTH));
    const lines = await page.locator('.calm').evaluate((node) => {
      const style = getComputedStyle(node);
      const content = node.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
      return Math.round(content / (parseFloat(getComputedStyle(node.querySelector('.calm-text')!).lineHeight) || 18));
    });
    expect(lines).toBeLessThanOrEqual(3);
    const overflow = await page.evaluate(() => [...document.querySelectorAll('#app *')].filter((n) => n.scrollWidth > n.clientWidth + 1 && n.clientWidth > 0 && getComputedStyle(n).textOverflow !== 'ellipsis').map((n) => n.className));
    expect(overflow).toEqual([]);
    expect(errors).toEqual([]);
    await shoot(page, 'green-sparkline');
  });

  it('settings: its own page, opened from the popover; problems from the engine appear next to their fields', async () => {
    const { page, engine } = await popover(greenState());
    engine.configAnswer = { ok: false, problems: [{ field: 'services.0.url', message: 'must be an http:// or https:// URL' }, { field: 'intervalSeconds', message: 'must be >= 1' }] };
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect.poll(() => text(page.locator('.settings-bar h1'))).toBe('Settings');
    expect(new URL(page.url()).pathname).toBe('/settings');
    expect(await page.locator('.bar').count()).toBe(0);
    await page.locator('#f-intervalSeconds').fill('7');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text(page.locator('[data-field="services.0.url"] .problem'))).toBe('must be an http:// or https:// URL');
    await expect.poll(() => text(page.locator('[data-field="intervalSeconds"] .problem'))).toBe('must be >= 1');
    await expect.poll(() => page.locator('#f-intervalSeconds').getAttribute('aria-invalid')).toBe('true');
    const saved = engine.mutations().find((c) => c.method === 'setConfig');
    expect(saved && 'config' in saved ? saved.config.intervalSeconds : null).toBe(7);
    await page.getByRole('button', { name: 'Test probe' }).click();
    await reads(page.locator('.probe-result'), 'Answered: 200 in 41 ms');
    await shoot(page, 'settings');
    // Esc closes it: the settings page goes back to the popover, which still holds the token.
    await page.locator('#f-intervalSeconds').press('Escape');
    await page.locator('.bar').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // An open menu takes Esc first: it closes, the page stays.
    await page.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: 'For 1 hour' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('menu').isHidden()).toBe(true);
    expect(await page.locator('.bar').count()).toBe(1);
  });
});
