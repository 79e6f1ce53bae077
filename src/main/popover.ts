/**
 * The popover window: created when first opened, hidden on blur, destroyed after it has stayed
 * hidden for a while. A hidden Electron window kept alive costs 100+ MB; a monitor of memory
 * must not be the thing holding it.
 */
import type { State } from '../common/state.js';
import { STATE_PUSH } from '../common/ipc.js';
import type { Rect } from './tray.js';
import { guardContents, hardenedWebPreferences, type GuardedContents, type HardenedWebPreferences } from './security.js';

export const POPOVER_WIDTH = 360;
export const POPOVER_HEIGHT = 560;
/** The window follows its content's height between these, so a calm popover is one line tall. */
export const POPOVER_MIN_HEIGHT = 96;
export const POPOVER_MAX_HEIGHT = 720;
export const DEFAULT_DESTROY_AFTER_MS = 3 * 60_000;
/** A click on the tray icon blurs the popover before the click arrives; that click meant "close". */
const BLUR_CLICK_GRACE_MS = 300;

export interface PopoverWindowOptions {
  width: number;
  height: number;
  show: false;
  frame: false;
  resizable: false;
  movable: false;
  minimizable: false;
  maximizable: false;
  fullscreenable: false;
  skipTaskbar: true;
  alwaysOnTop: true;
  backgroundColor: string;
  webPreferences: HardenedWebPreferences;
}

export function popoverWindowOptions(preload: string, opts: { backgroundColor: string; devTools: boolean }): PopoverWindowOptions {
  return {
    width: POPOVER_WIDTH,
    height: POPOVER_HEIGHT,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    backgroundColor: opts.backgroundColor,
    webPreferences: hardenedWebPreferences(preload, opts.devTools),
  };
}

/** Under the tray icon, centred on it, kept inside the display's work area; above it when the bar is at the bottom. */
export function popoverPosition(tray: Rect, size: { width: number; height: number }, workArea: Rect): { x: number; y: number } {
  const centre = tray.x + tray.width / 2;
  let x = Math.round(centre - size.width / 2);
  const trayInLowerHalf = tray.y + tray.height / 2 > workArea.y + workArea.height / 2;
  let y = trayInLowerHalf ? tray.y - size.height : tray.y + tray.height;
  x = Math.min(Math.max(x, workArea.x), workArea.x + workArea.width - size.width);
  y = Math.min(Math.max(y, workArea.y), workArea.y + workArea.height - size.height);
  return { x, y };
}

/** The part of Electron's BrowserWindow this module uses. */
export interface PopoverWindow {
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  destroy(): void;
  isDestroyed(): boolean;
  isVisible(): boolean;
  setPosition(x: number, y: number): void;
  setSize(width: number, height: number): void;
  on(event: 'blur' | 'closed', listener: () => void): unknown;
  webContents: GuardedContents & {
    send(channel: string, ...args: unknown[]): void;
    on(event: 'preferred-size-changed', listener: (event: unknown, size: { width: number; height: number }) => void): unknown;
  };
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface PopoverOptions<W extends PopoverWindow> {
  createWindow(options: PopoverWindowOptions): W;
  windowOptions: PopoverWindowOptions;
  /** The page's URL, app://warden/index.html (see app-protocol.ts). */
  pageUrl: string;
  workAreaFor(bounds: Rect): Rect;
  timers: Timers;
  destroyAfterMs?: number;
  hideOnBlur?: boolean;
  currentState(): State;
  log(line: string): void;
}

export interface ShowRequest {
  /** The tray icon's bounds; the popover opens under them. */
  bounds?: Rect;
  /** Open at this incident (a notification was clicked). */
  incidentId?: string;
  /** Open this offered action's confirm dialog (a notification's button): the operator still confirms. */
  confirmActionId?: string;
}

export class PopoverController<W extends PopoverWindow> {
  private window: W | null = null;
  private destroyTimer: unknown = null;
  private lastBounds: Rect | null = null;
  private lastBlurHideAt = Number.NEGATIVE_INFINITY;
  private loadedHash = '';
  private height: number;

  constructor(private readonly opts: PopoverOptions<W>) {
    this.height = opts.windowOptions.height;
  }

