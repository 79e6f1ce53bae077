// Bundles every entry with esbuild. Type checking is `npm run typecheck` (tsc), kept separate
// so a build stays fast.
import { build } from 'esbuild';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';

const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };

await rm('dist', { recursive: true, force: true });
await mkdir('dist/renderer', { recursive: true });

/**
 * The config schema (src/common/config-schema.ts, the one schema, built with TypeBox), read from
 * the sources once here: each bundle gets its values as JSON in that module's place, so none
 * loads TypeBox or builds the schema when it starts; and src/engine/config-validator.ts is
 * replaced by ajv's standalone code for CONFIG_SCHEMA, so neither ajv nor a schema compile is on
 * the CLI's or the app's start-up path.
 */
async function configSchemaModule() {
  const schemaBundle = await build({ entryPoints: ['src/common/config-schema.ts'], bundle: true, write: false, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  const temp = path.resolve('dist', `.config-schema-${process.pid}.mjs`);
  await writeFile(temp, schemaBundle.outputFiles[0].text);
  try {
    return await import(pathToFileURL(temp).href);
  } finally {
    await rm(temp, { force: true });
  }
}
const schemaExports = await configSchemaModule();
const schemaAsJson = Object.entries(schemaExports).map(([name, value]) => {
  if (typeof value === 'function') throw new Error(`src/common/config-schema.ts must hold data only; ${name} is a function`);
  return `export const ${name} = ${JSON.stringify(value)};`;
}).join('\n');

async function compiledConfigValidator(schema) {
  const { Ajv } = await import('ajv');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  // The options of src/engine/config-validator.ts.
  const AJV_OPTIONS = { allErrors: true, strict: false };
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  let code = standaloneCode(ajv, ajv.compile(schema));
  // The standalone code require()s small pieces of ajv's runtime; as imports instead.
  const runtimeImports = new Map();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[\w-]+)"\)/g, (_, id) => {
    if (!runtimeImports.has(id)) runtimeImports.set(id, `ajvRuntime${runtimeImports.size}`);
    return runtimeImports.get(id);
  });
  const imports = [...runtimeImports].map(([id, name]) => `import ${name} from ${JSON.stringify(`${id}.js`)};`).join('\n');
  return `${imports}\n${code.replace(/^"use strict";/, '')}\nexport const PRECOMPILED = validate10;\nexport const AJV_OPTIONS = ${JSON.stringify(AJV_OPTIONS)};\nexport function loadAjv() { throw new Error('ajv is not loaded for the config: its validator was compiled at build time'); }\n`;
}
const configValidator = await compiledConfigValidator(schemaExports.CONFIG_SCHEMA);
const precompiled = {
  name: 'precompiled-config',
  setup(b) {
    b.onLoad({ filter: /src[\\/]engine[\\/]config-validator\.ts$/ }, () => ({ contents: configValidator, loader: 'js', resolveDir: path.resolve('src/engine') }));
    b.onLoad({ filter: /src[\\/]common[\\/]config-schema\.ts$/ }, () => ({ contents: schemaAsJson, loader: 'js' }));
  },
};

const jobs = [
  // Headless CLI and bench: ESM on Node 20; dependencies stay in node_modules.
  // Split: what `import()` loads (serve and prom-client, /metrics) is a chunk beside it, loaded only when used.
  build({ ...common, entryPoints: { 'cli/warden': 'src/cli/main.ts' }, outdir: 'dist', platform: 'node', format: 'esm', target: 'node20', packages: 'external', splitting: true, chunkNames: 'cli/chunk-[hash]', plugins: [precompiled] }),
];
if (existsSync('bench/bench.ts')) {
  jobs.push(build({ ...common, entryPoints: { 'bench/bench': 'bench/bench.ts' }, outdir: 'dist', platform: 'node', format: 'esm', target: 'node20', packages: 'external' }));
}
if (existsSync('src/main/main.ts')) {
  // Electron main: CommonJS, electron provided by the runtime.
  // import.meta (src/platform/load-ajv.ts) is only read where `require` is missing: never in CommonJS.
  jobs.push(build({ ...common, entryPoints: { 'main/main': 'src/main/main.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node22', external: ['electron'], plugins: [precompiled], logOverride: { 'empty-import-meta': 'silent' } }));
}
if (existsSync('src/preload/preload.ts')) {
  // Sandboxed preload: one CommonJS file, nothing but electron's own module outside it.
  jobs.push(build({ ...common, entryPoints: { 'preload/preload': 'src/preload/preload.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' }, platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }));
}
if (existsSync('src/renderer/index.ts')) {
  jobs.push(build({ ...common, entryPoints: { 'renderer/renderer': 'src/renderer/index.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'chrome120', minify: true, plugins: [precompiled] }));
}
await Promise.all(jobs);
if (existsSync('src/renderer/index.html')) {
  await cp('src/renderer/index.html', 'dist/renderer/index.html');
  await cp('src/renderer/settings.html', 'dist/renderer/settings.html');
  await cp('src/renderer/styles.css', 'dist/renderer/styles.css');
}
if (existsSync('assets')) await cp('assets', 'dist/assets', { recursive: true });
