import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/platform/clock.js';
import { partResults, settleMonitors, type Monitor, type MonitorPart } from '../../../src/engine/monitors.js';

function monitor(part: MonitorPart, idle: () => Promise<void>): Monitor {
  return { part, poll: async () => undefined, idle, unknowns: () => [] };
}

describe('settleMonitors', () => {
  it('times each monitor from the start of the polls, and one the cycle stopped waiting for took the wait', async () => {
    const clock = new ManualClock(10_000);
    let finishLocks: () => void = () => undefined;
    const services = monitor('services', async () => {
      clock.advance(400);
    });
    const locks = monitor('locks', () => new Promise<void>((resolve) => (finishLocks = resolve)));
    const started = clock.now();
    const took = await settleMonitors([services, locks], { clock, startedAt: started - 100, deadlineMs: 10 });
    expect(took.services).toBe(0.5);
    // Still reading when the deadline came: the time the cycle waited, not null.
    expect(took.locks).toBe(0.5);
    finishLocks();
  });

  it('waits for every monitor and the other work when there is no deadline', async () => {
    const clock = new ManualClock(0);
    let modelsDone = false;
    const jobs = monitor('jobs', async () => {
      clock.advance(2_000);
    });
    const models = new Promise<void>((resolve) => setTimeout(() => {
      modelsDone = true;
      resolve();
    }, 5));
    const took = await settleMonitors([jobs], { clock, startedAt: 0, deadlineMs: null, also: [models] });
    expect(took).toEqual({ jobs: 2 });
    expect(modelsDone).toBe(true);
  });
});

describe('partResults', () => {
  it("gives each sampled part its success, its first unknown's reason and its seconds", () => {
    const results = partResults(
      { memory: 0.004, processes: 0.01, services: 0.2, locks: 0.1, jobs: 0 },
      [
        { part: 'lock /data/x.db', reason: 'lsof: no answer within 6.0 s' },
        { part: 'lock /data/y.db', reason: 'a second reason' },
        { part: 'config', reason: 'warden.json was not applied' },
      ],
    );
    expect(results.find((r) => r.name === 'locks')).toEqual({ name: 'locks', ok: false, seconds: 0.1, reason: 'lsof: no answer within 6.0 s' });
    expect(results.find((r) => r.name === 'services')).toEqual({ name: 'services', ok: true, seconds: 0.2, reason: null });
    expect(results.find((r) => r.name === 'config')).toEqual({ name: 'config', ok: false, seconds: null, reason: 'warden.json was not applied' });
    // History is the publish step's; a sense or footprint not run this cycle is left out.
    expect(results.map((r) => r.name)).toEqual(['memory', 'processes', 'services', 'locks', 'jobs', 'config']);
  });
});
