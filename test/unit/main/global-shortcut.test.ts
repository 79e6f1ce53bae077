import { describe, expect, it } from 'vitest';
import { GlobalShortcut, type GlobalShortcutLike } from '../../../src/main/global-shortcut.js';
import { checkConfig, resolveConfig } from '../../../src/engine/config.js';

/** As Electron's: one holder per accelerator; "taken" ones belong to another app. */
function shortcuts(taken: string[] = []) {
  const held = new Map<string, () => void>();
  const calls: string[] = [];
  const surface: GlobalShortcutLike = {
    register(accelerator, callback) {
      calls.push(`register ${accelerator}`);
      if (taken.includes(accelerator) || held.has(accelerator)) return false;
      held.set(accelerator, callback);
      return true;
    },
    unregister(accelerator) {
      calls.push(`unregister ${accelerator}`);
      held.delete(accelerator);
    },
  };
  return { surface, held, calls };
}

describe('the opt-in global shortcut', () => {
  it('is off by default: the resolved config holds none', () => {
    expect(resolveConfig({}, '/Users/op').app).toEqual({ globalShortcut: null });
  });

  it('takes the configured accelerator, opens the popover with it, and follows a change', () => {
    const { surface, held, calls } = shortcuts();
    let opened = 0;
    const logs: string[] = [];
    const shortcut = new GlobalShortcut(surface, () => opened++, (l) => logs.push(l));
    shortcut.apply(null);
    expect(calls).toEqual([]);
    shortcut.apply('CmdOrCtrl+Shift+M');
    held.get('CmdOrCtrl+Shift+M')!();
    expect(opened).toBe(1);
    shortcut.apply('CmdOrCtrl+Shift+M');
    shortcut.apply('Alt+Space');
    shortcut.apply(null);
    expect(calls).toEqual(['register CmdOrCtrl+Shift+M', 'unregister CmdOrCtrl+Shift+M', 'register Alt+Space', 'unregister Alt+Space']);
    expect(held.size).toBe(0);
    expect(logs).toEqual(['global shortcut CmdOrCtrl+Shift+M opens Warden', 'global shortcut Alt+Space opens Warden']);
  });

  it('says so when another app holds it, and holds nothing', () => {
    const { surface } = shortcuts(['CmdOrCtrl+Space']);
    const logs: string[] = [];
    const shortcut = new GlobalShortcut(surface, () => undefined, (l) => logs.push(l));
    shortcut.apply('CmdOrCtrl+Space');
    expect(shortcut.held()).toBeNull();
    expect(logs).toEqual(['global shortcut CmdOrCtrl+Space not taken: another app holds it; choose another in Settings']);
  });

  it.each([
    ['CmdOrCtrl+Shift+M', true],
    ['Alt+F12', true],
    ['M', false],
    ['Shift', false],
    ['CmdOrCtrl+Shift+M; rm -rf /', false],
  ])('the schema takes %j: %s', (accelerator, ok) => {
    expect(checkConfig({ app: { globalShortcut: accelerator } }).length === 0).toBe(ok);
  });
});
