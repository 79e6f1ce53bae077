import type { ServiceConfig } from '../../common/config.js';
import type { ServiceView } from '../../common/services.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0']);

function parseUrl(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The port to look for the service's process on: configured, else a loopback URL's. */
export function servicePort(config: ServiceConfig): number | null {
  if (config.port !== undefined) return config.port;
  if (config.supervisor?.kind === 'command' && config.supervisor.port !== undefined) return config.supervisor.port;
  const url = parseUrl(config.url);
  if (!url || !LOOPBACK.has(url.hostname)) return null;
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** No URL, or a loopback one: its process can be looked for on this host. */
export function isLocal(config: ServiceConfig): boolean {
  const url = parseUrl(config.url);
  return url === null || LOOPBACK.has(url.hostname);
}

/** A service on another machine: its URL is not loopback, so no process of it can be seen here. */
export function isRemote(view: Pick<ServiceView, 'url'>): boolean {
  const url = parseUrl(view.url ?? undefined);
  return url !== null && !LOOPBACK.has(url.hostname);
}

/** A path under the user's home as the operator writes it: "~/Library/…". */
export function tilde(path: string, home: string | null): string {
  if (!home) return path;
  const h = home.replace(/\/+$/, '');
  return path.startsWith(`${h}/`) ? `~${path.slice(h.length)}` : path;
}
