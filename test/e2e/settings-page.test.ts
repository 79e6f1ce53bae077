/**
 * The settings page of `warden serve` in Chromium, on the real engine reading a real config
 * file: the values in force are shown (the file's, and the defaults marked as such) with their
 * units and limits; a value outside the schema's limits is said beside its field as it is typed
 * and nothing is written; a valid save changes the file, and only the field that was changed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { createEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { launchChromium, shoot, STATIC_DIR, text } from '../support/chromium.js';

let browser: Browser;
let home: string;
let configPath: string;
let engine: Engine;
let server: RunningServer;
let page: Page;
const errors: string[] = [];

const readConfig = () => JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;

beforeAll(async () => {
  browser = await launchChromium();
  home = mkdtempSync(path.join(os.tmpdir(), 'warden-settings-e2e-'));
  configPath = path.join(home, 'config.json');
  writeFileSync(configPath, JSON.stringify({ intervalSeconds: 2, discovery: false, notifications: { onWarn: true } }, null, 2));
  engine = await createEngine({ configPath, dataDir: path.join(home, 'data'), log: () => undefined });
  server = await startServer(engine, { port: 0, staticDir: STATIC_DIR });
  page = await browser.newPage({ viewport: { width: 520, height: 640 } });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const url = new URL(server.url);
  await page.goto(`${url.origin}/settings${url.hash}`);
  await page.locator('.settings-bar h1').waitFor();
}, 120_000);

afterAll(async () => {
  await page?.close();
  await server?.close();
  await engine?.stop();
  await browser?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('the settings page over warden serve, on the real engine', () => {
  it('shows the values in force with units and limits: the file\'s, and the defaults marked', async () => {
    // The token left the address bar; the page still holds it.
    expect(new URL(page.url()).hash).toBe('');
    const interval = page.locator('#f-intervalSeconds');
    expect(await interval.inputValue()).toBe('2');
    expect(await interval.getAttribute('class')).not.toContain('is-default');
    expect(await text(page.locator('[data-field="intervalSeconds"] .unit'))).toBe('s · 1–3600');
    const top = page.locator('#f-thresholds-topByMemory');
    expect(await top.inputValue()).toBe('5');
    expect(await top.getAttribute('class')).toContain('is-default');
    expect(await page.locator('#f-thresholds-availableCritPercent').inputValue()).toBe('5');
    expect(await page.locator('#f-thresholds-arrivalMinBytes').inputValue()).toBe('2');
    expect(await text(page.locator('[data-field="thresholds.arrivalMinBytes"] .unit'))).toBe('GiB · ≥ 0');
    expect(await page.locator('#f-app-globalShortcut').inputValue()).toBe('');
    expect(await text(page.locator('[data-field="notifications.reminderHours"] .unit'))).toBe('h · 4–720');
    expect(await page.locator('#f-notifications-reminderHours').inputValue()).toBe('');
    expect(await page.locator('#f-notifications-onWarn').isChecked()).toBe(true);
    expect(await page.locator('#f-discovery').isChecked()).toBe(false);
    expect(await page.locator('#f-notifications-recovery').isChecked()).toBe(true);
    expect(await page.locator('#f-launchAtLogin').isChecked()).toBe(false);
    await shoot(page, 'settings-page');
  });

  it('says an invalid value beside its field as it is typed, and saves nothing', async () => {
    const before = readFileSync(configPath, 'utf8');
    await page.locator('#f-intervalSeconds').fill('0');
    await expect.poll(() => text(page.locator('[data-field="intervalSeconds"] .problem'))).toBe('must be 1 to 3600 s');
    expect(await page.locator('#f-intervalSeconds').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-thresholds-topByMemory').fill('2.5');
    await expect.poll(() => text(page.locator('[data-field="thresholds.topByMemory"] .problem'))).toBe('');
    await page.locator('#f-notifications-reminderHours').fill('1');
    await expect.poll(() => text(page.locator('[data-field="notifications.reminderHours"] .problem'))).toBe('must be 4 to 720 h');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text(page.locator('.settings-status'))).toBe('Not saved: 2 problems.');
    expect(readFileSync(configPath, 'utf8')).toBe(before);
  });

  it('a valid save changes the config file, only in the fields changed', async () => {
    await page.locator('#f-intervalSeconds').fill('10');
    await page.locator('#f-notifications-reminderHours').fill('');
    await page.locator('#f-thresholds-topByMemory').fill('8');
    expect(await page.locator('[data-field="intervalSeconds"] .problem').isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => text(page.locator('.settings-status'))).toBe('Saved.');
    const saved = readConfig();
    expect(saved.intervalSeconds).toBe(10);
    expect(saved.thresholds).toEqual({ topByMemory: 8 });
    expect(saved.notifications).toEqual({ onWarn: true });
    expect(saved.discovery).toBe(false);
    expect((await engine.getConfig()).intervalSeconds).toBe(10);
  });

  it('Done goes back to the popover, still holding the token', async () => {
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('.bar').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(errors).toEqual([]);
  });
});
