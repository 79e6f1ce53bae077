import { describe, expect, it } from 'vitest';
import type { State } from '../../../src/common/state.js';
import { notSteady, STEADY_TABLE_MS, tableDue, type TableDueInput } from '../../../src/engine/cadence.js';

const T0 = 1_800_000_000_000;

function greenState(over: Partial<State> = {}): State {
  return {
    sampledAt: T0,
    findings: [],
    unknowns: [],
    incidents: [],
    thieves: [],
    services: [],
    memory: { pressure: 'normal' },
    ...over,
  } as unknown as State;
}

function due(over: Partial<TableDueInput>): { due: boolean; why: string } {
  return tableDue({ now: T0 + 5_000, intervalMs: 5_000, lastTableAt: T0, notSteady: null, pressure: 'normal', gone: [], adaptive: true, ...over });
}

describe('adaptive cadence: the process table while green and steady', () => {
  it('green and steady: the table is read every 15 s at 5 s cycles, not every cycle', () => {
    const reads: number[] = [];
    let last = T0;
    for (let now = T0 + 5_000; now <= T0 + 60_000; now += 5_000) {
      if (due({ now, lastTableAt: last }).due) {
        reads.push((now - T0) / 1000);
        last = now;
      }
    }
    expect(reads).toEqual([15, 30, 45, 60]);
    expect(STEADY_TABLE_MS).toBe(15_000);
  });

  it('at 10 s cycles and slower, every cycle reads the table', () => {
    expect(due({ now: T0 + 10_000, intervalMs: 10_000 }).due).toBe(true);
    expect(due({ now: T0 + 30_000, intervalMs: 30_000 }).due).toBe(true);
  });

  it('the first non-green fact reads the table in the same cycle', () => {
    expect(due({}).due).toBe(false);
    expect(due({ notSteady: 'finding service:api:down' })).toEqual({ due: true, why: 'finding service:api:down' });
    expect(due({ pressure: 'warn' }).due).toBe(true);
    expect(due({ pressure: null }).due).toBe(true);
    expect(due({ gone: [4242] })).toEqual({ due: true, why: 'pid 4242 gone' });
    expect(due({ gone: null }).due).toBe(true);
    expect(due({ lastTableAt: null }).due).toBe(true);
    expect(due({ now: T0 - 1 }).due).toBe(true);
  });

  it('where pids cannot be looked up one by one, every cycle reads the table', () => {
    expect(due({ adaptive: false }).due).toBe(true);
  });

  it('the previous cycle is steady only when nothing is above ok', () => {
    const now = T0 + 5_000;
    expect(notSteady(greenState(), now, null)).toBeNull();
    expect(notSteady(greenState({ sampledAt: null }), now, null)).toBe('first cycle');
    expect(notSteady(greenState(), now, T0)).toBe('woke');
    expect(notSteady(greenState(), T0 + 120_000, T0)).toBeNull();
    expect(notSteady(greenState({ findings: [{ key: 'memory:pressure', severity: 'warn' }] } as unknown as Partial<State>), now, null)).toBe('finding memory:pressure');
    expect(notSteady(greenState({ findings: [{ key: 'x', severity: 'ok' }] } as unknown as Partial<State>), now, null)).toBeNull();
    expect(notSteady(greenState({ unknowns: [{ part: 'processes', reason: 'ps timed out' }] }), now, null)).toBe('unknown processes');
    expect(notSteady(greenState({ memory: { pressure: 'warn' } } as unknown as Partial<State>), now, null)).toBe('memory pressure not normal');
    expect(notSteady(greenState({ incidents: [{ closedAt: null }] } as unknown as Partial<State>), now, null)).toBe('open incident');
    expect(notSteady(greenState({ thieves: [{ pid: 7, growth: { bytesPerHour: 1 }, sustainedCpu: null, arrivedAgoSeconds: null }] } as unknown as Partial<State>), now, null)).toBe('process 7 has a story');
    expect(notSteady(greenState({ services: [{ name: 'api', probe: { ok: false }, canary: null }] } as unknown as Partial<State>), now, null)).toBe('probe of api failed');
  });
});
