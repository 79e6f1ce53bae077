import { createRequire } from 'node:module';

/**
 * ajv, loaded only when there is a schema to compile (a capture to replay, the config from the
 * sources): never at start-up. ajv is CommonJS, required from this file's place: the CLI is
 * an ES module (import.meta.url), the app's main bundle CommonJS (__filename).
 */
export function loadAjv(): typeof import('ajv').Ajv {
  const here = typeof __filename === 'string' ? __filename : import.meta.url;
  return (createRequire(here)('ajv') as typeof import('ajv')).Ajv;
}
