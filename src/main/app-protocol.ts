/**
 * The popover is served from `app://warden/…`, a privileged custom scheme, not from file://: a
 * file:// page gets no response headers (so no header CSP, no frame-ancestors) and, unless a fuse
 * says otherwise, extra powers over other file:// URLs. The handler serves only files inside the
 * renderer folder, refuses every way out of it, and sends the CSP as a header.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { RENDERER_CSP_HEADER } from '../common/csp.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'warden';
export const PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;
/** The settings window's page: the same renderer, the settings form alone. */
export const SETTINGS_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/settings.html`;

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready: a standard, secure origin
 * (relative URLs, `'self'` in the CSP, a secure context). No CSP bypass, no CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true } } as const;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * The file under `root` that `url` names, or null when it names none there: another scheme or
 * host, a query, an encoded `..`, `.`, backslash or NUL, or anything that resolves outside.
 */
export function resolveAppPath(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST || parsed.username !== '' || parsed.port !== '') return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (/[\\\0]/.test(pathname) || pathname.split('/').some((segment) => segment === '..' || segment === '.')) return null;
  const file = path.resolve(root, `.${pathname}`);
  const inside = path.relative(root, file);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return file;
}

export interface AppRequest {
  url: string;
  method: string;
}

function refusal(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': RENDERER_CSP_HEADER, 'X-Content-Type-Options': 'nosniff' } });
}

/** The protocol.handle handler for APP_SCHEME, serving `root` (dist/renderer). */
export function appProtocolHandler(root: string, log: (line: string) => void): (request: AppRequest) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET') return refusal(405, 'method not allowed');
    const file = resolveAppPath(root, request.url);
    const type = file ? TYPES[path.extname(file)] : undefined;
    if (!file || !type) {
      log(`app protocol refused ${request.url.slice(0, 200)}`);
      return refusal(404, 'not found');
    }
    try {
      // A link inside the folder must not lead out of it either.
      const [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
      if (path.relative(realRoot, real).startsWith('..')) {
        log(`app protocol refused ${request.url.slice(0, 200)}: it leads outside the page's folder`);
        return refusal(404, 'not found');
      }
      const body = await readFile(real);
      return new Response(body, {
        status: 200,
        headers: { 'Content-Type': type, 'Content-Security-Policy': RENDERER_CSP_HEADER, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' },
      });
    } catch {
      return refusal(404, 'not found');
    }
  };
}
