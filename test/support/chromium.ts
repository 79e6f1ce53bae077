/**
 * Debian's Chromium driven by playwright-core, for the popover end-to-end tests: one launch,
 * a 360 px wide page per popover, and the helpers that wait for what the operator must read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { POPOVER_MAX_HEIGHT, POPOVER_MIN_HEIGHT, POPOVER_WIDTH } from '../../src/main/popover.js';

export { POPOVER_WIDTH };

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const STATIC_DIR = path.join(ROOT, 'dist/renderer');
/** Git-ignored; scripts/update-screenshots.mjs copies the chosen ones into docs/screenshots/. */
export const SHOTS_DIR = path.join(ROOT, 'test-results/screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Builds dist/renderer when it is missing, makes the screenshot folder, starts Chromium. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(path.join(STATIC_DIR, 'renderer.js'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(SHOTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PopoverPage {
  page: Page;
  /** Uncaught exceptions and console errors, so a test can require none. */
  errors: string[];
}

/**
 * A new page the popover's size, opened at `url`, once the header has rendered. `scale` is the
 * device pixel ratio: 2 as on a Retina Mac; the pages whose pictures go into the README use less
 * so each stays under 150 KB.
 */
export async function openPopover(browser: Browser, url: string, opts: { dark?: boolean; scale?: number } = {}): Promise<PopoverPage> {
  const page = await browser.newPage({ viewport: { width: POPOVER_WIDTH, height: 640 }, deviceScaleFactor: opts.scale ?? 2, colorScheme: opts.dark ? 'dark' : 'light' });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(url);
  await page.locator('.bar').waitFor();
  return { page, errors };
}

export const text = async (locator: Locator): Promise<string> => (await locator.first().textContent()) ?? '';

/** Waits until the locator's text contains (or matches) what the operator must read. */
export async function reads(locator: Locator, expected: string | RegExp, timeout?: number): Promise<void> {
  await locator.first().waitFor(timeout === undefined ? {} : { timeout });
  const poll = () => expect.poll(() => text(locator), timeout === undefined ? {} : { timeout });
  if (typeof expected === 'string') await poll().toContain(expected);
  else await poll().toMatch(expected);
}

/** The whole page, not just the viewport: a popover scrolls. Returns the file's path. */
export async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * What the popover window shows: its width, and its content's height within the window's
 * limits (src/main/popover.ts), so a calm popover is one line tall and a long one is cut where
 * the window starts to scroll. Returns the file's path.
 */
export async function shootWindow(page: Page, name: string): Promise<string> {
  const file = path.join(SHOTS_DIR, `${name}.png`);
  const content = await page.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  const height = Math.min(Math.max(content, POPOVER_MIN_HEIGHT), POPOVER_MAX_HEIGHT);
  const before = page.viewportSize();
  await page.setViewportSize({ width: POPOVER_WIDTH, height });
  try {
    await page.screenshot({ path: file });
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return file;
}
