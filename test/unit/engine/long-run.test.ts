import { describe, expect, it } from 'vitest';
import { tuneLongRun } from '../../../src/engine/long-run.js';

describe('tuneLongRun', () => {
  it('runs after each published State, beside the optimizer gate, and stops when asked', () => {
    const listeners: Array<() => void> = [];
    const engine = { subscribe: (l: () => void) => (listeners.push(l), () => listeners.splice(listeners.indexOf(l), 1)) };
    const flags: string[] = [];
    const { trim, gate, stop } = tuneLongRun(engine, { now: () => 0, gate: { cpuMicros: () => 0, now: () => 0, setFlags: (f) => flags.push(f) } });
    expect(trim.available).toBe(true);
    expect(gate.optimizing).toBe(false);
    expect(flags).toEqual(['--no-turbofan']);
    expect(listeners.length).toBe(1);
    stop();
    expect(listeners.length).toBe(0);
  });
});
