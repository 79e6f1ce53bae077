/**
 * Growth found live at the default settings (an engine cycle every 5 s): a real child process
 * that grows its memory at a known rate is found with that rate and an ETA. The growth window
 * is scaled down in this test's config (2 min instead of 20) so the test takes minutes, not half
 * an hour; the defaults are not touched. The time is printed; the assertion counts cycles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { killAndWait } from '../support/model-server.js';
import { liveEngine, untilState } from '../support/live-engine.js';

/** 1.5 MB a second: 5.4 GB/h, about 300 MB over the test. */
const LEAK_BYTES_PER_SECOND = 1.5e6;
/** Grows by the clock, not by ticks, so a loaded machine slows its steps but not its rate. */
const LEAKER = `
const rate = Number(process.argv[1]);
const keep = [Buffer.alloc(96e6, 1)];
const t0 = Date.now();
let held = 0;
setInterval(() => {
  const want = (rate * (Date.now() - t0)) / 1000;
  while (held < want) { const b = Buffer.allocUnsafe(1 << 20); b.fill(7); keep.push(b); held += 1 << 20; }
}, 200);
`;

let child: ChildProcess | null = null;
let engine: Engine | null = null;

afterAll(async () => {
  await engine?.stop();
  if (child?.pid) await killAndWait(child.pid);
});

describe.runIf(process.platform === 'linux')('live, at the default 5 s interval', () => {
  it('a real process growing 5.4 GB/h is found with its rate and an ETA', async () => {
    child = spawn(process.execPath, ['-e', LEAKER, String(LEAK_BYTES_PER_SECOND)], { stdio: 'ignore' });
    const pid = child.pid;
    engine = liveEngine({ discovery: false, thresholds: { growthMinWindowMinutes: 2 } });
    expect(resolveConfig({}, '/tmp').intervalSeconds).toBe(5);
    const started = Date.now();
    engine.start();
    // 2 min of window and the fit's points take about 30 cycles; a loaded machine may need more.
    const { state, cycles } = await untilState(engine, (s) => s.thieves.some((t) => t.pid === pid && t.growth !== null), 120);
    const growth = state.thieves.find((t) => t.pid === pid)!.growth!;
    const expected = LEAK_BYTES_PER_SECOND * 3600;
    console.log(`leak found after ${cycles} cycles, ${((Date.now() - started) / 1000).toFixed(0)} s: ${(growth.bytesPerHour / 1e9).toFixed(2)} GB/h (injected ${(expected / 1e9).toFixed(2)}), R² ${growth.r2}, window ${growth.windowSeconds} s, ETA ${growth.exhaustsInSeconds} s`);
    expect(Math.abs(growth.bytesPerHour - expected) / expected).toBeLessThan(0.2);
    expect(growth.exhaustsInSeconds).not.toBeNull();
    expect(state.intervalSeconds).toBe(5);
  }, 600_000);
});
