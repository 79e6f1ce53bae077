import { describe, expect, it } from 'vitest';
import { httpBridge, takeTokenFromLocation, tokenFromHash } from '../../../src/renderer/bridge-http.js';
import { MemorySeries } from '../../../src/renderer/series.js';
import { availabilityText } from '../../../src/renderer/view-services.js';
import { greenState, redState } from '../../support/states.js';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

function fakeFetch(answer: { status: number; body: unknown }) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(answer.body), { status: answer.status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

class FakeEventSource {
  static made: FakeEventSource[] = [];
  closed = false;
  listeners = new Map<string, (event: { data: string }) => void>();
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(type: string, listener: (event: { data: string }) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
  }
}

function bridge(answer = { status: 200, body: {} as unknown }, token: string | null = TOKEN) {
  FakeEventSource.made = [];
  const { fetch, calls } = fakeFetch(answer);
  const api = httpBridge({ base: 'http://127.0.0.1:7777', token, fetch, EventSource: FakeEventSource as unknown as typeof EventSource });
  return { api, calls };
}

describe('takeTokenFromLocation', () => {
  const take = (hash: string) => {
    const urls: string[] = [];
    const token = takeTokenFromLocation({ hash, pathname: '/', search: '' }, { replaceState: (_d, _u, url) => urls.push(String(url)) });
    return { token, urls };
  };
  it('reads the token, then takes it out of the address and keeps the other keys', () => {
    expect(take(`#token=${TOKEN}`)).toEqual({ token: TOKEN, urls: ['/'] });
    expect(take(`#incident=i-1&token=${TOKEN}&view=settings`)).toEqual({ token: TOKEN, urls: ['/#incident=i-1&view=settings'] });
  });
  it('a malformed token is not used, and still taken out; no token: the address is left alone', () => {
    expect(take('#token=short')).toEqual({ token: null, urls: ['/'] });
    expect(take('#incident=i-1')).toEqual({ token: null, urls: [] });
  });
});

describe('tokenFromHash', () => {
  it('reads a well-formed token from the fragment only', () => {
    expect(tokenFromHash(`#token=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromHash(`#incident=x&token=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromHash('#token=short')).toBeNull();
    expect(tokenFromHash('#token=<script>alert(1)</script>xxxxxxxx')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
  });
});

describe('httpBridge', () => {
  it('sends calls as JSON with the token header, reads with it too (the config\'s secrets need it)', async () => {
    const { api, calls } = bridge({ status: 200, body: { ok: true } });
    await api.runAction('readopt:cathedral');
    await api.snooze({ scope: 'all' }, '1h');
    await api.setConfig({ intervalSeconds: 5 });
    await api.testProbe({ name: 'x', url: 'http://127.0.0.1:1/' });
    await api.getConfig();
    await api.getState();
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'POST http://127.0.0.1:7777/api/action',
      'POST http://127.0.0.1:7777/api/snooze',
      'PUT http://127.0.0.1:7777/api/config',
      'POST http://127.0.0.1:7777/api/probe',
      'GET http://127.0.0.1:7777/api/config',
      'GET http://127.0.0.1:7777/api/state',
    ]);
    expect(calls[0]!.init.headers).toEqual({ 'Content-Type': 'application/json', 'X-Warden-Token': TOKEN });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ actionId: 'readopt:cathedral' });
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ target: { scope: 'all' }, duration: '1h' });
    expect(calls[4]!.init.headers).toEqual({ 'X-Warden-Token': TOKEN });
    expect(calls[5]!.init.headers).toEqual({ 'X-Warden-Token': TOKEN });
  });

  it('without a token, reads carry no header', async () => {
    const { api, calls } = bridge({ status: 200, body: {} }, null);
    await api.getConfig();
    expect(calls[0]!.init.headers).toEqual({});
  });

  it("turns the server's refusal into an error with its reason", async () => {
    const { api } = bridge({ status: 403, body: { error: 'missing or wrong X-Warden-Token' } }, null);
    await expect(api.snooze({ scope: 'all' }, '1h')).rejects.toThrow(/missing or wrong X-Warden-Token.*carries the token/);
  });

  it('shares one EventSource among subscribers and closes it after the last leaves', () => {
    const { api } = bridge();
    const seen: string[] = [];
    const offA = api.subscribe((s) => seen.push(`a ${s.level}`));
    const offB = api.subscribe((s) => seen.push(`b ${s.level}`));
    expect(FakeEventSource.made).toHaveLength(1);
    const source = FakeEventSource.made[0]!;
    expect(source.url).toBe('http://127.0.0.1:7777/api/events');
    source.listeners.get('state')!({ data: JSON.stringify(redState()) });
    source.listeners.get('state')!({ data: '{ broken' });
    offA();
    expect(source.closed).toBe(false);
    offB();
    expect(source.closed).toBe(true);
    expect(seen).toEqual(['a crit', 'b crit']);
  });
});

describe('MemorySeries', () => {
  it('keeps one point per sample, the last hour only, and nothing from a stale State', () => {
    const series = new MemorySeries();
    const t0 = 1_000_000_000;
    for (let i = 0; i <= 80; i++) series.add(greenState(t0 + i * 60_000));
    series.add(greenState(t0 + 80 * 60_000));
    series.add({ ...greenState(t0 + 81 * 60_000), stale: true });
    const points = series.all();
    expect(points).toHaveLength(61);
    expect(points.at(-1)!.at - points[0]!.at).toBe(60 * 60_000);
  });
});

describe('availabilityText', () => {
  it('keeps the tenth that separates 99% from 99.9%, never rounding up to 100%', () => {
    expect(availabilityText(1)).toBe('100%');
    expect(availabilityText(0.998)).toBe('99.8%');
    expect(availabilityText(0.9999)).toBe('99.9%');
    expect(availabilityText(0.5)).toBe('50.0%');
  });
});
