import { describe, expect, it } from 'vitest';
import { type InvokeEvent, type IpcMainLike, IpcRejection, isOwnPage, registerIpc } from '../../../src/main/ipc.js';
import { checkInvoke, findOffer, INVOKE_CHANNELS } from '../../../src/common/ipc.js';
import type { ActionResult } from '../../../src/common/services.js';
import { FakeEngine } from '../../support/fake-engine.js';
import { amberState, greenState, READOPT } from '../../support/states.js';
import { seededRandom } from '../../support/seeded-random.js';
import { configFacts } from '../../../src/engine/config-facts.js';

const SETTINGS_PAGE = 'app://warden/settings.html';

const PAGE = 'app://warden/index.html';

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
  const windows: string[] = [];
  const unregister = registerIpc(ipc, {
    engine,
    pageUrl: PAGE,
    otherPages: [SETTINGS_PAGE],
    log: (line) => logs.push(line),
    now: () => 1234,
    onActionResult: (result) => results.push(result),
    onConfigSaved: () => saved++,
    configFacts: () => configFacts('/Users/op'),
    openSettings: () => windows.push('open settings'),
    closeWindow: (frameUrl) => windows.push(`close ${frameUrl}`),
  });
  return { ipc, engine, logs, results, saved: () => saved, windows, unregister };
}

