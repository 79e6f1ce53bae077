/**
 * The live engine on this host watching a real stand-in model server, with a real HTTP receiver
 * for each kind of channel: a killed server gives each receiver exactly one open notice and,
 * once it is back, one recovery notice; a receiver that hangs never stalls the cycle; the
 * channels' secrets appear nowhere Warden writes or shows.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/cli/metrics.js';
import type { ChannelConfig, WardenConfigInput } from '../../src/common/config.js';
import type { State } from '../../src/common/state.js';
import { bundleFrom, createEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { RecordingFacts } from '../../src/platform/recording.js';
import { headerText } from '../../src/engine/channels/format.js';
import { LiveFacts } from '../../src/platform/live.js';
import { startModelServer, type ModelServer } from '../support/model-server.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const SECRET = 'XyZ-secret-path-token-0451';
const BEARER = 'tk_live_bearer_SECRET_9876';

let dir: string;
let server: ModelServer | null = null;
let engine: Engine | null = null;
const receivers: Receiver[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-channels-live-'));
});

afterEach(async () => {
  await engine?.stop();
  engine = null;
  await server?.stop();
  server = null;
  for (const r of receivers.splice(0)) await r.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, get: () => T | null | undefined | false, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function configFor(modelUrl: string, channels: ChannelConfig[]): WardenConfigInput {
  return {
    intervalSeconds: 1,
    discovery: false,
    services: [{ name: 'model', url: modelUrl, intervalSeconds: 1, timeoutSeconds: 2 }],
    notifications: { groupSeconds: 0, recoveryAfterCycles: 2, channels },
  };
}

async function startEngine(input: WardenConfigInput, logs: string[]): Promise<{ engine: Engine; configPath: string }> {
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(input));
  const e = await createEngine({ configPath, dataDir: path.join(dir, 'data'), deliver: true, log: (l) => logs.push(l) });
  engine = e;
  e.start();
  await until('the service up', () => e.currentState().services[0]?.probe?.ok === true && e.currentState().incidents.length === 0);
  return { engine: e, configPath };
}

describe('channels on the live engine', () => {
  it('a killed server: each receiver gets exactly one open and one recovery notice; no secret anywhere', async () => {
    server = await startModelServer();
    const port = server.port;
    const [hook, ntfy, slack] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    receivers.push(hook!, ntfy!, slack!);
    const logs: string[] = [];
    const input = configFor(server.url(), [
      { kind: 'webhook', url: hook!.url(`/warden/${SECRET}`), bearer: BEARER },
      { kind: 'ntfy', url: ntfy!.url(`/${SECRET}`), bearer: BEARER },
      { kind: 'slack', url: slack!.url(`/services/${SECRET}`) },
    ]);
    const { engine: e } = await startEngine(input, logs);
    const states: State[] = [];
    e.subscribe((s) => states.push(s));

    const killedAt = Date.now();
    await server.stop();
    const [open] = await hook!.waitFor(1, 90_000);
    process.stdout.write(`killed server → webhook arrival: ${((open!.at - killedAt) / 1000).toFixed(2)} s (interval 1 s, probes every 1 s, 3 of 5 failed, group 0 s)\n`);
    await Promise.all([ntfy!.waitFor(1), slack!.waitFor(1)]);

    server = await startModelServer({ port });
    await Promise.all([hook!.waitFor(2), ntfy!.waitFor(2), slack!.waitFor(2)]);
    // A few more cycles: nothing else is sent.
    const seen = states.length;
    await until('three more cycles', () => states.length >= seen + 3);
    for (const r of [hook!, ntfy!, slack!]) expect(r.requests).toHaveLength(2);

    const [first, second] = hook!.requests.map((q) => JSON.parse(q.body) as { kind: string; severity: string; title: string; host: { hostname: string } });
    expect(first).toMatchObject({ kind: 'incident', severity: 'crit', host: { hostname: os.hostname() } });
    expect(first!.title).toMatch(/^model/);
    expect(second).toMatchObject({ kind: 'recovery', severity: 'ok' });
    // The recovery's wording is the alert policy's (issue 10); it names the service.
    expect(second!.title).toMatch(/\bmodel\b/);
    expect(second!.title).not.toBe(first!.title);
    expect(ntfy!.requests.map((q) => q.headers.priority)).toEqual(['5', '3']);
    // Non-Latin-1 titles ("—") travel RFC 2047-encoded, as ntfy decodes them.
    expect(ntfy!.requests[0]!.headers.title).toBe(headerText(first!.title));
    expect(slack!.requests.map((q) => (JSON.parse(q.body) as { text: string }).text.split('\n')[0])).toEqual([`*${first!.title}*`, `*${second!.title}*`]);
    process.stdout.write(`webhook body, verbatim:\n${hook!.requests[0]!.body}\nntfy delivery, verbatim:\nPOST ${ntfy!.requests[0]!.path}\n${JSON.stringify(ntfy!.requests[0]!.headers, null, 1)}\n${ntfy!.requests[0]!.body}\n`);

    const state = await until('the deliveries in the State', () => {
      const s = e.currentState();
      return s.channels.every((c) => c.sentTotal === 2) && s;
    });
    expect(state.channels.map((c) => [c.name, c.kind, c.queued, c.failedTotal])).toEqual([
      ['webhook', 'webhook', 0, 0],
      ['ntfy', 'ntfy', 0, 0],
      ['slack', 'slack', 0, 0],
    ]);
    await e.stop();
    engine = null;

    // Where a secret could leak: the State, /metrics, the log, the data folder, a capture.
    const scrape = await createMetrics(() => state, { now: Date.now }).text();
    expect(scrape).toContain('\nwarden_channel_deliveries_total{channel="webhook",kind="webhook"} 2\n');
    const data = path.join(dir, 'data');
    const files = readdirSync(data).map((f) => readFileSync(path.join(data, f), 'utf8'));
    const capture = JSON.stringify(bundleFrom(new RecordingFacts(new LiveFacts()), input, { intervalSeconds: 1, probes: {} }, '0', 'test'));
    for (const text of [JSON.stringify(states), JSON.stringify(state), scrape, logs.join('\n'), ...files, capture]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(BEARER);
    }
    expect(files.join('\n')).toContain('"type":"delivery"');
  }, 240_000);

  it('a receiver that never answers does not stall the cycle; its deadline is reported', async () => {
    server = await startModelServer();
    const hang = await startReceiver('hang');
    receivers.push(hang);
    const logs: string[] = [];
    const { engine: e } = await startEngine(configFor(server.url(), [{ kind: 'webhook', url: hang.url('/h'), timeoutSeconds: 10 }]), logs);
    const cycles: number[] = [];
    e.subscribe((s) => cycles.push(s.sampledAt ?? 0));
    await server.stop();
    const [held] = await hang.waitFor(1, 90_000);
    // The receiver holds the request open; the engine keeps its cadence meanwhile.
    const before = cycles.length;
    await until('three cycles while the receiver holds the request', () => cycles.length >= before + 3, 30_000);
    expect(held!.status).toBeNull();
    const view = e.currentState().channels[0]!;
    expect(view).toMatchObject({ name: 'webhook', queued: 1, sentTotal: 0, retrying: null });
    const retrying = await until('the deadline reported', () => e.currentState().channels[0]?.retrying, 60_000);
    expect(retrying.error).toBe('no answer within 10 s');
    expect(retrying.attempts).toBe(1);
    expect(logs.some((l) => l.startsWith('channel webhook: ') && l.includes('not delivered (no answer within 10 s)'))).toBe(true);
  }, 240_000);
});
