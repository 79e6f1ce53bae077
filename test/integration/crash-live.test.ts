/**
 * A crash in seconds, live, at the default settings (engine every 5 s, probe every 30 s, group
 * window 30 s): a real server configured as a service, unsupervised, killed with SIGKILL. Its
 * process is gone, a certain fact: red within two engine cycles of the kill, one notification
 * within the group window after, and the text says what was seen. Counted in cycles and in the
 * engine's own sample times; the wall clock only measures, from the kill to the webhook's
 * arrival at a real receiver on 127.0.0.1 (printed, with a generous bound: the machine may be
 * loaded).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/common/findings.js';
import type { State } from '../../src/common/state.js';
import { createEngine } from '../../src/engine/create.js';
import { DEFAULT_NOTIFICATIONS } from '../../src/engine/defaults.js';
import type { Engine } from '../../src/engine/engine.js';
import { killAndWait, startModelServer, type ModelServer } from '../support/model-server.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'warden-crash-'));
let server: ModelServer | null = null;
let engine: Engine | null = null;
let hook: Receiver | null = null;
/** Default settings put the webhook at about 35 s after the kill (2 cycles, then the 30 s group window). */
const KILL_TO_WEBHOOK_BOUND_MS = 90_000;

afterAll(async () => {
  await engine?.stop();
  await hook?.close();
  await server?.stop().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

function until<T>(what: string, check: () => T | null, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`${what}: not within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const timer = setInterval(() => {
      const value = check();
      if (value !== null) {
        clearTimeout(deadline);
        clearInterval(timer);
        resolve(value);
      }
    }, 50);
  });
}

describe('a configured, unsupervised server killed with SIGKILL, at the default settings', () => {
  it('is red within 2 engine cycles of the kill and notified once within the group window, naming what was seen; the webhook arrives', async () => {
    server = await startModelServer({ mode: 'ok' });
    hook = await startReceiver();
    const config = path.join(home, 'config.json');
    const channels = [{ kind: 'webhook', url: hook.url('/warden') }];
    writeFileSync(config, JSON.stringify({ discovery: false, services: [{ name: 'toy', url: server.url('/v1/models'), port: server.port }], notifications: { channels } }));
    engine = await createEngine({ configPath: config, dataDir: path.join(home, 'data'), deliver: true });
    const states: State[] = [];
    const notifications: Notification[] = [];
    engine.subscribe((s) => states.push(s));
    engine.onNotification((n) => notifications.push(n));
    engine.start();
    expect(engine.currentState().intervalSeconds).toBe(5);

    await until('the service running and answering', () => {
      const toy = states.at(-1)?.services.find((s) => s.name === 'toy');
      return toy?.state === 'running' && toy.probe?.ok ? toy : null;
    }, 120_000);
    const pid = server.pid;
    const killedAt = Date.now();
    await killAndWait(pid, 'SIGKILL');

    const red = await until('red', () => states.find((s) => (s.sampledAt ?? 0) > killedAt && s.findings.some((f) => f.key === 'service:toy:down' && f.severity === 'crit')) ?? null, 120_000);
    const cyclesToRed = states.filter((s) => (s.sampledAt ?? 0) > killedAt && (s.sampledAt ?? 0) <= red.sampledAt!).length;
    const redAt = Date.now();
    const note = await until('the notification', () => notifications.find((n) => n.kind === 'incident') ?? null, 180_000);
    const notifiedAt = Date.now();
    const [delivered] = await hook.waitFor(1, 180_000);
    // Two more cycles: nothing else is sent.
    const after = states.length;
    await until('two more cycles', () => (states.length >= after + 2 ? true : null), 120_000);
    const killToWebhookMs = delivered!.at - killedAt;
    console.log(
      `SIGKILL → red ${((redAt - killedAt) / 1000).toFixed(1)} s (${cyclesToRed} cycles), → notification ${((notifiedAt - killedAt) / 1000).toFixed(1)} s, → webhook at 127.0.0.1 ${(killToWebhookMs / 1000).toFixed(1)} s (engine 5 s, probe 30 s, group 30 s: the defaults)\n  ${note.title}\n  ${note.body.replaceAll('\n', '\n  ')}`,
    );

    expect(cyclesToRed).toBeLessThanOrEqual(2);
    expect(note.at - red.sampledAt!).toBeLessThanOrEqual(DEFAULT_NOTIFICATIONS.groupSeconds * 1000 + 5_000);
    expect(notifications.filter((n) => n.kind === 'incident')).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
    expect(delivered!.method).toBe('POST');
    expect(JSON.parse(delivered!.body)).toMatchObject({ kind: 'incident', title: note.title });
    expect(killToWebhookMs).toBeLessThan(KILL_TO_WEBHOOK_BOUND_MS);
    const toy = red.services.find((s) => s.name === 'toy')!;
    expect(toy.state).toBe('missing');
    expect(toy.stateReason).toMatch(new RegExp(`^PID ${pid} \\(node\\) exited at \\d\\d:\\d\\d; nothing listens on port ${server.port}$`));
    expect(note.title).toMatch(new RegExp(`^toy: not running — PID ${pid} \\(node\\) exited at \\d\\d:\\d\\d; nothing listens on port ${server.port}; exit code and signal not known \\(no supervisor reports them\\)$`));
    expect(note.title).not.toMatch(/nothing runs/);
    server = null;
  }, 420_000);
});
