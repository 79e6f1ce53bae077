#!/usr/bin/env node
// The `warden` command: the built CLI (npm install / npm ci builds it through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/warden.js', import.meta.url));
if (!existsSync(built)) {
  process.stderr.write('warden: not built yet; run `npm run build` in the Warden folder\n');
  process.exit(2);
}
await import(built);
