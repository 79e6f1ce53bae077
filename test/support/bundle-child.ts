import { build } from 'esbuild';

/**
 * Bundles a test-support entry into one ESM file a plain `node` child can run: every dependency
 * inside, so the child needs neither vitest, a TypeScript loader nor node_modules.
 */
export async function bundleForChild(entry: string, outfile: string): Promise<string> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  return outfile;
}
