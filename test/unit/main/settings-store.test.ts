/**
 * The settings store with conf, the library under electron-store (electron-store itself needs
 * Electron's runtime), on a real file in a temporary folder, with the lead's JSON schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_JSON_SCHEMA } from '../../../src/engine/config.js';
import { LoginItem } from '../../../src/main/login-item.js';
import { SettingsStore, settingsStoreOptions, type StoreCtor, type StoreOptions } from '../../../src/main/settings-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempConfig(content?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-settings-'));
  dirs.push(dir);
  const file = path.join(dir, 'config.json');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

/** conf takes `configName` where electron-store takes `name`. */
const ConfStore = class extends Conf {
  constructor(options: StoreOptions) {
    super({ ...options, configName: options.name, watch: false } as never);
  }
} as unknown as StoreCtor;

describe('settingsStoreOptions', () => {
  it('points electron-store at the shared config file, validating with the schema without writing defaults', () => {
    const options = settingsStoreOptions('/Users/bert/Library/Application Support/Warden/config.json', CONFIG_JSON_SCHEMA, true);
    expect(options).toMatchObject({
      cwd: '/Users/bert/Library/Application Support/Warden',
      name: 'config',
      fileExtension: 'json',
      rootSchema: { additionalProperties: false },
      ajvOptions: { useDefaults: false },
      clearInvalidConfig: false,
      watch: true,
    });
    expect(options.schema).toBe(CONFIG_JSON_SCHEMA.properties);
  });
});

describe('SettingsStore', () => {
  it('reads the file the CLI reads', () => {
    const file = tempConfig(JSON.stringify({ launchAtLogin: true, services: [{ name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models' }] }));
    const store = new SettingsStore(ConfStore, settingsStoreOptions(file, CONFIG_JSON_SCHEMA, false), () => undefined);
    const read = store.read();
    expect(read.ok && read.value.services?.[0]?.name).toBe('cathedral');
    expect(store.launchAtLogin()).toBe(true);
  });

  it('a file that breaks the schema is unknown with the reason, and launch at login stays off', () => {
    const file = tempConfig(JSON.stringify({ services: [{ name: 'cathedral', port: 'x' }] }));
    const store = new SettingsStore(ConfStore, settingsStoreOptions(file, CONFIG_JSON_SCHEMA, false), () => undefined);
    const read = store.read();
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toMatch(/config .*config\.json: Config schema violation/);
    expect(store.launchAtLogin()).toBe(false);
  });

  it('a fixed file is read on the next try', () => {
    const file = tempConfig('{ not json');
    const store = new SettingsStore(ConfStore, settingsStoreOptions(file, CONFIG_JSON_SCHEMA, false), () => undefined);
    expect(store.read().ok).toBe(false);
    writeFileSync(file, JSON.stringify({ launchAtLogin: true }));
    expect(store.launchAtLogin()).toBe(true);
  });

  it('tells listeners when the file changed', () => {
    let fire: () => void = () => undefined;
    const Fake = class {
      path = '/x/config.json';
      store = { launchAtLogin: true };
      onDidAnyChange(callback: () => void) {
        fire = callback;
        return () => undefined;
      }
    } as unknown as StoreCtor;
    const store = new SettingsStore(Fake, settingsStoreOptions('/x/config.json', CONFIG_JSON_SCHEMA, true), () => undefined);
    let changes = 0;
    store.onChange(() => changes++);
    fire();
    fire();
    expect(changes).toBe(2);
  });
});

describe('LoginItem', () => {
  function app(initial: boolean) {
    const sets: boolean[] = [];
    let on = initial;
    return {
      sets,
      getLoginItemSettings: () => ({ openAtLogin: on }),
      setLoginItemSettings: (s: { openAtLogin: boolean }) => {
        on = s.openAtLogin;
        sets.push(s.openAtLogin);
      },
    };
  }

  it('sets the login item only when it differs', () => {
    const a = app(false);
    const item = new LoginItem(a, 'darwin', () => undefined);
    expect(item.apply(false)).toBe(false);
    expect(item.apply(true)).toBe(true);
    expect(item.apply(true)).toBe(false);
    expect(a.sets).toEqual([true]);
    expect(item.enabled()).toBe(true);
  });

  it('does nothing where Electron has no login items', () => {
    const a = app(false);
    const item = new LoginItem(a, 'linux', () => undefined);
    expect(item.apply(true)).toBe(false);
    expect(item.supported()).toBe(false);
    expect(a.sets).toEqual([]);
  });
});
