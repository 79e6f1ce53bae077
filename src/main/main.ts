/**
 * The Electron entry: the only module that imports `electron`. It holds no logic of its own; it
 * hands Electron's objects to the controllers, which tests drive with fakes.
 */
import path from 'node:path';
import { app, BrowserWindow, globalShortcut, ipcMain, Menu, nativeImage, nativeTheme, Notification, powerMonitor, protocol, screen, session, Tray } from 'electron';
import Store from 'electron-store';
import type { EngineHandle } from '../common/api.js';
import type { State } from '../common/state.js';
import { createEngine } from '../engine/create.js';
import { tuneLongRun } from '../engine/long-run.js';
import { CONFIG_JSON_SCHEMA, ConfigError, resolveConfig } from '../engine/config.js';
import { configFacts } from '../engine/config-facts.js';
import { registerIpc } from './ipc.js';
import { configPath, dataDir } from '../engine/paths.js';
import { metricsOptionsFrom, startMetricsServer, type RunningMetricsServer } from '../cli/metrics-server.js';
import { LoginItem } from './login-item.js';
import { NotificationCenter } from './notifications.js';
import { incidentOffer } from './incident-offer.js';
import { followPower } from './power.js';
import { PopoverController, popoverWindowOptions } from './popover.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler, PAGE_URL, SETTINGS_PAGE_URL } from './app-protocol.js';
import { appMenuTemplate } from './app-menu.js';
import { SettingsWindowController, settingsWindowOptions } from './settings-window.js';
import { isOwnPage } from './ipc.js';
import { guardEveryContents, hardenSession } from './security.js';
import { SettingsStore, settingsStoreOptions, type StoreCtor } from './settings-store.js';
import { isTemplateIcon, TRAY_ICON_FILES, TRAY_LEVELS, TrayController, type TrayLevel } from './tray.js';
import { watchThermalState } from './thermal.js';
import { GlobalShortcut } from './global-shortcut.js';

