import { describe, expect, it } from 'vitest';
import { OPTIMIZE_ABOVE_SHARE, OPTIMIZE_SETTLE_MS, OPTIMIZE_WINDOW_MS, OptimizerGate } from '../../../src/engine/optimizer-gate.js';

/** A process whose CPU and clock move as told, and the flags it was given. */
function fakeProcess() {
  const p = { now: 1_000_000, cpu: 0, flags: [] as string[] };
  const gate = new OptimizerGate({ cpuMicros: () => p.cpu, now: () => p.now, setFlags: (f) => p.flags.push(f) });
  /** `cycles` cycles of `ms` each, each costing `share` of a core, the gate asked after each. */
  const run = (cycles: number, share: number, ms = 5_000) => {
    const turned: boolean[] = [];
    for (let i = 0; i < cycles; i++) {
      p.now += ms;
      p.cpu += share * ms * 1000;
      turned.push(gate.afterCycle());
    }
    return turned;
  };
  return { p, gate, run };
}

describe('OptimizerGate', () => {
  it('turns TurboFan off at once, and leaves it off while the cycles stay cheap', () => {
    const { p, gate, run } = fakeProcess();
    expect(p.flags).toEqual(['--no-turbofan']);
    expect(gate.optimizing).toBe(false);
    run(720, OPTIMIZE_ABOVE_SHARE * 0.9);
    expect(p.flags).toEqual(['--no-turbofan']);
    expect(gate.optimizing).toBe(false);
  });

  it('does not count start-up: a dear first minute leaves it off', () => {
    const { p, run } = fakeProcess();
    run(OPTIMIZE_SETTLE_MS / 5_000 - 1, 0.5);
    run(200, OPTIMIZE_ABOVE_SHARE / 2);
    expect(p.flags).toEqual(['--no-turbofan']);
  });

  it('turns it on for good after a full window over the bar, and says why', () => {
    const { p, gate, run } = fakeProcess();
    run(OPTIMIZE_SETTLE_MS / 5_000, 0);
    const turned = run(OPTIMIZE_WINDOW_MS / 5_000 + 2, OPTIMIZE_ABOVE_SHARE * 3);
    // The settle's last cycle starts the window; twelve dear 5 s cycles fill it.
    expect(turned.indexOf(true)).toBe(OPTIMIZE_WINDOW_MS / 5_000 - 1);
    expect(turned.filter(Boolean)).toHaveLength(1);
    expect(p.flags).toEqual(['--no-turbofan', '--turbofan']);
    expect(gate.optimizing).toBe(true);
    expect(gate.reason).toBe('1.50 % of a core over 60 s');
    run(100, 0);
    expect(p.flags).toEqual(['--no-turbofan', '--turbofan']);
  });

  it('the share is of a whole minute: a burst (a wake, an incident) that averages under the bar leaves it off', () => {
    const { p, run } = fakeProcess();
    run(OPTIMIZE_SETTLE_MS / 5_000, 0);
    // Four cycles at 2.9 times the bar, then cheap: no minute averages above it.
    run(4, OPTIMIZE_ABOVE_SHARE * 2.9);
    run(720, 0);
    expect(p.flags).toEqual(['--no-turbofan']);
  });

  it('where flags cannot be set, nothing changes and TurboFan is taken as on', () => {
    const gate = new OptimizerGate({ cpuMicros: () => 0, now: () => 0, setFlags: null });
    expect(gate.optimizing).toBe(true);
    expect(gate.afterCycle()).toBe(false);
  });

  it('on this runtime the flag is honoured: a hot function under --no-turbofan is not optimized until it is turned on', async () => {
    const { spawnSync } = await import('node:child_process');
    const script = `
      const v8 = require('node:v8');
      v8.setFlagsFromString('--allow-natives-syntax');
      v8.setFlagsFromString('--no-turbofan');
      const status = new Function('f', 'return %GetOptimizationStatus(f)');
      function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i & 7; return s; }
      // Bit 16: optimized. Long enough that a concurrent compile would have been installed.
      for (let k = 0; k < 20000 && !(status(hot) & 16); k++) hot(1000);
      const off = (status(hot) & 16) !== 0;
      v8.setFlagsFromString('--turbofan');
      for (let k = 0; k < 1000000 && !(status(hot) & 16); k++) hot(1000);
      console.log(JSON.stringify({ off, on: (status(hot) & 16) !== 0 }));`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ off: false, on: true });
  });
});
