/**
 * A stand-in for the `electron` module, resolved in its place when the built app
 * (dist/main/main.cjs) is loaded by plain node (see boot.cjs). It keeps the surface the app uses
 * and records what the app does with it, one JSON line per event in $WARDEN_STUB_EVENTS: the tray
 * images set, the windows opened with their options, the IPC channels registered, the
 * notifications shown, the exit. Nothing here decides anything the app would.
 */
'use strict';
const { appendFileSync } = require('node:fs');
const { EventEmitter } = require('node:events');
const os = require('node:os');

const EVENTS = process.env.WARDEN_STUB_EVENTS;
function record(type, detail = {}) {
  appendFileSync(EVENTS, `${JSON.stringify({ type, at: Date.now(), ...detail })}\n`);
}

const handlers = new Map();
const ipcMain = {
  handle(channel, handler) {
    if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    handlers.set(channel, handler);
    record('ipc-handle', { channel });
  },
  removeHandler(channel) {
    handlers.delete(channel);
    record('ipc-remove', { channel });
  },
  on(channel) {
    record('ipc-on', { channel });
  },
};

class StandInSession {
  constructor() {
    this.protocol = { handle: (scheme) => record('protocol-handle', { scheme }) };
    this.webRequest = { onHeadersReceived: () => record('session-headers-hook') };
  }
  setPermissionRequestHandler() {
    record('session-permission-request-handler');
  }
  setPermissionCheckHandler() {
    record('session-permission-check-handler');
  }
}
const defaultSession = new StandInSession();

let appMenu = null;
const shortcuts = new Map();
const globalShortcut = {
  register(accelerator, callback) {
    if (shortcuts.has(accelerator)) return false;
    shortcuts.set(accelerator, callback);
    record('shortcut-register', { accelerator });
    return true;
  },
  unregister(accelerator) {
    shortcuts.delete(accelerator);
    record('shortcut-unregister', { accelerator });
  },
};
const app = new EventEmitter();
let ready;
const readyPromise = new Promise((resolve) => (ready = resolve));
Object.assign(app, {
  isPackaged: false,
  dock: { hide: () => record('dock-hide') },
  enableSandbox: () => record('enable-sandbox'),
  requestSingleInstanceLock: () => true,
  focus: (options) => record('app-focus', options),
  whenReady: () => readyPromise,
  getPath: (name) => (name === 'home' ? os.homedir() : `${process.env.WARDEN_HOME}/electron-${name}`),
  getVersion: () => '0.1.0',
  getLoginItemSettings: () => ({ openAtLogin: false }),
  setLoginItemSettings: (s) => record('login-item', s),
  quit() {
    record('quit');
    let prevented = false;
    app.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) app.exit(0);
  },
  exit(code = 0) {
    record('exit', { code });
    process.exit(code);
  },
});

class NativeImage {
  constructor(file) {
    this.file = file;
    this.template = false;
  }
  setTemplateImage(on) {
    this.template = on;
  }
  isTemplateImage() {
    return this.template;
  }
}
const nativeImage = { createFromPath: (file) => new NativeImage(file) };

class Tray extends EventEmitter {
  constructor(image) {
    super();
    record('tray-create', { file: image.file });
    Tray.current = this;
  }
  setImage(image) {
    record('tray-image', { file: image.file, template: image.template });
  }
  setToolTip(text) {
    record('tray-tooltip', { text });
  }
  setTitle(text) {
    record('tray-title', { text });
  }
  setContextMenu() {
    record('tray-context-menu');
  }
  popUpContextMenu() {
    record('tray-popup-menu');
  }
  getBounds() {
    return { x: 1200, y: 0, width: 24, height: 24 };
  }
}

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.session = defaultSession;
  }
  setWindowOpenHandler() {
    record('window-open-handler');
  }
  send(channel) {
    record('webcontents-send', { channel });
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.visible = false;
    this.destroyed = false;
    this.webContents = new WebContents();
    record('window-create', { options });
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    this.url = url;
    record('window-load', { url });
  }
  show() {
    this.visible = true;
    record('window-show');
  }
  hide() {
    this.visible = false;
    record('window-hide');
  }
  focus() {}
  close() {
    record('window-close', { url: this.url });
    this.destroy();
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
  isDestroyed() {
    return this.destroyed;
  }
  isVisible() {
    return this.visible;
  }
  setPosition() {}
  setSize() {}
}

class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {
    record('notification', { options: this.options });
  }
}

async function invokeFrom(url, channel, ...args) {
  const handler = handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel} yet`);
  return handler({ senderFrame: { url, parent: null } }, ...args);
}

module.exports = {
  app,
  BrowserWindow,
  globalShortcut,
  ipcMain,
  Menu: {
    buildFromTemplate: (items) => ({ items }),
    setApplicationMenu: (menu) => {
      appMenu = menu;
      const strip = (items) => items.map(({ click, submenu, ...rest }) => ({ ...rest, ...(click ? { click: true } : {}), ...(submenu ? { submenu: strip(submenu) } : {}) }));
      record('app-menu', { items: strip(menu.items) });
    },
  },
  nativeImage,
  nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: false }),
  Notification,
  powerMonitor: new EventEmitter(),
  protocol: { registerSchemesAsPrivileged: (schemes) => record('schemes-privileged', { schemes }) },
  screen: { getDisplayMatching: () => ({ workArea: { x: 0, y: 25, width: 1440, height: 875 } }) },
  session: { defaultSession },
  Tray,
  // For boot.cjs: what the tests drive from outside, as the OS and the page would.
  __standIn: {
    ready: () => ready(),
    tray: () => Tray.current,
    /** Invokes an IPC channel as a page would (a top frame at that page's URL; the popover's by default). */
    invoke: async (channel, ...args) => invokeFrom('app://warden/index.html', channel, ...args),
    invokeFrom: (url, channel, ...args) => invokeFrom(url, channel, ...args),
    /** Presses a global shortcut, as the OS would from any app. */
    shortcut: (accelerator) => {
      const callback = shortcuts.get(accelerator);
      if (!callback) throw new Error(`no global shortcut ${accelerator}`);
      callback();
    },
    /** Clicks the app menu item with this accelerator, as the keyboard would. */
    accelerator: (accelerator) => {
      const find = (items) => items.flatMap((item) => [item, ...find(item.submenu ?? [])]);
      const item = find(appMenu ? appMenu.items : []).find((i) => i.accelerator === accelerator);
      if (!item) throw new Error(`no menu item for ${accelerator}`);
      if (item.click) item.click();
      else if (item.role === 'quit') app.quit();
      else throw new Error(`menu item ${accelerator} does nothing here`);
    },
  },
};
