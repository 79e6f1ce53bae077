import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SettingsWindowController, settingsWindowOptions } from '../../../src/main/settings-window.js';
import { popoverWindowOptions } from '../../../src/main/popover.js';
import { appMenuTemplate, SETTINGS_ACCELERATOR } from '../../../src/main/app-menu.js';

class FakeWindow extends EventEmitter {
  readonly loads: string[] = [];
  readonly calls: string[] = [];
  destroyed = false;
  readonly guards: string[] = [];
  readonly webContents = {
    on: (event: string) => this.guards.push(event),
    setWindowOpenHandler: () => this.guards.push('window-open'),
  };
  constructor(private readonly fail = false) {
    super();
  }
  loadURL(url: string): Promise<void> {
    this.loads.push(url);
    return this.fail ? Promise.reject(new Error('ERR_FILE_NOT_FOUND')) : Promise.resolve();
  }
  show(): void {
    this.calls.push('show');
  }
  focus(): void {
    this.calls.push('focus');
  }
  close(): void {
    this.calls.push('close');
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

function setup(fail = false) {
  const windows: FakeWindow[] = [];
  const logs: string[] = [];
  const controller = new SettingsWindowController({
    createWindow: () => {
      const win = new FakeWindow(fail);
      windows.push(win);
      return win;
    },
    windowOptions: settingsWindowOptions('/app/preload.cjs', { backgroundColor: '#fff', devTools: false }),
    pageUrl: 'app://warden/settings.html',
    log: (line) => logs.push(line),
  });
  return { controller, windows, logs };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('the settings window', () => {
  it('has exactly the popover\'s hardened webPreferences', () => {
    const settings = settingsWindowOptions('/app/preload.cjs', { backgroundColor: '#fff', devTools: false });
    expect(settings.webPreferences).toEqual(popoverWindowOptions('/app/preload.cjs', { backgroundColor: '#fff', devTools: false }).webPreferences);
    expect(settings.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
  });

  it('opens one window, guarded, shown once its page has loaded; asking again brings it forward', async () => {
    const { controller, windows } = setup();
    controller.open();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.guards).toEqual(['will-navigate', 'will-redirect', 'will-attach-webview', 'window-open']);
    expect(windows[0]!.calls).toEqual([]);
    await settled();
    expect(windows[0]!.calls).toEqual(['show', 'focus']);
    controller.open();
    expect(windows).toHaveLength(1);
    expect(windows[0]!.loads).toEqual(['app://warden/settings.html']);
    controller.close();
    expect(controller.isOpen()).toBe(false);
    controller.open();
    expect(windows).toHaveLength(2);
  });

  it('says when its page fails to load, and does not show an empty window', async () => {
    const { controller, windows, logs } = setup(true);
    controller.open();
    await settled();
    expect(windows[0]!.calls).toEqual([]);
    expect(logs).toEqual(['settings page failed to load: ERR_FILE_NOT_FOUND']);
  });

  it('is opened by ⌘, from the app menu, which also holds ⌘Q', () => {
    let opened = 0;
    const items = appMenuTemplate({ openSettings: () => opened++ }).flatMap((menu) => menu.submenu ?? []);
    items.find((item) => item.accelerator === SETTINGS_ACCELERATOR)!.click!();
    expect(opened).toBe(1);
    expect(items.find((item) => item.role === 'quit')?.accelerator).toBe('CmdOrCtrl+Q');
  });
});
