/**
 * `warden serve` on a real loopback port, over a scripted engine: who may change what, what GETs
 * may not do, the event stream, /metrics, and the static files it will and will not serve.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startServer, type RunningServer } from '../../src/cli/serve.js';
import { RENDERER_CSP_HEADER } from '../../src/common/csp.js';
import type { State } from '../../src/common/state.js';
import { FakeEngine } from '../support/fake-engine.js';
import { amberState, greenState, READOPT, redState } from '../support/states.js';

let staticDir: string;
const running: RunningServer[] = [];

beforeAll(() => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'warden-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Warden</title>');
  writeFileSync(path.join(staticDir, 'settings.html'), '<!doctype html><title>Warden Settings</title>');
  writeFileSync(path.join(staticDir, 'renderer.js'), 'console.log("warden")');
  writeFileSync(path.join(staticDir, 'styles.css'), 'body{}');
  writeFileSync(path.join(staticDir, 'secret.txt'), 'must never be served');
});

afterAll(() => rmSync(staticDir, { recursive: true, force: true }));

afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

async function serve(state: State = amberState(), opts: { heartbeatMs?: number } = {}) {
  const engine = new FakeEngine(state);
  const logs: string[] = [];
  const server = await startServer(engine, { port: 0, staticDir, log: (l) => logs.push(l), ...opts });
  running.push(server);
  const origin = new URL(server.url).origin;
  const port = Number(new URL(server.url).port);
  return { engine, server, origin, port, logs };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: node:http sends the path as written (fetch would normalise "..") and lets us set any header. */
