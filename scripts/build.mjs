// Bundles every entry with esbuild. Type checking is `npm run typecheck` (tsc), kept separate
// so a build stays fast.
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

await rm('dist', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

const jobs = [
  // Headless CLI and bench: ESM on Node 20; dependencies stay in node_modules.
  // Split: what `import()` loads (serve and prom-client, /metrics) is a chunk beside it, loaded only when used.
  build({ ...common, entryPoints: { 'cli/warden': 'src/cli/main.ts' }, outdir: 'dist', platform: 'node', format: 'esm', target: 'node20', packages: 'external', splitting: true, chunkNames: 'cli/chunk-[hash]' }),
];
if (existsSync('bench/bench.ts')) {
  jobs.push(build({ ...common, entryPoints: { 'bench/bench': 'bench/bench.ts' }, outdir: 'dist', platform: 'node', format: 'esm', target: 'node20', packages: 'external' }));
}
if (existsSync('src/main/main.ts')) {
  // Electron main: CommonJS, electron provided by the runtime.
  jobs.push(build({ ...common, entryPoints: { 'main/main': 'src/main/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }));
}
if (existsSync('src/preload/preload.ts')) {
  // Sandboxed preload: one CommonJS file, nothing but electron's own module outside it.
  jobs.push(build({ ...common, entryPoints: { 'preload/preload': 'src/preload/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }));
}
if (existsSync('src/renderer/index.ts')) {
  jobs.push(build({ ...common, entryPoints: { 'renderer/renderer': 'src/renderer/index.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'chrome120', minify: true }));
}
await Promise.all(jobs);
if (existsSync('src/renderer/index.html')) {
  await cp('src/renderer/index.html', 'dist/renderer/index.html');
  await cp('src/renderer/styles.css', 'dist/renderer/styles.css');
}
if (existsSync('assets')) await cp('assets', 'dist/assets', { recursive: true });
