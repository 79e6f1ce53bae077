/**
 * The popover as a glance, at 360 px in Chromium, light and dark, on the replayed 2026-05-10
 * incident served by the real server: the whole incident fits the window (720 px) with the
 * symptom, its cause and the one action in view, no text runs out of its box; green says its
 * numbers in at most three lines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import { createReplayEngine } from '../../src/engine/create.js';
import { parseCapture } from '../../src/platform/capture.js';
import { POPOVER_MAX_HEIGHT, POPOVER_WIDTH } from '../../src/main/popover.js';
import { launchChromium, ROOT, STATIC_DIR } from '../support/chromium.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

async function served(capture: string): Promise<RunningServer> {
  const file = path.join(ROOT, 'test/fixtures/captures', capture);
  const replay = createReplayEngine(parseCapture(readFileSync(file, 'utf8'), file));
  await replay.runAll();
  return startServer(replay.engine, { port: 0, staticDir: STATIC_DIR });
}

/** A page shorter than any popover, so scrollHeight is the content's own height. */
async function page360(url: string, dark: boolean): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: POPOVER_WIDTH, height: 300 }, colorScheme: dark ? 'dark' : 'light' });
  await page.goto(url);
  await page.locator('.bar-level').waitFor();
  return page;
}

/** Elements whose content runs out of their box (scroll containers and ellipsis cuts aside), with what they hold. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#app *')]
      .filter((node) => {
        const style = getComputedStyle(node);
        if (style.display === 'none' || ['auto', 'scroll'].includes(style.overflowX)) return false;
        // Cut on purpose, with an ellipsis the reader sees.
        if (style.overflowX === 'hidden' && style.textOverflow === 'ellipsis') return false;
        return node.scrollWidth > node.clientWidth + 1 && node.clientWidth > 0;
      })
      .map((node) => `${node.tagName}.${node.className}: ${(node.textContent ?? '').slice(0, 60)}`),
  );
}

describe('the popover at a glance, 360 px', () => {
  for (const dark of [false, true]) {
    it(`red (${dark ? 'dark' : 'light'}): the incident fits 720 px, symptom, cause and action in view, nothing overflows`, async () => {
      const server = await served('incident-2026-05-10.json');
      const page = await page360(server.url, dark);
      try {
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        expect(height).toBeLessThanOrEqual(POPOVER_MAX_HEIGHT);
        await page.setViewportSize({ width: POPOVER_WIDTH, height: POPOVER_MAX_HEIGHT });
        const incident = page.locator('.incident').first();
        const inView = async (locator: ReturnType<Page['locator']>) => {
          const box = (await locator.boundingBox())!;
          return box.y >= 0 && box.y + box.height <= POPOVER_MAX_HEIGHT && box.x >= 0 && box.x + box.width <= POPOVER_WIDTH;
        };
        const title = incident.locator('.incident-title');
        expect(await title.textContent()).toBe('cathedral: canary not answering within 10 s; 4 of the last 5 failed');
        expect(await inView(title)).toBe(true);
        const cause = incident.locator('dd').first();
        expect(await cause.textContent()).toContain('memory pressure: swap 10.1 GiB used');
        expect(await inView(cause)).toBe(true);
        const unload = incident.getByRole('button', { name: 'Unload' });
        expect(await inView(unload)).toBe(true);
        // The straw is in the first lines, not behind the disclosure.
        expect(await incident.innerText()).toContain('LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure');
        expect(await overflowing(page)).toEqual([]);
        // Each figure once: the card does not restate the symptom in other words.
        expect(await incident.locator('dt').allTextContents()).not.toContain('Symptom');
        // Controls look like controls: a visible edge or fill, and a focus ring from the keyboard.
        const details = page.getByRole('button', { name: /^Details/ });
        await details.focus();
        await page.keyboard.press('Tab');
        await page.keyboard.press('Shift+Tab');
        expect(await details.evaluate((node) => getComputedStyle(node).outlineStyle)).not.toBe('none');
        await details.press('Enter');
        await page.locator('#section-memory').waitFor();
        expect(await overflowing(page)).toEqual([]);
        const mute = page.getByRole('button', { name: 'Mute 1 h' }).first();
        expect(await mute.evaluate((node) => getComputedStyle(node).boxShadow)).not.toBe('none');
      } finally {
        await page.close();
        await server.close();
      }
    }, 120_000);
  }

  it('green: pressure, available, swap, services up n/n and models loaded, in three lines at most', async () => {
    const server = await served('healthy-2026-05-10.json');
    const page = await page360(server.url, false);
    try {
      const calm = page.locator('.calm');
      const said = (await calm.innerText()).replace(/\s+/g, ' ');
      expect(said).toMatch(/pressure normal/i);
      expect(said).toMatch(/[\d.]+ GiB available/);
      expect(said).toMatch(/no swap|swap [\d.]+ [KMG]iB/);
      expect(said).toMatch(/2 of 2 services up|services 2\/2 up/);
      expect(said).toMatch(/(no|\d+) models? loaded/);
      // Lines of text: the block's height over the line height (rects of one line differ by font size, not by line).
      const lines = await calm.evaluate((node) => {
        const style = getComputedStyle(node);
        const content = node.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        const line = parseFloat(getComputedStyle(node.querySelector('.calm-text')!).lineHeight) || 18;
        return Math.round(content / line);
      });
      expect(lines).toBeLessThanOrEqual(3);
      expect(await overflowing(page)).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  }, 120_000);
});
