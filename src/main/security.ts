/**
 * The shell's locks on web content: no navigation, no new windows, no webviews, no permission
 * grants, and the CSP sent as a header as well as in the page's meta tag.
 */
import { RENDERER_CSP_HEADER } from '../common/csp.js';

/** Every window's webPreferences, the popover's and the settings window's alike. */
export interface HardenedWebPreferences {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  enablePreferredSizeMode: true;
  devTools: boolean;
  preload: string;
}

export function hardenedWebPreferences(preload: string, devTools: boolean): HardenedWebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    enablePreferredSizeMode: true,
    devTools,
    preload,
  };
}

export interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's WebContents this module uses. */
export interface GuardedContents {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

const guarded = new WeakSet<GuardedContents>();

export function guardContents(contents: GuardedContents, log: (line: string) => void): void {
  // The popover guards its own window, and the app guards every web contents: once each.
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const refuse = (what: string) => (event: PreventableEvent, url?: unknown) => {
    event.preventDefault();
    log(`refused ${what}${typeof url === 'string' ? ` to ${url.slice(0, 200)}` : ''}`);
  };
  contents.on('will-navigate', refuse('navigation'));
  contents.on('will-redirect', refuse('redirect'));
  contents.on('will-attach-webview', refuse('webview'));
  contents.setWindowOpenHandler((details) => {
    log(`refused window.open to ${details.url.slice(0, 200)}`);
    return { action: 'deny' };
  });
}

/** The part of Electron's Session this module uses. */
export interface SessionLike {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void,
    ): void;
  };
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export function hardenSession(session: SessionLike): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    headers['Content-Security-Policy'] = [RENDERER_CSP_HEADER];
    callback({ responseHeaders: headers });
  });
  // The popover needs no camera, microphone, notifications or geolocation: notifications come from main.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** The part of Electron's App this module uses. */
export interface AppLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: GuardedContents & { session: SessionLike }) => void): unknown;
}

/**
 * Every web contents the app ever creates (a future window, a devtools page, anything a bug
 * opens) gets the same guard as the popover, and its session the same refusals: no navigation,
 * no window.open, no webview, no permission.
 */
export function guardEveryContents(app: AppLike, log: (line: string) => void): void {
  const hardened = new WeakSet<SessionLike>();
  app.on('web-contents-created', (_event, contents) => {
    guardContents(contents, log);
    if (!hardened.has(contents.session)) {
      hardened.add(contents.session);
      hardenSession(contents.session);
    }
  });
}
