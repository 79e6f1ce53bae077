// Refreshes the README's pictures of the popover: builds, runs the popover's browser end-to-end
// test (test/e2e/popover.test.ts: the States of a Mac from test/support/states.ts served by
// warden serve, which writes test-results/screenshots/), then copies the three window-sized ones
// into docs/screenshots/. Needs Chromium at /usr/bin/chromium.
//   node scripts/update-screenshots.mjs            build, run the e2e, copy
//   node scripts/update-screenshots.mjs --no-run   copy what the last e2e run wrote
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const DOCS = path.join(ROOT, 'docs/screenshots');
/** A README picture larger than this makes the page slow to open. */
const MAX_BYTES = 256 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// What the e2e wrote → what the README shows.
const PICTURES = [
  ['window-mac-green.png', 'green.png'],
  ['window-mac-amber.png', 'amber.png'],
  ['window-mac-red.png', 'red-incident.png'],
];

if (!process.argv.includes('--no-run')) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/e2e/popover.test.ts'], { cwd: ROOT, stdio: 'inherit' });
}

mkdirSync(DOCS, { recursive: true });
const problems = [];
for (const [from, to] of PICTURES) {
  const source = path.join(SHOTS, from);
  let bytes;
  try {
    bytes = statSync(source).size;
  } catch {
    problems.push(`${path.relative(ROOT, source)} is missing: run the e2e (without --no-run)`);
    continue;
  }
  if (!readFileSync(source).subarray(0, 8).equals(PNG_SIGNATURE)) problems.push(`${from} is not a PNG`);
  else if (bytes > MAX_BYTES) problems.push(`${from} is ${Math.round(bytes / 1024)} KiB, over ${MAX_BYTES / 1024} KiB`);
  else {
    copyFileSync(source, path.join(DOCS, to));
    console.log(`docs/screenshots/${to}  ${Math.round(bytes / 1024)} KiB`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`update-screenshots: ${problem}`);
  process.exit(1);
}
