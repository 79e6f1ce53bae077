/**
 * Secrets in the config (URL credentials, a secret query parameter, a canary body with an API
 * key), on the real engine probing a real server: no face a local stranger can read shows them
 * (State over HTTP and SSE, /metrics, the config without the token, `status --json`, a capture),
 * the token holder still edits them, and a capture is written 0600 and says what it holds.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/cli/serve.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { createEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { startModelServer, type ModelServer } from '../support/model-server.js';
import { STATIC_DIR } from '../support/chromium.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const SECRETS = ['pw-s3cret-userinfo', 'sk-s3cret-query', 'sk-s3cret-body'];
const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

let model: ModelServer;
let home: string;
let configPath: string;
let config: WardenConfigInput;

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'dist/cli/warden.js')) || !existsSync(path.join(STATIC_DIR, 'renderer.js'))) {
    await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
  }
  model = await startModelServer();
  home = mkdtempSync(path.join(os.tmpdir(), 'warden-secrets-'));
  configPath = path.join(home, 'config.json');
  config = {
    intervalSeconds: 1,
    discovery: false,
    services: [
      {
        name: 'llm',
        url: `http://warden:pw-s3cret-userinfo@127.0.0.1:${model.port}/health`,
        canary: { url: `http://127.0.0.1:${model.port}/v1/models?api_key=sk-s3cret-query`, method: 'POST', body: '{"api_key":"sk-s3cret-body","prompt":"ping"}', intervalSeconds: 5 },
      },
    ],
  };
  writeFileSync(configPath, JSON.stringify(config));
}, 120_000);

afterAll(async () => {
  await model?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        // The event stream never ends: its first event is enough.
        if (pathname === '/api/events' && body.includes('\n\n', body.indexOf('event: state'))) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('a config with secrets, on the real engine behind warden serve', () => {
  let engine: Engine;
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    engine = await createEngine({ configPath, dataDir: null });
    await engine.tick();
    await new Promise((r) => setTimeout(r, 1100));
    await engine.tick();
    server = await startServer(engine, { port: 0, staticDir: STATIC_DIR });
    port = Number(new URL(server.url).port);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await engine?.stop();
  });

  it('the State holds the probe it made, with the credentials hidden', () => {
    const state = engine.currentState();
    expect(state.services[0]?.probe?.url).toBe(`http://<redacted>@127.0.0.1:${model.port}/health`);
    expect(leaked(JSON.stringify(state))).toEqual([]);
  });

  it('no read without the token shows a secret: /api/state, /api/events, /metrics, /api/config', async () => {
    for (const pathname of ['/api/state', '/api/events', '/metrics', '/api/config']) {
      const reply = await get(port, pathname);
      expect([pathname, reply.status, leaked(reply.body)]).toEqual([pathname, 200, []]);
    }
    const shown = JSON.parse((await get(port, '/api/config')).body) as WardenConfigInput;
    expect(shown.services![0]!.canary).toEqual({ url: `http://127.0.0.1:${model.port}/v1/models?api_key=<redacted>`, method: 'POST', body: '<redacted> (44 bytes)', intervalSeconds: 5 });
  });

  it('the token holder reads the config whole (the settings form edits it), and cannot save the placeholders over it', async () => {
    const reply = await get(port, '/api/config', { 'X-Warden-Token': server.token });
    expect(JSON.parse(reply.body)).toEqual(config);
    const redacted = (await get(port, '/api/config')).body;
    const put = await fetch(`http://127.0.0.1:${port}/api/config`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Warden-Token': server.token }, body: redacted });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { error: string }).error).toMatch(/placeholders; reload the page from the address warden serve printed/);
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual(config);
  });
});

describe('warden capture', () => {
  const warden = async (...args: string[]) =>
    run(process.execPath, [path.join(REPO, 'dist/cli/warden.js'), ...args], { env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' }, timeout: 90_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('redacts by default, writes 0600 over a 0644 file, says what it holds; the capture still replays', async () => {
    const out = path.join(home, 'capture.json');
    writeFileSync(out, 'old');
    chmodSync(out, 0o644);
    const result = await warden('capture', '-o', out, '--samples', '2', '--interval', '1', '--config', configPath);
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    expect(leaked(text)).toEqual([]);
    expect(result.stdout).toMatch(
      new RegExp(`^wrote ${out.replaceAll('.', '\\.')} \\(readable by you only, 0600\\): 2 samples: \\d+ commands, \\d+ HTTP requests?, \\d+ file reads?; [1-9]\\d* secrets? redacted \\(URL credentials, tokens, canary bodies; --include-secrets keeps them\\)\\.\\nReplay anywhere: warden status --replay `),
    );
    const replay = await warden('status', '--json', '--replay', out);
    expect(replay.code).toBe(0);
    const state = JSON.parse(replay.stdout) as { services: { name: string; probe: { url: string; ok: boolean } | null }[] };
    expect(state.services[0]).toMatchObject({ name: 'llm', probe: { url: `http://<redacted>@127.0.0.1:${model.port}/health`, ok: true } });
  }, 120_000);

  it('--include-secrets keeps them, and says so', async () => {
    const out = path.join(home, 'capture-secrets.json');
    const result = await warden('capture', '-o', out, '--samples', '1', '--include-secrets', '--config', configPath);
    expect(result.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(leaked(readFileSync(out, 'utf8'))).toEqual(SECRETS);
    expect(result.stdout).toContain('secrets kept (--include-secrets): share it with no one you would not give them to');
  }, 120_000);

  it('a FIFO as the output is refused, not written through (and nothing hangs)', async () => {
    const fifo = path.join(home, 'out.fifo');
    await run('mkfifo', [fifo]);
    const result = await warden('capture', '-o', fifo, '--samples', '1', '--config', configPath);
    expect([result.code, result.stderr]).toEqual([2, `warden: ${fifo} is not a regular file; choose another -o FILE\n`]);
  }, 120_000);
});
