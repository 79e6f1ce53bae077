/** /metrics on its own port (the app, `warden watch`): loopback by default, a bearer token when asked, refused off loopback without one. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { metricsOptionsFrom, startMetricsServer, type RunningMetricsServer } from '../../src/cli/metrics-server.js';
import { checkConfig } from '../../src/engine/config.js';
import { redState } from '../support/states.js';

let dir: string;
const servers: RunningMetricsServer[] = [];
const TOKEN = 'scrape-token-0123456789abcdef';

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-metrics-server-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(token: string | null = null) {
  const server = await startMetricsServer({ port: 0, token, getState: () => redState() });
  servers.push(server);
  return server;
}

function tokenFile(mode: number, text = `${TOKEN}\n`): string {
  const file = path.join(dir, `token-${mode.toString(8)}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('metrics on their own port', () => {
  it('loopback by default: /metrics only, GET only, its own Host only', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ok = await get(server.url);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.body).toContain('\nwarden_state_level 3\n');
    expect((await get(server.url.replace('/metrics', '/api/state'))).status).toBe(404);
    expect((await get(server.url, {}, 'POST')).status).toBe(405);
    expect((await get(server.url, { Host: 'evil.example' })).status).toBe(403);
  });

  it('with a token: every request needs it', async () => {
    const options = await metricsOptionsFrom({ port: 0, tokenFile: tokenFile(0o600) });
    expect(options).toEqual({ port: 0, listen: '127.0.0.1', token: TOKEN });
    const server = await start(options.token);
    expect((await get(server.url)).status).toBe(401);
    expect((await get(server.url)).headers['www-authenticate']).toBe('Bearer realm="warden"');
    expect((await get(server.url, { Authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await get(server.url, { Authorization: TOKEN })).status).toBe(401);
    const ok = await get(server.url, { Authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('warden_build_info');
  });

  it('refuses an address off loopback without a token, a token file others can read, a short token', async () => {
    await expect(metricsOptionsFrom({ port: 9719, listen: '0.0.0.0' })).rejects.toThrow('metrics on 0.0.0.0 need a token file: off loopback every request must carry a bearer token (metrics.tokenFile or --metrics-token-file)');
    await expect(startMetricsServer({ port: 0, listen: '0.0.0.0', getState: () => redState() })).rejects.toThrow('need a bearer token');
    await expect(metricsOptionsFrom({ port: 9719, tokenFile: tokenFile(0o644) })).rejects.toThrow(/can be read by others \(mode 644\); chmod 600 it$/);
    await expect(metricsOptionsFrom({ port: 9719, tokenFile: tokenFile(0o600, 'short\n') })).rejects.toThrow(/16 or more printable characters$/);
    await expect(metricsOptionsFrom({ port: 9719, tokenFile: path.join(dir, 'none') })).rejects.toThrow(/: ENOENT$/);
    expect(checkConfig({ metrics: { port: 9719, listen: '0.0.0.0' } })).toEqual([
      { field: 'metrics.tokenFile', message: 'is needed to listen on 0.0.0.0: off loopback every request must carry a bearer token' },
    ]);
    expect(checkConfig({ metrics: { port: 9719, listen: '0.0.0.0', tokenFile: '/etc/warden/metrics.token' } })).toEqual([]);
    expect(checkConfig({ metrics: { port: 9719 } })).toEqual([]);
  });

  it('a port already taken: said, not thrown as a stack', async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    await expect(startMetricsServer({ port, getState: () => redState() })).rejects.toThrow(`metrics cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
  });
});
