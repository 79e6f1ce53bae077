import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { followPower } from '../../../src/main/power.js';
import { createReplayEngine } from '../../../src/engine/create.js';
import { parseCapture } from '../../../src/platform/capture.js';

const INCIDENT = 'test/fixtures/captures/incident-2026-05-10.json';

describe('powerMonitor feeds the wake grace', () => {
  it("a resume from the OS starts the engine's wake grace, with no gap between cycles", async () => {
    const session = createReplayEngine(parseCapture(readFileSync(INCIDENT, 'utf8'), 'incident'));
    const monitor = new EventEmitter();
    const logs: string[] = [];
    followPower(monitor, session.engine, (l) => logs.push(l));
    const last = parseCapture(readFileSync(INCIDENT, 'utf8'), 'incident').samples.length - 1;
    // Resume told just before the last sample: the replay's cycles are evenly spaced, so only the event says so.
    const state = await session.runAll((i) => {
      if (i === last - 1) {
        monitor.emit('suspend');
        monitor.emit('resume');
      }
    });
    await session.engine.stop();
    const evidence = state.incidents.flatMap((i) => i.diagnosis?.causeEvidence ?? []);
    expect(evidence.some((e) => /^host woke from sleep /.test(e))).toBe(true);
    expect(logs).toEqual(['host going to sleep', 'host woke: probe failures in the wake grace do not count']);
  });

  it('without a resume the same replay says nothing of waking', async () => {
    const session = createReplayEngine(parseCapture(readFileSync(INCIDENT, 'utf8'), 'incident'));
    const state = await session.runAll();
    await session.engine.stop();
    expect(state.incidents.flatMap((i) => i.diagnosis?.causeEvidence ?? []).some((e) => /woke/.test(e))).toBe(false);
  });
});
