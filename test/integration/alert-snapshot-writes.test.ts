/**
 * The alert snapshot (alerts-state.json) is written with fsync and rename. It was written at
 * every cycle even when only its clock fields moved: 17,280 synced rewrites a day at 5 s, and
 * half the wall time of a replayed soak cycle. Now: at once when what it holds changes, else
 * at most once a minute (then without fsync: only clock fields moved), and at stop().
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { HistoryStore } from '../../src/engine/history.js';
import { ManualClock } from '../../src/platform/clock.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { AFTERNOON_CONFIG } from '../support/record-afternoon.js';
import { CAPTURE_START, HOME, SimulatedMac, UID } from '../support/simulated-mac.js';

const STEP = 5_000;
let dir = '';

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function engineOnHealthyMac(): Promise<{ engine: Engine; clock: ManualClock; history: HistoryStore; writes: () => number; durable: () => boolean[] }> {
  dir = mkdtempSync(join(os.tmpdir(), 'warden-snapshot-'));
  const clock = new ManualClock(CAPTURE_START);
  const history = await HistoryStore.open(dir);
  const save = vi.spyOn(history, 'saveAlertSnapshot');
  const input = { ...AFTERNOON_CONFIG, intervalSeconds: STEP / 1000 };
  const engine = new Engine({
    facts: new SimulatedMac('healthy', clock),
    effects: new ReplayEffects(),
    clock,
    platform: 'darwin',
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, cpuCount: 16 },
    home: HOME,
    config: { input, config: resolveConfig(input, HOME), source: 'test' },
    configPath: null,
    history,
    settleParts: true,
    replay: false,
    dataDir: null,
  });
  return { engine, clock, history, writes: () => save.mock.calls.length, durable: () => save.mock.calls.map((call) => call[1]?.durable !== false) };
}

const lastNowOnDisk = () => (JSON.parse(readFileSync(join(dir, 'alerts-state.json'), 'utf8')) as { lastNow: number }).lastNow;

describe('the alert snapshot on a quiet host', () => {
  it('is written once, then not again while only the clock moves, until a minute has passed', async () => {
    const { engine, clock, writes, durable } = await engineOnHealthyMac();
    await engine.tick();
    expect(writes()).toBe(1);
    // Eleven more cycles, 55 s: nothing but the last cycle's time changed.
    for (let i = 1; i <= 11; i++) {
      clock.set(CAPTURE_START + i * STEP);
      await engine.tick();
    }
    expect(writes()).toBe(1);
    expect(lastNowOnDisk()).toBe(CAPTURE_START);
    clock.set(CAPTURE_START + 12 * STEP);
    await engine.tick();
    expect(writes()).toBe(2);
    expect(lastNowOnDisk()).toBe(CAPTURE_START + 60_000);
    // The first write held new content (fsynced); the minute's holds only the clock (not fsynced); stop() is durable.
    await engine.stop();
    expect(durable()).toEqual([true, false, true]);
  });

  it('is written at once on a snooze, and at stop() with the last cycle, for the next start to resume from', async () => {
    const { engine, clock, writes, durable } = await engineOnHealthyMac();
    await engine.tick();
    clock.set(CAPTURE_START + STEP);
    await engine.tick();
    expect(writes()).toBe(1);
    await engine.snooze({ scope: 'all' }, '1h');
    expect(writes()).toBe(2);
    clock.set(CAPTURE_START + 2 * STEP);
    await engine.tick();
    expect(writes()).toBe(2);
    await engine.stop();
    expect(writes()).toBe(3);
    expect(durable()).toEqual([true, true, true]);
    expect(lastNowOnDisk()).toBe(CAPTURE_START + 2 * STEP);
    const resumed = await (await HistoryStore.open(dir)).loadAlertSnapshot();
    expect(resumed?.lastNow).toBe(CAPTURE_START + 2 * STEP);
    expect(resumed?.snoozes).toEqual([{ target: { scope: 'all' }, until: CAPTURE_START + STEP + 3_600_000 }]);
  });
});
