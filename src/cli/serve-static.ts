import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PAGES } from '../common/routes.js';
import { errorText } from '../common/result.js';
import { ServeError } from './serve-http.js';

/** The only files served; a path not in this list does not exist, whatever it contains. */
export const STATIC_FILES: Record<string, { file: string; type: string; optional?: boolean }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  [PAGES.settings]: { file: 'settings.html', type: 'text/html; charset=utf-8' },
  '/renderer.js': { file: 'renderer.js', type: 'text/javascript; charset=utf-8' },
  '/styles.css': { file: 'styles.css', type: 'text/css; charset=utf-8' },
  '/renderer.js.map': { file: 'renderer.js.map', type: 'application/json; charset=utf-8', optional: true },
};

/** Every file served, read once at start: a file missing means the build did not run. */
export async function loadStatic(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const spec of Object.values(STATIC_FILES)) {
    if (files.has(spec.file)) continue;
    try {
      files.set(spec.file, await readFile(path.join(dir, spec.file)));
    } catch (error) {
      if (spec.optional) continue;
      throw new ServeError(`cannot read ${path.join(dir, spec.file)} (${errorText(error)}); run \`npm run build\` first`);
    }
  }
  return files;
}