function request(port: number, method: string, pathname: string, opts: { headers?: Record<string, string>; body?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: opts.host ?? '127.0.0.1', port, method, path: pathname, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function post(port: number, pathname: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') {
  return request(port, method, pathname, { headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('binding', () => {
  it('listens on 127.0.0.1 only and says where', async () => {
    const { server, port } = await serve();
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#token=[A-Za-z0-9_-]{32}$`));
    // 127.0.0.2 is loopback too, but not the address the server is bound to.
    await expect(request(port, 'GET', '/api/state', { host: '127.0.0.2', headers: { Host: `127.0.0.1:${port}` } })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses any other host', async () => {
    await expect(startServer(new FakeEngine(greenState()), { port: 0, staticDir, host: '0.0.0.0' as never })).rejects.toThrow(/binds 127\.0\.0\.1 only/);
  });

  it('refuses a token the page could not carry', async () => {
    await expect(startServer(new FakeEngine(greenState()), { port: 0, staticDir, token: 'short' })).rejects.toThrow(/16 to 128/);
  });

  it('refuses to start without the built renderer', async () => {
    await expect(startServer(new FakeEngine(greenState()), { port: 0, staticDir: path.join(staticDir, 'nope') })).rejects.toThrow(/index\.html.*npm run build/);
  });
});

describe('static files', () => {
  it('serves the popover with its CSP', async () => {
    const { port } = await serve();
    const page = await request(port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP_HEADER);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await request(port, 'GET', '/renderer.js')).body).toBe('console.log("warden")');
    expect((await request(port, 'GET', '/styles.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves the settings page under the same CSP, and the form\'s facts from the schema', async () => {
    const { port } = await serve();
    const page = await request(port, 'GET', '/settings');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Warden Settings');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP_HEADER);
    expect((await request(port, 'POST', '/settings')).status).toBe(405);
    const facts = await request(port, 'GET', '/api/config/facts');
    expect(facts.status).toBe(200);
    const body = JSON.parse(facts.body) as { defaults: Record<string, unknown>; limits: Record<string, unknown> };
    expect(body.defaults.intervalSeconds).toBe(5);
    expect(body.limits.intervalSeconds).toEqual({ minimum: 1, maximum: 3600 });
    expect(body.limits['notifications.pendingCycles']).toEqual({ minimum: 1, maximum: 100, integer: true });
  });

  it.each(['/secret.txt', '/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/renderer.js/../secret.txt', '//etc/passwd', '/index.html%00.js', '/.%2e/.%2e/etc/passwd'])(
    'refuses %s',
    async (pathname) => {
      const { port } = await serve();
      const reply = await request(port, 'GET', pathname);
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain('must never be served');
    },
  );

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { port } = await serve();
    const reply = await request(port, 'GET', '/api/state', { headers: { Host: `evil.example:${port}` } });
    expect(reply.status).toBe(403);
  });
});

describe('state-changing routes', () => {
  it('need the token', async () => {
    const { port, engine } = await serve();
    expect((await post(port, '/api/snooze', { target: { scope: 'all' }, duration: '1h' })).status).toBe(403);
    expect((await post(port, '/api/snooze', { target: { scope: 'all' }, duration: '1h' }, { 'X-Warden-Token': 'wrong-token-wrong-token-wrong-tok' })).status).toBe(403);
    expect(engine.mutations()).toEqual([]);
  });

  it('need a same-origin request even with the token', async () => {
    const { port, server, engine } = await serve();
    const token = { 'X-Warden-Token': server.token };
    const body = { target: { scope: 'all' }, duration: '1h' };
    expect((await post(port, '/api/snooze', body, { ...token, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(port, '/api/snooze', body, { ...token, Origin: 'null' })).status).toBe(403);
    expect((await post(port, '/api/snooze', body, { ...token, Origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    expect((await post(port, '/api/snooze', body, { ...token, 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await post(port, '/api/snooze', body, { ...token, 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect(engine.mutations()).toEqual([]);
  });

  it('run with the token from our own origin (or no Origin, as curl sends)', async () => {
    const { port, server, origin, engine } = await serve();
    const token = { 'X-Warden-Token': server.token };
    const a = await post(port, '/api/snooze', { target: { scope: 'all' }, duration: '1h' }, { ...token, Origin: origin, 'Sec-Fetch-Site': 'same-origin' });
    const b = await post(port, '/api/snooze', { target: { scope: 'service', name: 'cathedral' }, duration: 'off' }, token);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(engine.mutations()).toEqual([
      { method: 'snooze', target: { scope: 'all' }, duration: '1h' },
      { method: 'snooze', target: { scope: 'service', name: 'cathedral' }, duration: 'off' },
    ]);
  });

  it('check bodies with the IPC contract: 400 with the reason', async () => {
    const { port, server, engine } = await serve();
    const token = { 'X-Warden-Token': server.token };
    const wrongType = await post(port, '/api/action', { actionId: 42 }, token);
    expect(wrongType.status).toBe(400);
    expect(JSON.parse(wrongType.body).error).toBe('action:run: actionId: expected a string, got a number');
    const extra = await post(port, '/api/action', { actionId: READOPT.id, force: true }, token);
    expect([extra.status, JSON.parse(extra.body).error]).toEqual([400, 'body has an unknown field "force"']);
    expect((await post(port, '/api/snooze', { target: { scope: 'all' }, duration: '2h' }, token)).status).toBe(400);
    expect((await post(port, '/api/probe', { name: 'x', url: 'file:///etc/passwd' }, token)).status).toBe(400);
    expect((await post(port, '/api/config', [], token, 'PUT')).status).toBe(400);
    expect((await post(port, '/api/action', '{ not json', token)).status).toBe(400);
    expect((await request(port, 'POST', '/api/action', { headers: { ...token, 'Content-Type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await post(port, '/api/config', { services: [{ name: 'x'.repeat(MAX_BODY_BYTES) }] }, token, 'PUT')).status).toBe(413);
    expect(engine.mutations()).toEqual([]);
  });

  it('run only an action the current State offers', async () => {
    const { port, server, engine } = await serve(amberState());
    const token = { 'X-Warden-Token': server.token };
    const offered = await post(port, '/api/action', { actionId: READOPT.id }, token);
    expect(JSON.parse(offered.body)).toMatchObject({ id: READOPT.id, ok: true });
    const unknown = await post(port, '/api/action', { actionId: 'restart:everything' }, token);
    expect(JSON.parse(unknown.body)).toMatchObject({ id: 'restart:everything', ok: false, steps: [] });
    expect(engine.mutations()).toEqual([{ method: 'runAction', actionId: READOPT.id }]);
  });

  it('save config and test probes through the engine', async () => {
    const { port, server, engine } = await serve();
    const token = { 'X-Warden-Token': server.token };
    engine.configAnswer = { ok: false, problems: [{ field: 'services.0.url', message: 'must be an http:// or https:// URL' }] };
    const saved = await post(port, '/api/config', { services: [{ name: 'x', url: 'ftp://x' }] }, token, 'PUT');
    expect(JSON.parse(saved.body)).toEqual(engine.configAnswer);
    const probe = await post(port, '/api/probe', { name: 'x', url: 'http://127.0.0.1:9/' }, token);
    expect(JSON.parse(probe.body)).toMatchObject({ measured: '200 in 41 ms' });
  });

  it('a probe of a service with nothing to probe is 400 naming it, not 500; the refusal is logged', async () => {
    const { port, server, engine, logs } = await serve();
    const reply = await post(port, '/api/probe', { name: 'sidecar', match: 'sidecar' }, { 'X-Warden-Token': server.token });
    expect([reply.status, JSON.parse(reply.body).error]).toEqual([400, 'service "sidecar" has no url or port to probe']);
    expect(engine.calls.filter((c) => c.method === 'testProbe')).toEqual([]);
    expect(logs.at(-1)).toBe('POST /api/probe 400: service "sidecar" has no url or port to probe');
  });

  it('refusals and engine failures are logged, as plain text, at most 30 lines a minute', async () => {
    const { port, engine, logs } = await serve();
    await post(port, '/api/action', { actionId: READOPT.id }, {});
    expect(logs.at(-1)).toBe('POST /api/action 403: missing or wrong X-Warden-Token');
    engine.getConfig = () => Promise.reject(new Error('disk on fire\u001b[2J'));
    expect((await request(port, 'GET', '/api/config')).status).toBe(500);
    expect(logs.at(-1)).toBe('GET /api/config 500: engine error: disk on fire');
    for (let i = 0; i < 40; i++) await request(port, 'GET', '/nothing');
    expect(logs.length).toBe(30);
  });
});

describe('reads', () => {
  it('HEAD on every GET route answers as GET would, without a body', async () => {
    const { port } = await serve(amberState());
    for (const pathname of ['/', '/api/state', '/api/config', '/api/history/memory', '/api/events', '/metrics']) {
      const reply = await request(port, 'HEAD', pathname);
      expect([pathname, reply.status, reply.body]).toEqual([pathname, 200, '']);
    }
  });

  it('GET never changes anything, whatever the path', async () => {
    const { port, engine } = await serve(amberState());
    for (const pathname of ['/api/state', '/api/config', '/api/action', '/api/snooze', '/api/probe', '/metrics', `/api/action?actionId=${READOPT.id}`]) {
      const reply = await request(port, 'GET', pathname);
      expect([200, 405], pathname).toContain(reply.status);
    }
    expect((await request(port, 'GET', '/api/state')).body).toBe(JSON.stringify(engine.currentState()));
    expect(engine.mutations()).toEqual([]);
  });

  it('GET /api/history/memory answers the engine\'s kept history, for the sparklines', async () => {
    const { port, engine } = await serve(amberState());
    engine.history = [{ at: 1, availableBytes: 2, swapUsedBytes: 3, totalBytes: 4 }];
    const reply = await request(port, 'GET', '/api/history/memory');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual(engine.history);
  });

  it('a wrong method on a known route is 405, an unknown route 404', async () => {
    const { port, server } = await serve();
    expect((await request(port, 'DELETE', '/api/config', { headers: { 'X-Warden-Token': server.token } })).status).toBe(405);
    expect((await request(port, 'GET', '/api/shell')).status).toBe(404);
  });

  it('logs refusals with the path only, never a query', async () => {
    const { port, logs } = await serve();
    await request(port, 'GET', '/api/state?token=secret');
    expect(logs).toEqual(['serving on http://127.0.0.1:' + port + '/']);
    await request(port, 'GET', '/api/nothing?token=secret');
    expect(logs.at(-1)).toBe('GET /api/nothing 404: not found');
  });
});

/** Reads an SSE stream until `done` says it has what it wants. */
function readEvents(port: number, done: (text: string) => boolean): Promise<{ text: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (done(text)) resolve({ text, close: () => req.destroy() });
      });
    });
    req.on('error', reject);
  });
}

function events(text: string): State[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: state\n'))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as State);
}

describe('event stream', () => {
  it('sends the current State at once, then every pushed State', async () => {
    const { port, engine } = await serve(greenState());
    const stream = await readEvents(port, (t) => events(t).length >= 1);
    expect(events(stream.text)[0]!.level).toBe('ok');
    stream.close();
    await expect.poll(() => engine.subscriberCount()).toBe(0);

    const live = readEvents(port, (t) => events(t).length >= 2);
    await expect.poll(() => engine.subscriberCount()).toBe(1);
    const red = redState();
    engine.push(red);
    const got = await live;
    expect(events(got.text)[1]!.headline).toBe(red.headline);
    got.close();
    await expect.poll(() => engine.subscriberCount()).toBe(0);
  });

  it('sends a heartbeat comment', async () => {
    const { port } = await serve(greenState(), { heartbeatMs: 20 });
    const stream = await readEvents(port, (t) => t.includes(': heartbeat\n\n'));
    expect(stream.text.startsWith('retry: 3000\n\n')).toBe(true);
    stream.close();
  });

  it('close() ends open streams', async () => {
    const { port, server, engine } = await serve(greenState());
    await readEvents(port, (t) => events(t).length >= 1);
    await server.close();
    running.splice(running.indexOf(server), 1);
    expect(engine.subscriberCount()).toBe(0);
  });
});

describe('/metrics', () => {
  it('has the series, from the current State', async () => {
    const { port } = await serve(redState());
    const reply = await request(port, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = reply.body;
    for (const line of [
      'warden_memory_total_bytes 68719476736',
      'warden_memory_free_bytes 859832320',
      `warden_memory_swap_used_bytes ${Math.round(10386.19 * 1024 * 1024)}`,
      'warden_memory_swap_total_bytes 11811160064',
      'warden_memory_pressure_level 2',
      'warden_memory_pressure{level="critical"} 1',
      'warden_service_up{service="cathedral"} 1',
      'warden_service_latency_seconds{service="cathedral"} 0.212',
      'warden_service_availability_ratio{service="cathedral",window="1h"} 1',
      'warden_service_availability_ratio{service="cathedral",window="24h"} 0.998',
      'warden_incidents_open 1',
      'warden_state_level 3',
      'warden_state{level="crit"} 1',
      // One series per loaded model with a size; the size means what the server says it means.
      'warden_model_loaded_bytes{server="lm-studio",model="qwen2.5-coder-14b"} 12124684032',
      'warden_model_loaded_bytes{server="ollama",model="llama3.2:3b"} 2019393189',
    ]) {
      expect(text, line).toContain(`\n${line}\n`);
    }
    expect(text).toMatch(/\nwarden_memory_available_bytes \d+/);
    expect(text).toMatch(/\nwarden_memory_compressed_bytes \d+/);
    expect(text).toMatch(/\nwarden_sample_age_seconds \d/);
    expect(text).toMatch(/\nwarden_process_cpu_seconds_total \d/);
    expect(text).toMatch(/\nwarden_process_resident_memory_bytes \d/);
  });

  it('leaves out what was not read rather than inventing a number', async () => {
    const { port } = await serve({ ...greenState(), memory: null, sampledAt: null });
    const text = (await request(port, 'GET', '/metrics')).body;
    expect(text).not.toMatch(/\nwarden_memory_total_bytes /);
    expect(text).not.toMatch(/\nwarden_sample_age_seconds /);
    expect(text).toContain('\nwarden_state_level 0\n');
    // No model servers, no model series.
    expect(text).not.toMatch(/\nwarden_model_loaded_bytes\{/);
  });
});
