/**
 * WardenApi over HTTP for a plain browser under `warden serve`: fetch for calls, one shared
 * EventSource for pushes. The per-run token comes from the page's fragment (#token=…), which a
 * browser never sends to a server, and goes out only in the X-Warden-Token header.
 */
import type { ShellApi, WardenApi } from '../common/api.js';
import type { ConfigFacts } from '../common/config-facts.js';
import type { State } from '../common/state.js';
import { PAGES, ROUTES, TOKEN_PATTERN, type RouteMethod } from '../common/routes.js';

export interface HttpBridgeOptions {
  /** The server's origin, e.g. location.origin. */
  base: string;
  token: string | null;
  fetch: typeof fetch;
  EventSource: typeof EventSource;
  /** The page's own path, and how to go to another page (location.assign). */
  pathname?: string;
  navigate?: (url: string) => void;
}

export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && TOKEN_PATTERN.test(token) ? token : null;
}

/**
 * The token from the fragment, which is then taken out of the address bar and the tab's
 * history (replaceState: no reload, no new entry), so it is not left on screen, in a
 * screenshot, a bookmark or a shared link. The fragment's other keys stay. A reload reads
 * without it: open the address `warden serve` printed again to act.
 */
export function takeTokenFromLocation(
  location: Pick<Location, 'hash' | 'pathname' | 'search'>,
  history: Pick<History, 'replaceState'>,
): string | null {
  const token = tokenFromHash(location.hash);
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (!params.has('token')) return token;
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return token;
}

export function httpBridge(opts: HttpBridgeOptions): WardenApi & ShellApi {
  const listeners = new Set<(state: State) => void>();
  let source: EventSource | null = null;

  async function call<T>(route: { method: RouteMethod; path: string }, body?: unknown): Promise<T> {
    const { method, path } = route;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // On reads too: with it, GET /api/config answers the secrets the settings form edits.
    if (opts.token) headers['X-Warden-Token'] = opts.token;
    const response = await opts.fetch(`${opts.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      const message = data && typeof data === 'object' && 'error' in data ? String((data as { error: unknown }).error) : `HTTP ${response.status}`;
      if (response.status === 403 && !opts.token) throw new Error(`${message}. Open the address \`warden serve\` printed: it carries the token.`);
      throw new Error(message);
    }
    return data as T;
  }

  function open(): void {
    if (source) return;
    source = new opts.EventSource(`${opts.base}${ROUTES.events.path}`);
    source.addEventListener('state', (event) => {
      let state: State;
      try {
        state = JSON.parse((event as MessageEvent<string>).data) as State;
      } catch {
        return;
      }
      for (const listener of [...listeners]) listener(state);
    });
  }

  return {
    getState: () => call<State>(ROUTES.state),
    subscribe(listener) {
      listeners.add(listener);
      open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    runAction: (actionId) => call(ROUTES.action, { actionId }),
    snooze: async (target, duration) => {
      await call(ROUTES.snooze, { target, duration });
    },
    getConfig: () => call(ROUTES.config),
    setConfig: (config) => call(ROUTES.setConfig, config),
    testProbe: (service) => call(ROUTES.probe, service),
    memoryHistory: () => call(ROUTES.memoryHistory),
    configFacts: () => call<ConfigFacts>(ROUTES.configFacts),
    // The token goes along in the fragment, which the browser never sends to the server.
    openSettings: async () => opts.navigate?.(`${PAGES.settings}${opts.token ? `#token=${opts.token}` : ''}`),
    closeWindow: async () => {
      if (opts.pathname === PAGES.settings) opts.navigate?.(`${PAGES.popover}${opts.token ? `#token=${opts.token}` : ''}`);
    },
  };
}
