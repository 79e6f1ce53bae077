import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP_HEADER } from '../../../src/common/csp.js';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler, PAGE_URL, resolveAppPath } from '../../../src/main/app-protocol.js';
import { type AppLike, guardEveryContents, type GuardedContents, type PreventableEvent, type SessionLike } from '../../../src/main/security.js';

// A real renderer folder on disk, with a secret beside it and a link inside pointing at it.
const base = mkdtempSync(join(tmpdir(), 'warden-app-protocol-'));
const root = join(base, 'renderer');
mkdirSync(root);
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Warden</title>');
writeFileSync(join(root, 'renderer.js'), 'console.log(1)');
writeFileSync(join(base, 'secret.txt'), 'token');
writeFileSync(join(base, 'secret.js'), 'token');
symlinkSync(join(base, 'secret.js'), join(root, 'linked.js'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the app://warden page protocol', () => {
  const logs: string[] = [];
  const handler = appProtocolHandler(root, (line) => logs.push(line));
  const get = (url: string, method = 'GET') => handler({ url, method });

  it('serves the page and its script with the CSP as a header', async () => {
    const page = await get(PAGE_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP_HEADER);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe('<!doctype html><title>Warden</title>');
    expect(await (await get('app://warden/renderer.js')).text()).toBe('console.log(1)');
  });

  it.each([
    'app://warden/../secret.txt',
    'app://warden/%2e%2e/secret.txt',
    'app://warden/%2E%2E%2Fsecret.txt',
    'app://warden/..%5csecret.txt',
    'app://warden/%2e%2e%5c%2e%2e%5csecret.txt',
    'app://warden/index.html%00.js',
    'app://warden//etc/passwd',
    'app://warden/%2Fetc%2Fpasswd',
    'app://evil/index.html',
    'app://user@warden/index.html',
    'file:///etc/passwd',
    'app://warden/',
    'app://warden/linked.js',
    'app://warden/missing.js',
    'app://warden/%E0%A4%A',
  ])('refuses %s (404, nothing outside the folder read)', async (url) => {
    const reply = await get(url);
    expect(reply.status).toBe(404);
    expect(await reply.text()).toBe('not found');
    expect(reply.headers.get('content-security-policy')).toBe(RENDERER_CSP_HEADER);
  });

  it('refuses every method but GET', async () => {
    expect((await get(PAGE_URL, 'POST')).status).toBe(405);
  });

  it('resolves only inside the folder, and logs what it refused', () => {
    expect(resolveAppPath(root, 'app://warden/index.html')).toBe(join(root, 'index.html'));
    // The URL parser drops the dots before the handler sees them: the path stays inside.
    expect(resolveAppPath(root, 'app://warden/a/../../secret.txt')).toBe(join(root, 'secret.txt'));
    expect(logs.some((l) => l.startsWith('app protocol refused app://warden/linked.js: it leads outside'))).toBe(true);
  });

  it('is registered as a standard, secure scheme with no CSP bypass', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true } });
  });
});

class FakeContents implements GuardedContents {
  listeners = new Map<string, Array<(event: PreventableEvent) => void>>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  constructor(readonly session: SessionLike) {}
  on(event: string, listener: (event: PreventableEvent) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
}

function fakeSession() {
  const calls = { headers: 0, permission: null as ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null, check: null as ((c: unknown, p: string) => boolean) | null };
  const session: SessionLike = {
    webRequest: { onHeadersReceived: () => void calls.headers++ },
    setPermissionRequestHandler: (handler) => void (calls.permission = handler),
    setPermissionCheckHandler: (handler) => void (calls.check = handler),
  };
  return { session, calls };
}

describe('guardEveryContents: every web contents the app creates', () => {
  it('is guarded once, and its session refuses every permission', () => {
    let created: ((event: unknown, contents: FakeContents) => void) | null = null;
    const app: AppLike = { on: (_event, listener) => (created = listener) };
    const logs: string[] = [];
    guardEveryContents(app, (line) => logs.push(line));
    const { session, calls } = fakeSession();
    const future = new FakeContents(session);
    created!({}, future);
    created!({}, future);

    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      expect(future.listeners.get(event), event).toHaveLength(1);
      let prevented = false;
      future.listeners.get(event)![0]!({ preventDefault: () => (prevented = true) });
      expect(prevented, event).toBe(true);
    }
    expect(future.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(logs).toContain('refused window.open to https://evil.example/');
    expect(calls.headers).toBe(1);
    let granted: boolean | null = null;
    calls.permission!(future, 'media', (g) => (granted = g));
    expect(granted).toBe(false);
    expect(calls.check!(future, 'notifications')).toBe(false);
  });
});

describe('electron-builder.yml fuses', () => {
  it('turn off running as Node, NODE_OPTIONS and the inspector; encrypt cookies; load only the checked app.asar', () => {
    const config = yaml.load(readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8')) as { electronFuses?: Record<string, boolean>; asar?: boolean };
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
