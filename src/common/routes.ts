import type { InvokeChannel } from './ipc.js';

/**
 * The HTTP face of `warden serve`, written once: the browser's bridge calls these, the server
 * answers them. A state-changing route carries the IPC channel its body becomes, and the body's
 * fields in the channel's argument order (null: the whole body is the one argument).
 */

export type RouteMethod = 'GET' | 'POST' | 'PUT';

/** A per-run token as the server makes it and the page accepts it from the address's fragment. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export interface ReadRoute {
  method: 'GET';
  path: string;
}

export interface BodyRoute {
  method: 'POST' | 'PUT';
  path: string;
  channel: InvokeChannel;
  fields: readonly string[] | null;
}

/** The pages `warden serve` answers with the renderer's HTML (the popover at "/"). */
export const PAGES = { popover: '/', settings: '/settings' } as const;

export const ROUTES = {
  state: { method: 'GET', path: '/api/state' },
  events: { method: 'GET', path: '/api/events' },
  config: { method: 'GET', path: '/api/config' },
  configFacts: { method: 'GET', path: '/api/config/facts' },
  memoryHistory: { method: 'GET', path: '/api/history/memory' },
  metrics: { method: 'GET', path: '/metrics' },
  action: { method: 'POST', path: '/api/action', channel: 'action:run', fields: ['actionId'] },
  snooze: { method: 'POST', path: '/api/snooze', channel: 'snooze:set', fields: ['target', 'duration'] },
  setConfig: { method: 'PUT', path: '/api/config', channel: 'config:set', fields: null },
  probe: { method: 'POST', path: '/api/probe', channel: 'probe:test', fields: null },
} as const satisfies Record<string, ReadRoute | BodyRoute>;

const ALL: ReadonlyArray<ReadRoute | BodyRoute> = Object.values(ROUTES);

/** The state-changing routes by "METHOD /path", as the server looks them up. */
export const BODY_ROUTES: Readonly<Record<string, BodyRoute>> = Object.fromEntries(
  ALL.filter((r): r is BodyRoute => r.method !== 'GET').map((r) => [`${r.method} ${r.path}`, r]),
);

/** The paths a GET may read. */
export const READ_PATHS: ReadonlySet<string> = new Set(ALL.filter((r) => r.method === 'GET').map((r) => r.path));
