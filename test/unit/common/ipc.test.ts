import { describe, expect, it } from 'vitest';
import { checkInvoke, findOffer, INVOKE_CHANNELS, isInvokeChannel, notOffered, offeredActions } from '../../../src/common/ipc.js';
import { amberState, greenState, READOPT, RELEASE_LOCK, RESTART_EMBED } from '../../support/states.js';

const problem = (channel: unknown, args: unknown[]) => {
  const checked = checkInvoke(channel, args);
  return checked.ok ? null : checked.problem;
};

describe('IPC contract: channels', () => {
  it('knows exactly the ten invoke channels', () => {
    expect([...INVOKE_CHANNELS].sort()).toEqual(['action:run', 'config:facts', 'config:get', 'config:set', 'history:memory', 'probe:test', 'snooze:set', 'state:get', 'window:close', 'window:settings']);
    expect(isInvokeChannel('state:push')).toBe(false);
  });

  it('history:memory takes no argument', () => {
    expect(checkInvoke('history:memory', []).ok).toBe(true);
    expect(checkInvoke('history:memory', [1])).toEqual({ ok: false, problem: 'history:memory: expected 0 argument(s) (none), got 1' });
  });

  it.each([['shell:run'], ['state:push'], [''], [42], [null], ['__proto__'], ['constructor']])('refuses unknown channel %j', (channel) => {
    expect(problem(channel, [])).toMatch(/^unknown channel/);
  });

  it('accepts every channel with well-formed arguments', () => {
    const good: Array<[string, unknown[]]> = [
      ['state:get', []],
      ['config:get', []],
      ['action:run', ['readopt:cathedral']],
      ['snooze:set', [{ scope: 'all' }, '1h']],
      ['snooze:set', [{ scope: 'service', name: 'cathedral' }, 'tomorrow']],
      ['snooze:set', [{ scope: 'all' }, 'off']],
      ['config:set', [{}]],
      ['config:set', [{ $schema: './schema.json', intervalSeconds: 5, services: [{ name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models' }], thresholds: { topByMemory: 5 }, notifications: { quietHours: null } }]],
      ['probe:test', [{ name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models', timeoutSeconds: 2, supervisor: { kind: 'launchd', label: 'com.sanctum.mlx' } }]],
      ['probe:test', [{ name: 'x', port: 8080, supervisor: { kind: 'command', start: ['llama-server', '--port', '8080'] } }]],
    ];
    for (const [channel, args] of good) expect(problem(channel, args), `${channel} ${JSON.stringify(args)}`).toBeNull();
  });
});

describe('IPC contract: argument counts', () => {
  it('refuses extra arguments', () => {
    expect(problem('state:get', [1])).toBe('state:get: expected 0 argument(s) (none), got 1');
    expect(problem('action:run', ['a', 'b'])).toMatch(/expected 1 argument\(s\) \(actionId\), got 2/);
    expect(problem('snooze:set', [{ scope: 'all' }, '1h', 'extra'])).toMatch(/got 3/);
  });

  it('refuses missing arguments', () => {
    expect(problem('action:run', [])).toMatch(/got 0/);
    expect(problem('snooze:set', [{ scope: 'all' }])).toMatch(/got 1/);
  });
});

describe('IPC contract: wrong types', () => {
  it.each([
    [42, /actionId: expected a string, got a number/],
    ['', /actionId: must not be empty/],
    [{ id: 'x' }, /expected a string, got an object/],
    ['x'.repeat(301), /at most 300/],
    ['restart:\u0000cathedral', /control characters/],
  ])('action:run(%j) is refused', (actionId, message) => {
    expect(problem('action:run', [actionId])).toMatch(message);
  });

  it('snooze targets and durations are checked', () => {
    expect(problem('snooze:set', [{ scope: 'service' }, '1h'])).toMatch(/target.name: is required/);
    expect(problem('snooze:set', [{ scope: 'all', extra: 1 }, '1h'])).toMatch(/unknown field "extra"/);
    expect(problem('snooze:set', [{ scope: 'everything' }, '1h'])).toMatch(/target.scope: must be one of/);
    expect(problem('snooze:set', [{ scope: 'all' }, '2h'])).toMatch(/duration: must be one of "1h", "tomorrow", "off"/);
    expect(problem('snooze:set', ['all', '1h'])).toMatch(/target: expected an object/);
  });

  it('config:set wants a JSON object with the known fields, each of the right kind', () => {
    expect(problem('config:set', ['{}'])).toMatch(/expected an object, got a string/);
    expect(problem('config:set', [[]])).toMatch(/expected an object, got an array/);
    expect(problem('config:set', [null])).toMatch(/expected an object, got null/);
    expect(problem('config:set', [{ pollEvery: 5 }])).toMatch(/unknown field "pollEvery"/);
    expect(problem('config:set', [{ services: {} }])).toMatch(/config.services: expected an array/);
    expect(problem('config:set', [{ services: ['cathedral'] }])).toMatch(/config.services.0: expected an object/);
    expect(problem('config:set', [{ thresholds: { topByMemory: 'five' } }])).toMatch(/config.thresholds.topByMemory: expected a finite number/);
    expect(problem('config:set', [{ discovery: 'yes' }])).toMatch(/config.discovery: expected true or false/);
    expect(problem('config:set', [{ intervalSeconds: Number.NaN }])).toMatch(/finite number/);
    expect(problem('config:set', [{ services: [{ name: 'x', when: new Date(0) }] }])).toMatch(/is not JSON/);
  });

  it('config:set refuses a prototype key and absurd nesting', () => {
    expect(problem('config:set', [JSON.parse('{"__proto__": {"polluted": 1}}')])).toMatch(/unknown field "__proto__"/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expect(problem('config:set', [{ services: [deep] }])).toMatch(/nested too deeply/);
  });

  it('probe:test checks the service it would probe', () => {
    const base = { name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models' };
    expect(problem('probe:test', [{ ...base, url: 'file:///etc/passwd' }])).toMatch(/service.url: must be an http/);
    expect(problem('probe:test', [{ ...base, port: 70000 }])).toMatch(/service.port: must be at most 65535/);
    expect(problem('probe:test', [{ ...base, port: 80.5 }])).toMatch(/whole number/);
    expect(problem('probe:test', [{ ...base, name: 'a\nb' }])).toMatch(/service.name: must not contain control characters/);
    expect(problem('probe:test', [{ url: base.url }])).toMatch(/service.name: is required/);
    expect(problem('probe:test', [{ ...base, exec: 'sh -c id' }])).toMatch(/unknown field "exec"/);
    expect(problem('probe:test', [{ ...base, supervisor: { kind: 'shell', start: 'rm -rf /' } }])).toMatch(/supervisor.kind: must be one of "launchd", "systemd", "command"/);
    expect(problem('probe:test', [{ ...base, supervisor: { kind: 'command', start: 'llama-server --port 1' } }])).toMatch(/supervisor.start: expected an array/);
    expect(problem('probe:test', [{ ...base, supervisor: { kind: 'launchd', label: 'com.x; rm -rf /' } }])).toMatch(/supervisor.label: may hold only/);
  });
});

describe('offered actions', () => {
  it('collects offers from findings, services and locks, once each', () => {
    const ids = offeredActions(amberState()).map((o) => o.id).sort();
    expect(ids).toEqual([READOPT.id, RELEASE_LOCK.id, RESTART_EMBED.id].sort());
  });

  it('finds an offered action and nothing else', () => {
    expect(findOffer(amberState(), READOPT.id)).toEqual(READOPT);
    expect(findOffer(greenState(), READOPT.id)).toBeNull();
    expect(findOffer(amberState(), 'restart:everything')).toBeNull();
  });

  it('a refusal says nothing was done', () => {
    const result = notOffered('restart:x', 5);
    expect(result).toMatchObject({ id: 'restart:x', ok: false, steps: [], startedAt: 5, finishedAt: 5 });
    expect(result.message).toMatch(/nothing was done/);
  });
});