  toggle(bounds: Rect): void {
    if (this.isVisible()) {
      this.hide();
      return;
    }
    if (this.opts.timers.now() - this.lastBlurHideAt < BLUR_CLICK_GRACE_MS) return;
    this.show({ bounds });
  }

  show(request: ShowRequest = {}): void {
    this.cancelDestroy();
    if (request.bounds) this.lastBounds = request.bounds;
    const hash = pageHash(request);
    let win = this.window;
    if (!win || win.isDestroyed()) {
      win = this.create();
      this.load(win, hash);
    } else if (hash !== '' && hash !== this.loadedHash) {
      this.load(win, hash);
    } else {
      // Pushes to a hidden window are skipped, so it may be behind: bring it up to date first.
      win.webContents.send(STATE_PUSH, this.opts.currentState());
    }
    this.place(win);
    win.show();
    win.focus();
  }

  private place(win: W): void {
    if (!this.lastBounds) return;
    const size = { width: this.opts.windowOptions.width, height: this.height };
    const position = popoverPosition(this.lastBounds, size, this.opts.workAreaFor(this.lastBounds));
    win.setPosition(position.x, position.y);
  }

  /** Fits the window to its content, within the screen; re-placed so a bottom bar keeps it above the icon. */
  private fit(win: W, contentHeight: number): void {
    const workArea = this.lastBounds ? this.opts.workAreaFor(this.lastBounds) : null;
    const max = Math.min(POPOVER_MAX_HEIGHT, workArea ? workArea.height - 8 : POPOVER_MAX_HEIGHT);
    const height = Math.round(Math.min(Math.max(contentHeight, POPOVER_MIN_HEIGHT), max));
    if (height === this.height) return;
    this.height = height;
    win.setSize(this.opts.windowOptions.width, height);
    this.place(win);
  }

  hide(): void {
    const win = this.window;
    if (!win || win.isDestroyed()) return;
    if (win.isVisible()) win.hide();
    this.scheduleDestroy();
  }

  isVisible(): boolean {
    const win = this.window;
    return win !== null && !win.isDestroyed() && win.isVisible();
  }

  /** True while a window exists (shown or hidden but not yet destroyed). */
  exists(): boolean {
    return this.window !== null && !this.window.isDestroyed();
  }

  pushState(state: State): void {
    if (this.isVisible()) this.window!.webContents.send(STATE_PUSH, state);
  }

  dispose(): void {
    this.cancelDestroy();
    if (this.window && !this.window.isDestroyed()) this.window.destroy();
    this.window = null;
  }

  private create(): W {
    const win = this.opts.createWindow(this.opts.windowOptions);
    guardContents(win.webContents, this.opts.log);
    win.webContents.on('preferred-size-changed', (_event, size) => {
      if (!win.isDestroyed()) this.fit(win, size.height);
    });
    win.on('blur', () => {
      if (this.opts.hideOnBlur === false) return;
      this.lastBlurHideAt = this.opts.timers.now();
      this.hide();
    });
    win.on('closed', () => {
      this.cancelDestroy();
      if (this.window === win) this.window = null;
    });
    this.window = win;
    return win;
  }

  private load(win: W, hash: string): void {
    this.loadedHash = hash;
    win.loadURL(hash ? `${this.opts.pageUrl}#${hash}` : this.opts.pageUrl).catch((error: unknown) => {
      this.opts.log(`popover page failed to load: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private scheduleDestroy(): void {
    this.cancelDestroy();
    const after = this.opts.destroyAfterMs ?? DEFAULT_DESTROY_AFTER_MS;
    this.destroyTimer = this.opts.timers.setTimeout(() => {
      this.destroyTimer = null;
      const win = this.window;
      if (!win || win.isDestroyed() || win.isVisible()) return;
      win.destroy();
      this.window = null;
      this.loadedHash = '';
    }, after);
  }

  private cancelDestroy(): void {
    if (this.destroyTimer !== null) this.opts.timers.clearTimeout(this.destroyTimer);
    this.destroyTimer = null;
  }
}

/** The page reads where to open from its fragment, never from a query the page would have to trust. */
export function pageHash(request: ShowRequest): string {
  const params = new URLSearchParams();
  if (request.incidentId) params.set('incident', request.incidentId);
  if (request.confirmActionId) params.set('confirm', request.confirmActionId);
  return params.toString();
}