// The bundle is CommonJS (dist/main/main.cjs), so __dirname is dist/main.
const DIST = path.join(__dirname, '..');
const RENDERER_DIR = path.join(DIST, 'renderer');
const PRELOAD = path.join(DIST, 'preload', 'preload.cjs');
const ICONS = Object.fromEntries(TRAY_LEVELS.map((level) => [level, path.join(DIST, 'assets', TRAY_ICON_FILES[level])])) as Record<TrayLevel, string>;

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} warden: ${line}\n`);
}

function main(): void {
  // Before ready, as Electron requires: every renderer sandboxed, the page's scheme privileged,
  // and every web contents guarded from the moment it exists.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  guardEveryContents(app, log);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Destroying the hidden popover must not end a menu-bar app that has no other window.
  app.on('window-all-closed', () => undefined);
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log(`failed to start: ${String(error)}`);
      app.exit(1);
    });
}

/** A config file that fails validation must not keep the app from watching: start on defaults, say why. */
async function openEngine(paths: { configPath: string; dataDir: string }) {
  try {
    return await createEngine({ ...paths, log, deliver: true });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(`config not applied: ${error.message}`);
    return createEngine({ ...paths, log, deliver: true, config: { input: {}, config: resolveConfig({}, app.getPath('home')), source: 'defaults' } });
  }
}

async function start(): Promise<void> {
  // Packaged builds are agents through LSUIElement; a dev run hides its Dock icon here.
  if (!app.isPackaged) app.dock?.hide();
  hardenSession(session.defaultSession);
  session.defaultSession.protocol.handle(APP_SCHEME, appProtocolHandler(RENDERER_DIR, log));

  const paths = { configPath: configPath(), dataDir: dataDir() };
  const engine = await openEngine(paths);
  const loginItem = new LoginItem(app, process.platform, log);
  const settings = new SettingsStore(Store as unknown as StoreCtor, settingsStoreOptions(paths.configPath, CONFIG_JSON_SCHEMA, true), log);

  const popover = new PopoverController({
    createWindow: (options) => new BrowserWindow(options),
    windowOptions: popoverWindowOptions(PRELOAD, {
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#f6f6f6',
      devTools: !app.isPackaged,
    }),
    pageUrl: PAGE_URL,
    workAreaFor: (bounds) => screen.getDisplayMatching(bounds).workArea,
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout), now: () => Date.now() },
    currentState: () => engine.currentState(),
    log,
  });

  const backgroundColor = nativeTheme.shouldUseDarkColors ? '#1e1e1e' : '#f6f6f6';
  const settingsWindow = new SettingsWindowController({
    createWindow: (options) => new BrowserWindow(options),
    windowOptions: settingsWindowOptions(PRELOAD, { backgroundColor, devTools: !app.isPackaged }),
    pageUrl: SETTINGS_PAGE_URL,
    activate: () => app.focus({ steal: true }),
    log,
  });
  const openSettings = () => {
    popover.hide();
    settingsWindow.open();
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ openSettings })));

  const tray = new Tray(nativeImage.createFromPath(ICONS.grey));
  const trayController = new TrayController({
    tray,
    createImage: (file) => {
      const image = nativeImage.createFromPath(file);
      image.setTemplateImage(isTemplateIcon(file));
      return image;
    },
    iconPaths: ICONS,
    buildMenu: (items) => Menu.buildFromTemplate(items),
    platform: process.platform,
    swapTitle: process.platform === 'darwin',
    handlers: {
      toggle: (bounds) => popover.toggle(bounds),
      open: () => popover.show({ bounds: tray.getBounds() }),
      snoozeHour: () => {
        engine.snooze({ scope: 'all' }, '1h').catch((error: unknown) => log(`snooze failed: ${String(error)}`));
      },
      settings: openSettings,
      launchAtLogin: () => loginItem.enabled() || settings.launchAtLogin(),
      setLaunchAtLogin: (on) => void saveLaunchAtLogin(engine, on),
      quit: () => app.quit(),
    },
  });

  const notifications = new NotificationCenter({
    Notification,
    isSupported: () => Notification.isSupported(),
    open: (incidentId) => popover.show({ bounds: tray.getBounds(), ...(incidentId ? { incidentId } : {}) }),
    offerFor: (incidentId) => incidentOffer(engine.currentState(), incidentId),
    // The popover opens at the action's confirm dialog; the action runs only from there.
    confirm: (incidentId, actionId) => popover.show({ bounds: tray.getBounds(), incidentId, confirmActionId: actionId }),
    platform: process.platform,
    log,
  });
  followPower(powerMonitor, engine, log);

  const shortcut = new GlobalShortcut(globalShortcut, () => popover.show({ bounds: tray.getBounds() }), log);
  const followConfig = () => {
    const config = settings.read();
    if (config.ok) {
      loginItem.apply(config.value.launchAtLogin === true);
      shortcut.apply(config.value.app?.globalShortcut ?? null);
    } else log(config.reason);
  };
  settings.onChange(followConfig);
  followConfig();

  registerIpc(ipcMain, {
    engine,
    pageUrl: PAGE_URL,
    log,
    now: () => Date.now(),
    onActionResult: (result, offer) => {
      if (!popover.isVisible()) notifications.actionOutcome(result, offer);
    },
    onConfigSaved: followConfig,
    otherPages: [SETTINGS_PAGE_URL],
    configFacts: () => configFacts(app.getPath('home')),
    openSettings,
    closeWindow: (frameUrl) => {
      if (isOwnPage(frameUrl, SETTINGS_PAGE_URL)) settingsWindow.close();
      else popover.hide();
    },
  });

  const render = (state: State) => {
    trayController.update(state);
    popover.pushState(state);
  };
  engine.subscribe(render);
  engine.onNotification((notification) => notifications.show(notification));
  render(engine.currentState());
  watchThermalState(powerMonitor, engine, log);
  tuneLongRun(engine);
  engine.start();
  const metrics = startAppMetrics(engine);

  app.on('second-instance', () => popover.show({ bounds: tray.getBounds() }));
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    settings.close();
    shortcut.apply(null);
    settingsWindow.dispose();
    popover.dispose();
    metrics
      .then((server) => server?.close())
      .then(() => engine.stop())
      .catch((error: unknown) => log(`engine stop failed: ${String(error)}`))
      .finally(() => app.exit(0));
  });
}

/** /metrics on its own port when the config's `metrics` asks (read at start: a change needs a restart). */
async function startAppMetrics(engine: EngineHandle): Promise<RunningMetricsServer | null> {
  try {
    const config = resolveConfig(await engine.getConfig(), app.getPath('home')).metrics;
    if (!config) return null;
    return await startMetricsServer({ ...(await metricsOptionsFrom(config)), getState: () => engine.currentState(), log });
  } catch (error) {
    log(`metrics not served: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

async function saveLaunchAtLogin(engine: EngineHandle, on: boolean): Promise<void> {
  try {
    const config = await engine.getConfig();
    const saved = await engine.setConfig({ ...config, launchAtLogin: on });
    if (!saved.ok) log(`launch at login not saved: ${saved.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  } catch (error) {
    log(`launch at login not saved: ${String(error)}`);
  }
}

main();
