import { describe, expect, it } from 'vitest';
import {
  POPOVER_HEIGHT,
  POPOVER_WIDTH,
  PopoverController,
  type PopoverWindow,
  type PopoverWindowOptions,
  popoverPosition,
  popoverWindowOptions,
  type Timers,
} from '../../../src/main/popover.js';
import type { PreventableEvent } from '../../../src/main/security.js';
import type { State } from '../../../src/common/state.js';
import { greenState, redState } from '../../support/states.js';

class FakeContents {
  sent: Array<{ channel: string; args: unknown[] }> = [];
  listeners = new Map<string, (...args: never[]) => void>();
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  send(channel: string, ...args: unknown[]) {
    this.sent.push({ channel, args });
  }
  on(event: string, listener: (...args: never[]) => void) {
    this.listeners.set(event, listener);
    return this;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
    this.openHandler = handler;
  }
  fire(event: string, ...args: unknown[]) {
    (this.listeners.get(event) as (...a: unknown[]) => void)(...args);
  }
}

class FakeWindow implements PopoverWindow {
  visible = false;
  destroyed = false;
  loads: string[] = [];
  positions: Array<[number, number]> = [];
  sizes: Array<[number, number]> = [];
  listeners = new Map<string, () => void>();
  webContents = new FakeContents();
  constructor(readonly options: PopoverWindowOptions) {}
  async loadURL(url: string) {
    this.loads.push(url);
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  destroy() {
    this.destroyed = true;
    this.visible = false;
    this.listeners.get('closed')?.();
  }
  isDestroyed() {
    return this.destroyed;
  }
  isVisible() {
    return this.visible;
  }
  setPosition(x: number, y: number) {
    this.positions.push([x, y]);
  }
  setSize(width: number, height: number) {
    this.sizes.push([width, height]);
  }
  on(event: 'blur' | 'closed', listener: () => void) {
    this.listeners.set(event, listener);
    return this;
  }
}

/** Timers that fire only when the test moves the clock. */
class ManualTimers implements Timers {
  time = 0;
  private queue: Array<{ at: number; fn: () => void; id: number }> = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.queue.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  now() {
    return this.time;
  }
  advance(ms: number) {
    this.time += ms;
    const due = this.queue.filter((t) => t.at <= this.time);
    this.queue = this.queue.filter((t) => t.at > this.time);
    for (const t of due) t.fn();
  }
  pending() {
    return this.queue.length;
  }
}

const TRAY = { x: 1000, y: 0, width: 24, height: 24 };
const WORK = { x: 0, y: 25, width: 1512, height: 957 };

function setup(state: State = greenState()) {
  const windows: FakeWindow[] = [];
  const timers = new ManualTimers();
  const logs: string[] = [];
  let current = state;
  const popover = new PopoverController<FakeWindow>({
    createWindow: (options) => {
      const win = new FakeWindow(options);
      windows.push(win);
      return win;
    },
    windowOptions: popoverWindowOptions('/app/dist/preload/preload.cjs', { backgroundColor: '#f6f6f6', devTools: false }),
    pageUrl: 'app://warden/index.html',
    workAreaFor: () => WORK,
    timers,
    destroyAfterMs: 180_000,
    currentState: () => current,
    log: (line) => logs.push(line),
  });
  return { popover, windows, timers, logs, setState: (s: State) => (current = s) };
}

describe('popover window options', () => {
  it('are the secure ones: isolated, sandboxed, no node, the preload, no frame', () => {
    const options = popoverWindowOptions('/app/dist/preload/preload.cjs', { backgroundColor: '#000', devTools: false });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
      preload: '/app/dist/preload/preload.cjs',
    });
    expect(options).toMatchObject({ frame: false, show: false, width: POPOVER_WIDTH, resizable: false, skipTaskbar: true });
  });
});

describe('popoverPosition', () => {
  it('centres under the icon', () => {
    expect(popoverPosition({ x: 800, y: 0, width: 24, height: 24 }, { width: 360, height: 560 }, WORK)).toEqual({ x: 632, y: 25 });
  });

  it('stays inside the work area at the right edge', () => {
    expect(popoverPosition({ x: 1490, y: 0, width: 22, height: 24 }, { width: 360, height: 560 }, WORK)).toEqual({ x: 1152, y: 25 });
  });

  it('opens above the icon when the bar is at the bottom', () => {
    const work = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(popoverPosition({ x: 1800, y: 1040, width: 24, height: 40 }, { width: 360, height: 560 }, work)).toEqual({ x: 1560, y: 480 });
  });
});

