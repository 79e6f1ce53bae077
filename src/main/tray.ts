/**
 * The menu-bar icon: one shape per level for the whole State, readable without colour (ring,
 * dashed ring, triangle, disc with "!"; docs/levels.md). The image is swapped only when the level
 * changes (a menu-bar app that redraws every tick is the cost users complain about most).
 */
import type { State } from '../common/state.js';
import { formatBytes } from '../common/format.js';

export type TrayLevel = 'green' | 'amber' | 'red' | 'grey';
export const TRAY_LEVELS: readonly TrayLevel[] = ['green', 'amber', 'red', 'grey'];

/**
 * The image file per level in assets/ (scripts/make-icons.mjs draws them, 16 px and @2x). The
 * calm ones are template images, which macOS tints for a light, dark or tinted bar; amber and
 * red keep their colour, so they stand out on any bar.
 */
export const TRAY_ICON_FILES: Record<TrayLevel, string> = {
  green: 'trayGreenTemplate.png',
  grey: 'trayGreyTemplate.png',
  amber: 'trayAmber.png',
  red: 'trayRed.png',
};

/** macOS reads "Template" at the end of the name; Electron is told as well (setTemplateImage). */
export function isTemplateIcon(file: string): boolean {
  return /Template(@2x)?\.png$/.test(file);
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MenuItemSpec {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  click?: (item: { checked: boolean }) => void;
}

/** The part of Electron's Tray this module uses. */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setTitle(title: string): void;
  setContextMenu(menu: Menu | null): void;
  popUpContextMenu(menu?: Menu): void;
  getBounds(): Rect;
  on(event: 'click' | 'right-click', listener: (event: unknown, bounds: Rect) => void): unknown;
}

export interface TrayHandlers {
  toggle(bounds: Rect): void;
  open(): void;
  snoozeHour(): void;
  settings(): void;
  launchAtLogin(): boolean;
  setLaunchAtLogin(on: boolean): void;
  quit(): void;
}

export interface TrayOptions<Image, Menu> {
  tray: TrayLike<Image, Menu>;
  /** nativeImage.createFromPath; Electron picks the @2x file beside each path by itself. */
  createImage(path: string): Image;
  iconPaths: Record<TrayLevel, string>;
  buildMenu(items: MenuItemSpec[]): Menu;
  handlers: TrayHandlers;
  /** Linux tray hosts deliver no clicks to the icon itself, only to a context menu. */
  platform: NodeJS.Platform;
  /** Show swap used beside the icon while something is wrong (macOS menu bar only). */
  swapTitle: boolean;
}

/** Grey when stale: a colour from an old sample would be a lie about the present. */
export function trayLevel(state: State): TrayLevel {
  if (state.stale) return 'grey';
  switch (state.level) {
    case 'ok':
      return 'green';
    case 'warn':
      return 'amber';
    case 'crit':
      return 'red';
    default:
      return 'grey';
  }
}

/** Silent on green: text appears beside the icon only while the level is amber or red and swap is in use. */
export function trayTitle(state: State): string {
  const level = trayLevel(state);
  const swap = state.memory?.swapUsedBytes ?? 0;
  if ((level !== 'amber' && level !== 'red') || swap < 2 ** 30) return '';
  return `${formatBytes(swap)} swap`;
}

export class TrayController<Image, Menu> {
  private level: TrayLevel | null = null;
  private toolTip = '';
  private title = '';
  private readonly images = new Map<TrayLevel, Image>();

  constructor(private readonly opts: TrayOptions<Image, Menu>) {
    const { tray, handlers } = opts;
    tray.on('click', (_event, bounds) => handlers.toggle(bounds));
    tray.on('right-click', () => tray.popUpContextMenu(this.menu()));
    if (opts.platform === 'linux') tray.setContextMenu(this.menu());
  }

  update(state: State): void {
    const { tray } = this.opts;
    const level = trayLevel(state);
    if (level !== this.level) {
      this.level = level;
      tray.setImage(this.image(level));
    }
    const toolTip = state.headline.slice(0, 200);
    if (toolTip !== this.toolTip) {
      this.toolTip = toolTip;
      tray.setToolTip(toolTip);
    }
    if (this.opts.swapTitle) {
      const title = trayTitle(state);
      if (title !== this.title) {
        this.title = title;
        tray.setTitle(title);
      }
    }
  }

  /** Rebuilt on every right-click so the Launch-at-login tick is read fresh. */
  menu(): Menu {
    const h = this.opts.handlers;
    return this.opts.buildMenu([
      { label: 'Open Warden', click: () => h.open() },
      { label: 'Snooze alerts for 1 hour', click: () => h.snoozeHour() },
      { label: 'Settings…', click: () => h.settings() },
      { type: 'separator' },
      { label: 'Launch at login', type: 'checkbox', checked: h.launchAtLogin(), click: (item) => h.setLaunchAtLogin(item.checked) },
      { type: 'separator' },
      { label: 'Quit Warden', click: () => h.quit() },
    ]);
  }

  currentLevel(): TrayLevel | null {
    return this.level;
  }

  private image(level: TrayLevel): Image {
    let image = this.images.get(level);
    if (image === undefined) {
      image = this.opts.createImage(this.opts.iconPaths[level]);
      this.images.set(level, image);
    }
    return image;
  }
}
