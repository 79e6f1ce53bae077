import { describe, expect, it } from 'vitest';
import { type InvokeEvent, type IpcMainLike, isOwnPage, registerIpc } from '../../src/main/ipc.js';
import type { ActionResult } from '../../src/common/services.js';
import { FakeEngine } from '../support/fake-engine.js';
import { amberState, greenState, READOPT } from '../support/states.js';

const PAGE = 'file:///Applications/Warden.app/Contents/Resources/app.asar/dist/renderer/index.html';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown) {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke would get back: Electron has no handler for an unregistered channel. */
  async invoke(event: InvokeEvent, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

const own: InvokeEvent = { senderFrame: { url: PAGE, parent: null } };

function setup(state = amberState()) {
  const ipc = new FakeIpcMain();
  const engine = new FakeEngine(state);
  const logs: string[] = [];
  const results: ActionResult[] = [];
  let saved = 0;
  const unregister = registerIpc(ipc, {
    engine,
    pageUrl: PAGE,
    log: (line) => logs.push(line),
    now: () => 1234,
    onActionResult: (result) => results.push(result),
    onConfigSaved: () => saved++,
  });
  return { ipc, engine, logs, results, saved: () => saved, unregister };
}

describe('isOwnPage', () => {
  it('accepts the page with any fragment and nothing else', () => {
    expect(isOwnPage(PAGE, PAGE)).toBe(true);
    expect(isOwnPage(`${PAGE}#incident=inc-1`, PAGE)).toBe(true);
    expect(isOwnPage(`${PAGE}?x=1`, PAGE)).toBe(false);
    expect(isOwnPage('file:///tmp/evil/index.html', PAGE)).toBe(false);
    expect(isOwnPage('http://127.0.0.1:8080/index.html', PAGE)).toBe(false);
    expect(isOwnPage('https://evil.example/dist/renderer/index.html', PAGE)).toBe(false);
    expect(isOwnPage('not a url', PAGE)).toBe(false);
  });
});

describe('registerIpc', () => {
  it('answers state:get at once with the current State', async () => {
    const { ipc, engine } = setup(greenState());
    expect(await ipc.invoke(own, 'state:get')).toBe(engine.currentState());
  });

  it.each([
    ['a page from the web', { senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['another local file', { senderFrame: { url: 'file:///tmp/evil.html', parent: null } }],
    ['a subframe of our page', { senderFrame: { url: PAGE, parent: {} } }],
    ['a frame that is gone', { senderFrame: null }],
  ])('rejects and logs a call from %s', async (_what, event) => {
    const { ipc, engine, logs } = setup();
    await expect(ipc.invoke(event as InvokeEvent, 'action:run', READOPT.id)).rejects.toThrow(/sender is not Warden's popover/);
    expect(engine.mutations()).toEqual([]);
    expect(logs.at(-1)).toMatch(/^ipc action:run rejected: sender/);
  });

  it('rejects and logs wrong-typed or extra arguments without calling the engine', async () => {
    const { ipc, engine, logs } = setup();
    await expect(ipc.invoke(own, 'action:run', 42)).rejects.toThrow('action:run: actionId: expected a string, got a number');
    await expect(ipc.invoke(own, 'snooze:set', { scope: 'all' }, '1h', 'extra')).rejects.toThrow(/expected 2 argument/);
    await expect(ipc.invoke(own, 'config:set', 'not an object')).rejects.toThrow(/config: expected an object/);
    await expect(ipc.invoke(own, 'probe:test', { name: 'x', url: 'file:///etc/passwd' })).rejects.toThrow(/must be an http/);
    expect(engine.mutations()).toEqual([]);
    expect(logs.filter((l) => l.startsWith('ipc rejected:'))).toHaveLength(4);
  });

  it('has no handler for a channel outside the contract', async () => {
    const { ipc } = setup();
    await expect(ipc.invoke(own, 'shell:run', 'rm -rf /')).rejects.toThrow(/No handler registered/);
    expect([...ipc.handlers.keys()].sort()).toEqual(['action:run', 'config:get', 'config:set', 'history:memory', 'probe:test', 'snooze:set', 'state:get']);
  });

  it('refuses an action the current State does not offer, and does nothing', async () => {
    const { ipc, engine, logs } = setup(greenState());
    const result = (await ipc.invoke(own, 'action:run', READOPT.id)) as ActionResult;
    expect(result).toMatchObject({ id: READOPT.id, ok: false, steps: [], startedAt: 1234 });
    expect(engine.mutations()).toEqual([]);
    expect(logs.at(-1)).toMatch(/refused: "readopt:cathedral" is not offered/);
  });

  it('runs an offered action and reports its outcome to the shell', async () => {
    const { ipc, engine, results } = setup(amberState());
    const result = (await ipc.invoke(own, 'action:run', READOPT.id)) as ActionResult;
    expect(result.ok).toBe(true);
    expect(engine.mutations()).toEqual([{ method: 'runAction', actionId: READOPT.id }]);
    expect(results).toEqual([result]);
  });

  it('passes snooze, config and probe through once checked', async () => {
    const { ipc, engine, saved } = setup();
    await ipc.invoke(own, 'snooze:set', { scope: 'service', name: 'cathedral' }, 'tomorrow');
    expect(await ipc.invoke(own, 'config:get')).toEqual(engine.config);
    expect(await ipc.invoke(own, 'config:set', { intervalSeconds: 10 })).toEqual({ ok: true });
    expect(saved()).toBe(1);
    engine.configAnswer = { ok: false, problems: [{ field: 'intervalSeconds', message: 'must be >= 1' }] };
    expect(await ipc.invoke(own, 'config:set', { intervalSeconds: 0 })).toEqual(engine.configAnswer);
    expect(saved()).toBe(1);
    expect(await ipc.invoke(own, 'probe:test', { name: 'x', url: 'http://127.0.0.1:1/' })).toMatchObject({ measured: '200 in 41 ms' });
    expect(engine.mutations().map((c) => c.method)).toEqual(['snooze', 'setConfig', 'setConfig', 'testProbe']);
  });

  it('removes its handlers when asked', () => {
    const { ipc, unregister } = setup();
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});
