/**
 * A capture replays the day it recorded: the engine's interval, the probes' intervals and the
 * host's time zone are in the bundle (format 2), and the replay runs at them. Recorded here from
 * this host's real ps, /proc and lsof and a real HTTP server that fails for five minutes, on a
 * clock that steps a minute per sample (as `warden capture --interval 60` would, without the wait).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WardenConfigInput } from '../../src/common/config.js';
import type { Notification } from '../../src/common/findings.js';
import { ManualClock } from '../../src/platform/clock.js';
import { parseCapture, type CaptureBundle } from '../../src/platform/capture.js';
import { bundleFrom, createRecordingEngine, createReplayEngine } from '../../src/engine/create.js';
import { resolveConfig } from '../../src/engine/config.js';
import { systemTimeZone } from '../../src/common/zoned-time.js';
import { startModelServer, type ModelServer } from '../support/model-server.js';

const T0 = Date.UTC(2026, 4, 10, 14, 0, 0);
const MINUTE = 60_000;
const SAMPLES = 16;
/** Samples 3–7 (five minutes) answer 500; the rest answer 200. */
const FAILING = new Set([3, 4, 5, 6, 7]);

let server: ModelServer;
let recorded: CaptureBundle;

beforeAll(async () => {
  server = await startModelServer({ mode: 'ok' });
  // No intervalSeconds in the config: the interval is the capture's --interval alone.
  const input: WardenConfigInput = {
    discovery: false,
    services: [{ name: 'toy', url: server.url('/v1/models'), timeoutSeconds: 5, intervalSeconds: 60 }],
  };
  const clock = new ManualClock(T0);
  const { engine, recording } = createRecordingEngine({ input, config: resolveConfig(input, '/home/test'), source: 'test' }, 60, clock);
  for (let i = 0; i < SAMPLES; i++) {
    await server.setMode(FAILING.has(i) ? '500' : 'ok');
    clock.set(T0 + i * MINUTE);
    await engine.tick();
  }
  await engine.stop();
  recorded = parseCapture(JSON.stringify(bundleFrom(recording, input, engine.cadence(), 'test')));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function replay(bundle: CaptureBundle): Promise<{ notifications: Notification[]; notes: string[] }> {
  const session = createReplayEngine(parseCapture(JSON.stringify(bundle)));
  const notifications: Notification[] = [];
  session.engine.onNotification((n) => notifications.push(n));
  const state = await session.runAll();
  // The capture's ps ran on this shared host while other tests start and stop processes: a ps
  // line that did not parse is a note about this host's table, not about the cadence.
  return { notifications, notes: state.notes.filter((note) => !/ of ps output did not have the expected columns/.test(note)) };
}

function withConfig(bundle: CaptureBundle, extra: Partial<WardenConfigInput>): CaptureBundle {
  return { ...bundle, config: { ...(bundle.config as object), ...extra } };
}

describe('a capture at --interval 60', () => {
  it('records format 2: the interval the engine used, each probe interval, and the host time zone', () => {
    expect(recorded.version).toBe(2);
    expect(recorded.cadence).toEqual({ intervalSeconds: 60, probes: { toy: { healthSeconds: 60, canarySeconds: null } } });
    expect(recorded.host.timeZone).toBe(systemTimeZone());
    expect(recorded.samples.map((s) => s.at - T0)).toEqual(Array.from({ length: SAMPLES }, (_, i) => i * MINUTE));
  });

  it('replays the five-minute outage as one notification and one recovery notice, with no note', async () => {
    const { notifications, notes } = await replay(recorded);
    expect(notifications.map((n) => n.kind)).toEqual(['incident', 'recovery']);
    expect(notifications[0]!.title).toMatch(/^toy: /);
    expect(notes).toEqual([]);
  });

  it('a version 1 copy (no cadence, no zone) still replays it, and says the interval was inferred', async () => {
    const { cadence: _cadence, ...rest } = recorded;
    const { timeZone: _zone, ...host } = recorded.host;
    const v1 = { ...rest, version: 1, host } as CaptureBundle;
    const { notifications, notes } = await replay(v1);
    expect(notifications.map((n) => n.kind)).toEqual(['incident', 'recovery']);
    expect(notes[0]).toBe(`capture format 1: the interval was not recorded; inferred 60 s from the samples; schedules and quiet hours use this machine's time zone (${systemTimeZone()})`);
  });

  it('judges quiet hours in the recorded zone: 14:00 UTC is 23:00 in Tokyo, inside 22:00–07:00', async () => {
    const quiet = withConfig(recorded, { notifications: { quietHours: { start: '22:00', end: '07:00' } } });
    const tokyo = await replay({ ...quiet, host: { ...quiet.host, timeZone: 'Asia/Tokyo' } });
    expect(tokyo.notifications).toEqual([]);
    const utc = await replay({ ...quiet, host: { ...quiet.host, timeZone: 'UTC' } });
    expect(utc.notifications.map((n) => n.kind)).toEqual(['incident', 'recovery']);
  });

  it('samples out of order or at the same time are judged as recorded and named in a note', async () => {
    const samples = [...recorded.samples];
    samples[10] = { ...samples[10]!, at: samples[9]!.at };
    samples[12] = { ...samples[12]!, at: samples[11]!.at - 5 * MINUTE };
    const { notes } = await replay({ ...recorded, samples });
    expect(notes).toEqual([
      'capture: sample 11 has the same time as sample 10; judged as recorded',
      'capture: sample 13 is 5 min before sample 12 (the clock stepped back); judged as a clock change',
    ]);
  });

  it('a sample that lacks a part (no commands, no HTTP, no files) is judged as it is: unknown for that part, no crash', async () => {
    const samples = recorded.samples.map((sample, i) =>
      i === 4 ? { ...sample, commands: [] } : i === 5 ? { ...sample, http: [] } : i === 6 ? { ...sample, files: [] } : sample,
    );
    const session = createReplayEngine(parseCapture(JSON.stringify({ ...recorded, samples })));
    const unknowns: string[][] = [];
    for (let i = 0; i < samples.length; i++) {
      session.facts.useSample(i);
      session.clock.set(samples[i]!.at);
      const state = await session.engine.tick();
      unknowns.push(state.unknowns.map((u) => `${u.part}: ${u.reason}`));
    }
    expect(unknowns[4]!.some((u) => /^processes: .*no record of command `ps .*` in sample 5/.test(u))).toBe(true);
    expect(unknowns[3]).toEqual([]);
  });
});