describe('PopoverController', () => {
  it('creates the window lazily, once, and loads the page', () => {
    const { popover, windows } = setup();
    expect(windows).toHaveLength(0);
    popover.show({ bounds: TRAY });
    popover.hide();
    popover.show({ bounds: TRAY });
    expect(windows).toHaveLength(1);
    expect(windows[0]!.loads).toEqual(['app://warden/index.html']);
    expect(windows[0]!.options.webPreferences.sandbox).toBe(true);
    expect(windows[0]!.positions.at(-1)).toEqual([832, 25]);
  });

  it('blocks navigation and new windows in the page', () => {
    const { popover, windows, logs } = setup();
    popover.show({ bounds: TRAY });
    const contents = windows[0]!.webContents;
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      const e: PreventableEvent = { preventDefault: () => (prevented = true) };
      contents.fire(event, e, 'https://evil.example/');
      expect(prevented, event).toBe(true);
    }
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(logs.some((l) => l.includes('refused navigation to https://evil.example/'))).toBe(true);
  });

  it('hides on blur and is destroyed after staying hidden long enough', () => {
    const { popover, windows, timers } = setup();
    popover.show({ bounds: TRAY });
    windows[0]!.listeners.get('blur')!();
    expect(windows[0]!.visible).toBe(false);
    expect(windows[0]!.destroyed).toBe(false);
    timers.advance(179_999);
    expect(windows[0]!.destroyed).toBe(false);
    timers.advance(1);
    expect(windows[0]!.destroyed).toBe(true);
    expect(popover.exists()).toBe(false);
    popover.show({ bounds: TRAY });
    expect(windows).toHaveLength(2);
  });

  it('is kept when shown again before the timer runs out', () => {
    const { popover, windows, timers } = setup();
    popover.show({ bounds: TRAY });
    popover.hide();
    timers.advance(100_000);
    popover.show({ bounds: TRAY });
    expect(timers.pending()).toBe(0);
    timers.advance(500_000);
    expect(windows[0]!.destroyed).toBe(false);
    expect(windows).toHaveLength(1);
  });

  it('the tray click that blurred it closes it rather than reopening it', () => {
    const { popover, windows, timers } = setup();
    popover.toggle(TRAY);
    expect(windows[0]!.visible).toBe(true);
    windows[0]!.listeners.get('blur')!();
    timers.advance(50);
    popover.toggle(TRAY);
    expect(windows[0]!.visible).toBe(false);
    timers.advance(1000);
    popover.toggle(TRAY);
    expect(windows[0]!.visible).toBe(true);
  });

  it('pushes States only while visible, and brings a reshown window up to date at once', () => {
    const { popover, windows, setState } = setup();
    popover.show({ bounds: TRAY });
    const contents = windows[0]!.webContents;
    popover.pushState(redState());
    expect(contents.sent).toHaveLength(1);
    popover.hide();
    popover.pushState(greenState());
    expect(contents.sent).toHaveLength(1);
    const latest = redState();
    setState(latest);
    popover.show({ bounds: TRAY });
    expect(contents.sent.at(-1)).toEqual({ channel: 'state:push', args: [latest] });
  });

  it('opens at an incident from a notification through the page fragment', () => {
    const { popover, windows } = setup(redState());
    popover.show({ bounds: TRAY });
    popover.hide();
    popover.show({ incidentId: 'inc-1' });
    expect(windows[0]!.loads.at(-1)).toBe('app://warden/index.html#incident=inc-1');
  });

  it('fits its height to the content, within the screen', () => {
    const { popover, windows } = setup();
    popover.show({ bounds: TRAY });
    const contents = windows[0]!.webContents;
    contents.fire('preferred-size-changed', {}, { width: 360, height: 118 });
    contents.fire('preferred-size-changed', {}, { width: 360, height: 118 });
    contents.fire('preferred-size-changed', {}, { width: 360, height: 5000 });
    contents.fire('preferred-size-changed', {}, { width: 360, height: 10 });
    expect(windows[0]!.sizes).toEqual([
      [360, 118],
      [360, 720],
      [360, 96],
    ]);
    expect(POPOVER_HEIGHT).toBeGreaterThan(96);
  });
});
