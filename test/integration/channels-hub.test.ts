/**
 * The channels' delivery against real HTTP receivers on loopback: retries with backoff, a
 * refusal not retried, the queue surviving a restart and sent once, the secrets never in what
 * Warden keeps or says, and the exact requests each kind sends.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelConfig } from '../../src/common/config.js';
import type { Notification } from '../../src/common/findings.js';
import { renderIncidents } from '../../src/cli/render-incidents.js';
import { ChannelHub } from '../../src/engine/channels/hub.js';
import { HistoryStore } from '../../src/engine/history.js';
import { freePort } from '../support/model-server.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const SECRET_PATH = 'T0123/B4567/sEcReTpAtHtOkEn';
const BEARER = 'tk_bearer_SECRET_0123456789';
const HOST = { hostname: 'mac-mini', platform: 'darwin' };
const NOTICE: Notification = {
  incidentId: 'inc-1796162000000-1',
  kind: 'incident',
  severity: 'crit',
  title: 'cathedral: connection refused (3 of 5 probes)',
  body: 'The host is swapping: 10.1 GiB of swap used.\nNext: restart cathedral',
  at: Date.UTC(2026, 4, 10, 3, 12, 5),
};

let dir: string;
const receivers: Receiver[] = [];
const hubs: ChannelHub[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-channels-'));
});

afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
  for (const r of receivers.splice(0)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function hub(channels: ChannelConfig[], history: HistoryStore | null, logs: string[] = []): Promise<ChannelHub> {
  const h = await ChannelHub.open({ history, host: HOST, log: (l) => logs.push(l), firstBackoffMs: 200 });
  h.configure(channels);
  hubs.push(h);
  return h;
}

async function until<T>(what: string, get: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The history once it holds a delivery record (written just after the State shows it). */
async function deliveries(history: HistoryStore) {
  for (let i = 0; i < 400; i++) {
    const reading = await history.readIncidents();
    if (reading.incidents[0]?.deliveries.length) return reading;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('no delivery record in the history');
}

/** Every byte Warden keeps in its data folder, as text. */
function dataFolderText(): string {
  return readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

describe('what each kind sends', () => {
  it('webhook: the versioned JSON body, the bearer, the delivery id', async () => {
    const r = await receiver();
    const h = await hub([{ kind: 'webhook', url: r.url(`/hooks/${SECRET_PATH}`), bearer: BEARER, name: 'ops' }], null);
    await h.enqueue([NOTICE]);
    const [got] = await r.waitFor(1);
    expect(got!.method).toBe('POST');
    expect(got!.path).toBe(`/hooks/${SECRET_PATH}`);
    expect(got!.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['x-warden-delivery']).toBe('inc-1796162000000-1/incident-1778382725000@ops');
    expect(JSON.parse(got!.body)).toEqual({
      version: 1,
      deliveryId: 'inc-1796162000000-1/incident-1778382725000@ops',
      kind: 'incident',
      severity: 'crit',
      title: NOTICE.title,
      body: NOTICE.body,
      incidentId: NOTICE.incidentId,
      at: '2026-05-10T03:12:05.000Z',
      atMs: NOTICE.at,
      host: HOST,
      warden: { version: expect.stringMatching(/^\d+\.\d+\.\d+$/) },
    });
    process.stdout.write(`webhook delivery, verbatim: POST ${got!.path}\n${JSON.stringify(got!.headers)}\n${got!.body}\n`);
  });

  it('ntfy: title, priority and tags headers (UTF-8 titles as RFC 2047), the body and the host', async () => {
    const r = await receiver();
    const h = await hub([{ kind: 'ntfy', url: r.url('/warden-alerts'), bearer: BEARER }], null);
    const recovery: Notification = { ...NOTICE, kind: 'recovery', severity: 'ok', title: 'Recovered: cathedral → answering', body: 'Clear for 3 checks; open 4 min.' };
    await h.enqueue([NOTICE, recovery]);
    const [open, back] = await r.waitFor(2);
    expect(open!.path).toBe('/warden-alerts');
    expect(open!.headers).toMatchObject({ title: NOTICE.title, priority: '5', tags: 'rotating_light', authorization: `Bearer ${BEARER}` });
    expect(open!.body).toBe(`${NOTICE.body}\n— Warden on mac-mini`);
    expect(back!.headers).toMatchObject({ priority: '3', tags: 'white_check_mark' });
    expect(back!.headers.title).toBe(`=?UTF-8?B?${Buffer.from('Recovered: cathedral → answering').toString('base64')}?=`);
    process.stdout.write(`ntfy delivery, verbatim: POST ${open!.path}\n${JSON.stringify(open!.headers)}\n${open!.body}\n`);
  });

  it('slack (and Discord at its /slack URL): one text field, Slack-escaped, in order', async () => {
    const r = await receiver();
    const h = await hub([{ kind: 'slack', url: r.url(`/services/${SECRET_PATH}`) }], null);
    await h.enqueue([{ ...NOTICE, title: 'a <b> & c' }]);
    const [got] = await r.waitFor(1);
    expect(got!.headers.authorization).toBeUndefined();
    expect(JSON.parse(got!.body)).toEqual({ text: `*a &lt;b&gt; &amp; c*\n${NOTICE.body}\n_— Warden on mac-mini_` });
  });
});

describe('delivery', () => {
  it('a receiver that answers 500 twice then 200 gets the notice once, after retries; the history says so', async () => {
    const r = await receiver({ failFirst: 2 });
    const history = await HistoryStore.open(dir);
    const logs: string[] = [];
    const h = await hub([{ kind: 'webhook', url: r.url(`/${SECRET_PATH}`), bearer: BEARER }], history, logs);
    await h.enqueue([NOTICE]);
    const view = await until('the delivery', () => h.views().find((v) => v.sentTotal === 1));
    expect(r.requests.map((q) => q.status)).toEqual([500, 500, 200]);
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    expect(view).toMatchObject({ name: 'webhook', queued: 0, sentTotal: 1, failedTotal: 0, retrying: null, lastFailure: null });
    // Two more backoffs would have passed by now: nothing more is sent.
    await new Promise((res) => setTimeout(res, 1000));
    expect(r.requests).toHaveLength(3);
    const reading = await deliveries(history);
    expect(reading.incidents[0]!.deliveries).toEqual([{ channel: 'webhook', kind: 'incident', title: NOTICE.title, ok: true, attempts: 3, error: null }]);
    expect(logs.filter((l) => l.includes('not delivered (HTTP 500: internal)'))).toHaveLength(2);
    for (const text of [...logs, dataFolderText(), JSON.stringify(h.views())]) {
      expect(text).not.toContain(SECRET_PATH);
      expect(text).not.toContain(BEARER);
    }
  });

  it('while failing, the State shows the retry; a receiver that refuses (4xx) is not retried and the failure is in warden incidents', async () => {
    const r = await receiver({ always: 401, echo: true });
    const history = await HistoryStore.open(dir);
    const logs: string[] = [];
    const h = await hub([{ kind: 'ntfy', url: r.url(`/${SECRET_PATH}`), bearer: BEARER, name: 'phone' }], history, logs);
    await h.enqueue([NOTICE]);
    const view = await until('the refusal', () => h.views().find((v) => v.failedTotal === 1));
    expect(r.requests).toHaveLength(1);
    expect(view.lastFailure).toMatchObject({ title: NOTICE.title, attempts: 1 });
    expect(view.lastFailure!.error).toBe('HTTP 401: refused … with Bearer … (refused: not retried)');
    const reading = await deliveries(history);
    const text = renderIncidents(reading.incidents, reading, 0);
    expect(text).toContain('NOT DELIVERED incident to phone: HTTP 401: refused … with Bearer … (refused: not retried)');
    for (const t of [...logs, dataFolderText(), JSON.stringify(h.views()), text]) {
      expect(t).not.toContain(SECRET_PATH);
      expect(t).not.toContain(BEARER);
    }
  });

  it('retries stop at retryMinutes: given up, said once, with the attempts', async () => {
    const port = await freePort(); // nothing listens: connection refused
    const history = await HistoryStore.open(dir);
    const h = await hub([{ kind: 'webhook', url: `http://127.0.0.1:${port}/x`, retryMinutes: 0.02 }], history);
    await h.enqueue([NOTICE]);
    const mid = await until('a retry in the State', () => h.views()[0]!.retrying);
    expect(mid).toMatchObject({ title: NOTICE.title, error: 'connection refused' });
    const view = await until('the give-up', () => h.views().find((v) => v.failedTotal === 1));
    expect(view.lastFailure!.error).toMatch(/^connection refused; gave up after \d+ attempts in /);
    expect(view.queued).toBe(0);
    const reading = await deliveries(history);
    expect(reading.incidents[0]!.deliveries).toHaveLength(1);
    expect(reading.incidents[0]!.deliveries[0]).toMatchObject({ ok: false, channel: 'webhook' });
  });

  it('the queue survives a restart and is sent once', async () => {
    const port = await freePort();
    const channel: ChannelConfig = { kind: 'webhook', url: `http://127.0.0.1:${port}/hook` };
    const first = await hub([channel], await HistoryStore.open(dir));
    await first.enqueue([NOTICE]);
    await until('a failed attempt', () => first.views()[0]!.retrying);
    await first.stop();
    expect(JSON.parse(readFileSync(path.join(dir, 'outbox.json'), 'utf8')).queued).toHaveLength(1);

    // The receiver comes up on that port; a new process opens the same data folder.
    const http = await import('node:http');
    const got: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const second = await hub([channel], await HistoryStore.open(dir));
      await until('the delivery after the restart', () => second.views()[0]!.sentTotal === 1);
      await second.stop();
      const third = await hub([channel], await HistoryStore.open(dir));
      await new Promise((r) => setTimeout(r, 500));
      expect(third.views()[0]!.queued).toBe(0);
      expect(got).toHaveLength(1);
      expect(JSON.parse(got[0]!).deliveryId).toBe(`${NOTICE.incidentId}/incident-${NOTICE.at}@webhook`);
      expect(JSON.parse(readFileSync(path.join(dir, 'outbox.json'), 'utf8')).queued).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a channel removed from the config drops its queue, said in the log', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const h = await hub([{ kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, name: 'old' }], await HistoryStore.open(dir), logs);
    await h.enqueue([NOTICE]);
    h.configure([]);
    expect(h.views()).toEqual([]);
    expect(logs).toContain(`channel old is no longer configured: "${NOTICE.title}" not delivered`);
  });
});