describe('isOwnPage', () => {
  it('accepts the page with any fragment and nothing else', () => {
    expect(isOwnPage(PAGE, PAGE)).toBe(true);
    expect(isOwnPage(`${PAGE}#incident=inc-1`, PAGE)).toBe(true);
    expect(isOwnPage(`${PAGE}?x=1`, PAGE)).toBe(false);
    expect(isOwnPage('file:///tmp/evil/index.html', PAGE)).toBe(false);
    expect(isOwnPage('file:///index.html', PAGE)).toBe(false);
    expect(isOwnPage('app://evil/index.html', PAGE)).toBe(false);
    expect(isOwnPage('app://user@warden/index.html', PAGE)).toBe(false);
    expect(isOwnPage('app://warden/other.html', PAGE)).toBe(false);
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
    expect([...ipc.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('answers the settings page as its own, and closes the window of the page that asked', async () => {
    const { ipc, windows } = setup();
    const settings: InvokeEvent = { senderFrame: { url: SETTINGS_PAGE, parent: null } };
    const facts = (await ipc.invoke(settings, 'config:facts')) as ReturnType<typeof configFacts>;
    expect(facts.defaults['notifications.reminderHours']).toBeNull();
    expect(facts.limits['notifications.reminderHours']).toEqual({ minimum: 4, maximum: 720 });
    expect(facts.limits['thresholds.availableCritPercent']).toEqual({ minimum: 0 });
    await ipc.invoke(own, 'window:settings');
    await ipc.invoke(settings, 'window:close');
    await ipc.invoke({ senderFrame: { url: `${PAGE}#incident=inc-1`, parent: null } }, 'window:close');
    expect(windows).toEqual(['open settings', `close ${SETTINGS_PAGE}`, `close ${PAGE}#incident=inc-1`]);
    await expect(ipc.invoke({ senderFrame: { url: 'app://warden/other.html', parent: null } }, 'window:close')).rejects.toThrow(/not Warden's popover/);
    await expect(ipc.invoke({ senderFrame: { url: SETTINGS_PAGE, parent: {} } }, 'config:facts')).rejects.toThrow(/not Warden's popover/);
    await expect(ipc.invoke(settings, 'window:close', 'extra')).rejects.toThrow(/expected 0 argument/);
    expect(windows).toHaveLength(3);
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
    const { ipc, engine, saved, logs } = setup();
    await ipc.invoke(own, 'snooze:set', { scope: 'service', name: 'cathedral' }, 'tomorrow');
    expect(await ipc.invoke(own, 'config:get')).toEqual(engine.config);
    expect(await ipc.invoke(own, 'config:set', { intervalSeconds: 10 })).toEqual({ ok: true });
    expect(saved()).toBe(1);
    engine.configAnswer = { ok: false, problems: [{ field: 'intervalSeconds', message: 'must be >= 1' }] };
    expect(await ipc.invoke(own, 'config:set', { intervalSeconds: 0 })).toEqual(engine.configAnswer);
    expect(saved()).toBe(1);
    expect(logs).toContain('ipc config:set refused: intervalSeconds: must be >= 1');
    expect(await ipc.invoke(own, 'probe:test', { name: 'x', url: 'http://127.0.0.1:1/' })).toMatchObject({ measured: '200 in 41 ms' });
    expect(engine.mutations().map((c) => c.method)).toEqual(['snooze', 'setConfig', 'setConfig', 'testProbe']);
  });

  it('removes its handlers when asked', () => {
    const { ipc, unregister } = setup();
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});

describe('registerIpc under fuzzing (issue 6: security)', () => {
  const polluted = () => Object.keys(Object.prototype).concat(Object.getOwnPropertyNames(Object.prototype).filter((k) => !BUILTIN_PROTO.includes(k)));
  const BUILTIN_PROTO = Object.getOwnPropertyNames(Object.prototype);

  it.each([
    ['snooze target with __proto__', 'snooze:set', [JSON.parse('{"scope":"all","__proto__":{"polluted":1}}'), '1h'], /unknown field "__proto__"/],
    ['snooze target with constructor.prototype', 'snooze:set', [{ scope: 'all', constructor: { prototype: { polluted: 1 } } }, '1h'], /unknown field "constructor"/],
    ['snooze target whose prototype was swapped', 'snooze:set', [Object.assign(Object.create({ polluted: 1 }) as object, { scope: 'all' }), '1h'], /target: expected an object/],
    ['probe with __proto__', 'probe:test', [JSON.parse('{"name":"x","url":"http://127.0.0.1:1/","__proto__":{"polluted":1}}')], /unknown field "__proto__"/],
    ['probe supervisor with __proto__', 'probe:test', [JSON.parse('{"name":"x","url":"http://127.0.0.1:1/","supervisor":{"kind":"command","start":["x"],"__proto__":{"shell":true}}}')], /unknown field "__proto__"/],
    ['config with __proto__', 'config:set', [JSON.parse('{"__proto__":{"polluted":1}}')], /unknown field "__proto__"/],
    ['config thresholds with __proto__', 'config:set', [JSON.parse('{"thresholds":{"__proto__":{"polluted":1}}}')], /config.thresholds.__proto__: expected a finite number/],
  ])('refuses a prototype-pollution payload: %s', async (_what, channel, args, message) => {
    const { ipc, engine, logs } = setup();
    await expect(ipc.invoke(own, channel as string, ...(args as unknown[]))).rejects.toThrow(message);
    expect(engine.mutations()).toEqual([]);
    expect(logs.at(-1)).toMatch(/^ipc rejected: /);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([['__proto__'], ['constructor'], ['toString'], ['hasOwnProperty'], ['readopt:cathedral\u202e'], ['restart:../../etc']])('treats action id %j as not offered, and runs nothing', async (id) => {
    const { ipc, engine } = setup(amberState());
    const result = (await ipc.invoke(own, 'action:run', id)) as ActionResult;
    expect(result).toMatchObject({ ok: false, steps: [] });
    expect(engine.mutations()).toEqual([]);
  });

  it('5,000 seeded random calls: each either passes the contract or is rejected and logged; nothing else reaches the engine', async () => {
    const { ipc, engine, logs } = setup(amberState());
    const random = seededRandom(0x1badc0de);
    const channels = [...INVOKE_CHANNELS, 'shell:run', 'state:push', '__proto__', 'constructor', ''];
    let passed = 0;
    let rejected = 0;
    for (let i = 0; i < 5000; i++) {
      const channel = channels[Math.floor(random() * channels.length)]!;
      const args = Array.from({ length: Math.floor(random() * 3) }, () => anyValue(random, 3));
      const contract = checkInvoke(channel, args);
      const logged = logs.length;
      const mutationsBefore = engine.mutations().length;
      try {
        await ipc.invoke(own, channel, ...args);
        expect(contract.ok, `${channel} ${safeJson(args)} was answered`).toBe(true);
        passed++;
      } catch (error) {
        rejected++;
        if (ipc.handlers.has(channel)) {
          expect(error, `${channel} ${safeJson(args)}`).toBeInstanceOf(IpcRejection);
          expect(contract.ok).toBe(false);
          expect(logs.slice(logged)).toEqual([`ipc rejected: ${(contract as { problem: string }).problem}`]);
        } else {
          expect((error as Error).message).toMatch(/^No handler registered/);
        }
        expect(engine.mutations().length).toBe(mutationsBefore);
      }
    }
    // Actions ran only when the random id was one the State offers.
    const ran = engine.mutations().flatMap((c) => (c.method === 'runAction' ? [c.actionId] : []));
    expect(ran.filter((id) => findOffer(engine.currentState(), id) === null)).toEqual([]);
    expect(passed + rejected).toBe(5000);
    expect(rejected).toBeGreaterThan(4000);
    expect(polluted()).toEqual([]);
  });
});

const KEYS = ['scope', 'name', 'url', 'kind', 'start', 'port', 'services', 'thresholds', '__proto__', 'constructor', 'prototype', 'actionId', 'x'];
const STRINGS = ['all', 'service', '1h', 'tomorrow', 'off', 'readopt:cathedral', 'http://127.0.0.1:1/', 'file:///etc/passwd', '$(reboot)', '\u001b[31m', '<img src=x onerror=alert(1)>', '', 'a'.repeat(5000)];

function anyValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 0 ? 10 : 7));
  switch (pick) {
    case 0: return null;
    case 1: return undefined;
    case 2: return random() < 0.5;
    case 3: return [0, -1, 1.5, 65536, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53][Math.floor(random() * 7)];
    case 4:
    case 5: return STRINGS[Math.floor(random() * STRINGS.length)];
    case 6: return String.fromCharCode(...Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 0x2100)));
    case 7: return Array.from({ length: Math.floor(random() * 4) }, () => anyValue(random, depth - 1));
    default: {
      const value: Record<string, unknown> = {};
      let proto = false;
      for (let n = Math.floor(random() * 4); n > 0; n--) {
        const key = KEYS[Math.floor(random() * KEYS.length)]!;
        if (key === '__proto__') proto = true;
        else value[key] = anyValue(random, depth - 1);
      }
      // An own "__proto__" key, as JSON.parse and Electron's structured clone make it.
      return proto ? Object.assign(JSON.parse('{"__proto__":{"polluted":1}}') as object, value) : value;
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
