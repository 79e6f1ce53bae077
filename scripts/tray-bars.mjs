// Draws the tray icons (assets/tray*.png) on a light, a dark and a tinted menu bar, and once in
// greyscale, into docs/screenshots/tray-bars.png. Template images are shown as macOS tints them:
// dark ink on a light bar, white on a dark or tinted one. Needs Chromium at /usr/bin/chromium.
//   node scripts/make-icons.mjs && node scripts/tray-bars.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ICONS = [
  ['green', 'trayGreenTemplate', 'ring: all clear'],
  ['grey', 'trayGreyTemplate', 'dashed ring: not known'],
  ['amber', 'trayAmber', 'triangle: attention'],
  ['red', 'trayRed', 'disc with !: act now'],
];
const BARS = [
  { name: 'Light menu bar', background: 'rgba(246,246,246,0.92)', ink: 'rgba(0,0,0,0.85)', dark: false },
  { name: 'Dark menu bar', background: 'rgba(30,30,30,0.92)', ink: 'rgba(255,255,255,0.9)', dark: true },
  { name: 'Tinted menu bar (blue wallpaper)', background: 'linear-gradient(90deg,#2c5d8f,#4a7fb5)', ink: 'rgba(255,255,255,0.9)', dark: true },
  { name: 'Light bar, no colour (greyscale)', background: 'rgba(246,246,246,0.92)', ink: 'rgba(0,0,0,0.85)', dark: false, grey: true },
];

const dataUrl = (file) => `data:image/png;base64,${readFileSync(path.join(ROOT, 'assets', `${file}@2x.png`)).toString('base64')}`;

/** A template image as macOS draws it: its alpha as a mask, filled with the bar's ink. */
function icon([level, file], bar) {
  const url = dataUrl(file);
  if (file.endsWith('Template')) {
    return `<span class="icon" style="background:${bar.ink};-webkit-mask:url(${url}) center/16px 16px no-repeat" title="${level}"></span>`;
  }
  return `<img class="icon" src="${url}" width="16" height="16" alt="${level}">`;
}

const html = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; padding: 12px; font: 12px -apple-system, "Helvetica Neue", Arial, sans-serif; background: #fff; width: 620px; }
.bar { height: 24px; display: flex; align-items: center; gap: 22px; padding: 0 14px; border-radius: 6px; margin: 4px 0 2px; }
.icon { width: 16px; height: 16px; display: inline-block; }
.clock { margin-left: auto; font-size: 13px; }
h2 { font-size: 11px; font-weight: 600; color: #555; margin: 10px 0 0; }
.legend { display: flex; gap: 22px; padding: 0 14px; color: #444; font-size: 11px; }
.legend span { white-space: nowrap; }
</style>
${BARS.map(
  (bar) => `<h2>${bar.name}</h2><div class="bar" style="background:${bar.background};${bar.grey ? 'filter:grayscale(1)' : ''}">
  ${ICONS.map((i) => icon(i, bar)).join('')}
  <span class="clock" style="color:${bar.ink}">Sun 10 May 16:30</span></div>`,
).join('\n')}
<div class="legend">${ICONS.map(([level, , meaning]) => `<span><b>${level}</b> ${meaning}</span>`).join('')}</div>`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 644, height: 300 }, deviceScaleFactor: 2 });
  await page.setContent(html);
  const out = path.join(ROOT, 'docs/screenshots/tray-bars.png');
  await page.locator('body').screenshot({ path: out });
  process.stdout.write(`wrote ${path.relative(ROOT, out)}\n`);
} finally {
  await browser.close();
}
