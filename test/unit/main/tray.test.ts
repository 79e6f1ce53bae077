import { describe, expect, it } from 'vitest';
import { type MenuItemSpec, type Rect, TrayController, type TrayHandlers, type TrayLike, trayLevel, trayTitle } from '../../../src/main/tray.js';
import { amberState, greenState, redState, staleState } from '../../support/states.js';

type Image = { path: string };
type Menu = { items: MenuItemSpec[] };

class FakeTray implements TrayLike<Image, Menu> {
  images: Image[] = [];
  toolTips: string[] = [];
  titles: string[] = [];
  contextMenus: (Menu | null)[] = [];
  popped: Menu[] = [];
  listeners = new Map<string, (event: unknown, bounds: Rect) => void>();
  setImage(image: Image) {
    this.images.push(image);
  }
  setToolTip(text: string) {
    this.toolTips.push(text);
  }
  setTitle(title: string) {
    this.titles.push(title);
  }
  setContextMenu(menu: Menu | null) {
    this.contextMenus.push(menu);
  }
  popUpContextMenu(menu?: Menu) {
    if (menu) this.popped.push(menu);
  }
  getBounds(): Rect {
    return { x: 1200, y: 0, width: 22, height: 24 };
  }
  on(event: 'click' | 'right-click', listener: (event: unknown, bounds: Rect) => void) {
    this.listeners.set(event, listener);
    return this;
  }
}

function setup(opts: { platform?: NodeJS.Platform; swapTitle?: boolean } = {}) {
  const tray = new FakeTray();
  const calls: string[] = [];
  let loginOn = false;
  const created: string[] = [];
  const handlers: TrayHandlers = {
    toggle: (bounds) => calls.push(`toggle ${bounds.x},${bounds.y}`),
    open: () => calls.push('open'),
    snoozeHour: () => calls.push('snooze'),
    settings: () => calls.push('settings'),
    launchAtLogin: () => loginOn,
    setLaunchAtLogin: (on) => {
      loginOn = on;
      calls.push(`login ${on}`);
    },
    quit: () => calls.push('quit'),
  };
  const controller = new TrayController<Image, Menu>({
    tray,
    createImage: (path) => {
      created.push(path);
      return { path };
    },
    iconPaths: { green: 'g.png', amber: 'a.png', red: 'r.png', grey: 'x.png' },
    buildMenu: (items) => ({ items }),
    handlers,
    platform: opts.platform ?? 'darwin',
    swapTitle: opts.swapTitle ?? true,
  });
  return { tray, controller, calls, created };
}

describe('tray level', () => {
  it('maps the State to a colour, grey when stale', () => {
    expect(trayLevel(greenState())).toBe('green');
    expect(trayLevel(amberState())).toBe('amber');
    expect(trayLevel(redState())).toBe('red');
    expect(trayLevel(staleState())).toBe('grey');
    expect(trayLevel({ ...redState(), stale: true })).toBe('grey');
  });
});

describe('TrayController', () => {
  it('redraws the image only when the level changes', () => {
    const { tray, controller } = setup();
    const now = Date.now();
    controller.update(greenState(now));
    controller.update({ ...greenState(now + 5000), headline: 'All normal: 37.5 GiB available' });
    controller.update(greenState(now + 10_000));
    expect(tray.images.map((i) => i.path)).toEqual(['g.png']);
    controller.update(redState(now + 15_000));
    controller.update(redState(now + 20_000));
    controller.update(staleState(now + 25_000));
    controller.update(greenState(now + 30_000));
    expect(tray.images.map((i) => i.path)).toEqual(['g.png', 'r.png', 'x.png', 'g.png']);
    expect(controller.currentLevel()).toBe('green');
  });

  it('loads each image once and reuses it', () => {
    const { controller, created } = setup();
    for (const state of [greenState(), redState(), greenState(), redState()]) controller.update(state);
    expect(created).toEqual(['g.png', 'r.png']);
  });

  it('tooltip is the headline, set only when it changes', () => {
    const { tray, controller } = setup();
    controller.update(redState());
    controller.update(redState());
    expect(tray.toolTips).toEqual([redState().headline]);
  });

  it('shows swap beside the icon only while amber or red', () => {
    const { tray, controller } = setup();
    controller.update(greenState());
    controller.update(redState());
    controller.update(redState());
    controller.update(greenState());
    expect(tray.titles).toEqual(['10.1 GiB swap', '']);
    expect(trayTitle(greenState())).toBe('');
  });

  it('leaves the title alone when titles are off', () => {
    const { tray, controller } = setup({ swapTitle: false });
    controller.update(redState());
    expect(tray.titles).toEqual([]);
  });

  it('left click toggles the popover at the icon', () => {
    const { tray, calls } = setup();
    tray.listeners.get('click')!({}, { x: 1200, y: 0, width: 22, height: 24 });
    expect(calls).toEqual(['toggle 1200,0']);
  });

  it('right click opens the menu: Open, Snooze 1 h, Settings, Launch at login, Quit', () => {
    const { tray, calls } = setup();
    tray.listeners.get('right-click')!({}, tray.getBounds());
    const menu = tray.popped[0]!;
    expect(menu.items.filter((i) => i.label).map((i) => i.label)).toEqual(['Open Warden', 'Snooze alerts for 1 hour', 'Settings…', 'Launch at login', 'Quit Warden']);
    const login = menu.items.find((i) => i.label === 'Launch at login')!;
    expect(login).toMatchObject({ type: 'checkbox', checked: false });
    login.click!({ checked: true });
    for (const label of ['Open Warden', 'Snooze alerts for 1 hour', 'Settings…', 'Quit Warden']) menu.items.find((i) => i.label === label)!.click!({ checked: false });
    expect(calls).toEqual(['login true', 'open', 'snooze', 'settings', 'quit']);
    // The tick is read fresh on the next right-click.
    tray.listeners.get('right-click')!({}, tray.getBounds());
    expect(tray.popped[1]!.items.find((i) => i.label === 'Launch at login')!.checked).toBe(true);
  });

  it('on Linux the menu is attached, since tray hosts there deliver no clicks', () => {
    const { tray } = setup({ platform: 'linux' });
    expect(tray.contextMenus).toHaveLength(1);
    const { tray: mac } = setup({ platform: 'darwin' });
    expect(mac.contextMenus).toHaveLength(0);
  });
});
