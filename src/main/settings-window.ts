/**
 * The settings window: a small ordinary window (title bar, ⌘W closes it), opened by ⌘, from the
 * app menu, by the tray menu and by the popover's Settings button. One at a time: asking again
 * brings the open one forward. Closed, it is destroyed, so it costs nothing while unused. It has
 * the popover's hardened webPreferences and the same guards on its contents.
 */
import { guardContents, hardenedWebPreferences, type GuardedContents, type HardenedWebPreferences } from './security.js';

export const SETTINGS_WIDTH = 520;
export const SETTINGS_HEIGHT = 640;

export interface SettingsWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: false;
  resizable: true;
  minimizable: false;
  maximizable: false;
  fullscreenable: false;
  backgroundColor: string;
  webPreferences: HardenedWebPreferences;
}

export function settingsWindowOptions(preload: string, opts: { backgroundColor: string; devTools: boolean }): SettingsWindowOptions {
  return {
    width: SETTINGS_WIDTH,
    height: SETTINGS_HEIGHT,
    minWidth: 420,
    minHeight: 360,
    title: 'Warden Settings',
    show: false,
    resizable: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    backgroundColor: opts.backgroundColor,
    webPreferences: hardenedWebPreferences(preload, opts.devTools),
  };
}

/** The part of Electron's BrowserWindow this module uses. */
export interface SettingsWindow {
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  close(): void;
  destroy(): void;
  isDestroyed(): boolean;
  on(event: 'closed', listener: () => void): unknown;
  webContents: GuardedContents;
}

export interface SettingsWindowDeps<W extends SettingsWindow> {
  createWindow(options: SettingsWindowOptions): W;
  windowOptions: SettingsWindowOptions;
  /** app://warden/settings.html */
  pageUrl: string;
  /** Before showing: an agent app must come to the front for its window to take the keyboard. */
  activate?(): void;
  log(line: string): void;
}

export class SettingsWindowController<W extends SettingsWindow> {
  private window: W | null = null;

  constructor(private readonly deps: SettingsWindowDeps<W>) {}

  open(): void {
    const existing = this.window;
    if (existing && !existing.isDestroyed()) {
      this.deps.activate?.();
      existing.show();
      existing.focus();
      return;
    }
    const win = this.deps.createWindow(this.deps.windowOptions);
    guardContents(win.webContents, this.deps.log);
    win.on('closed', () => {
      if (this.window === win) this.window = null;
    });
    this.window = win;
    win.loadURL(this.deps.pageUrl).then(
      () => {
        if (win.isDestroyed()) return;
        this.deps.activate?.();
        win.show();
        win.focus();
      },
      (error: unknown) => this.deps.log(`settings page failed to load: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  isOpen(): boolean {
    return this.window !== null && !this.window.isDestroyed();
  }

  close(): void {
    if (this.window && !this.window.isDestroyed()) this.window.close();
  }

  dispose(): void {
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = null;
  }
}
