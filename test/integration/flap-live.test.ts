/**
 * A flapping service at the default settings (engine every 5 s, probe every 30 s), live: the
 * real engine on this host watching a real server that answers 500 and 200 in turn for five
 * minutes, on a clock that steps one cycle at a time. It pages once and recovers once (before,
 * four separate crit incidents opened and nothing was sent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../support/model-server.js';
import { runFlap } from '../support/flap-run.js';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ mode: 'ok' });
});
afterAll(async () => {
  await server?.stop();
});

describe('a server flapping for five minutes, engine 5 s, probe 30 s', () => {
  it('is one incident, one notification from the failing window, one recovery notice from the recovery', async () => {
    const out = await runFlap(server, { engineSeconds: 5, probeSeconds: 30, flapSeconds: 300, goodSeconds: 150 });
    expect(out.incidents).toBe(1);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]!.title).toMatch(/^gpu-box: (failing: 500 in \d+ ms; [345] of the last 5 probes failed|3 of the last 5 probes failed; last: 200 in \d+ ms)$/);
    expect(out.recoveries).toHaveLength(1);
    expect(out.recoveries[0]!.title).toMatch(/^gpu-box recovered: \d+ probes answered, \d+ ms$/);
    expect(out.recoveries[0]!.body).toContain(`Paged for: ${out.notifications[0]!.title}`);
  }, 300_000);
});
