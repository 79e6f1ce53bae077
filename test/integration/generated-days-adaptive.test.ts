/**
 * Days with an outage, a flap or a crash (as generated-days-outages), replayed with the adaptive
 * cadence on: while green and steady the engine reads the process table every 15 s and looks up
 * only the pids the service checks stand on every cycle (src/engine/cadence.ts). Every property
 * still holds: a crash is red within 2 engine cycles, each outage pages once and recovers once,
 * a discovered server never pages. And the cadence did slow: some cycles used the last table.
 */
import { describe, expect, it } from 'vitest';
import type { DayOptions, EventKind } from '../support/day-generator.js';
import { dayMatrix, type MatrixRow } from '../support/day-matrix.js';
import { figuresLine, judgeDays } from '../support/day-properties.js';

const FILE = 'test/integration/generated-days-adaptive.test.ts';
const ROWS: MatrixRow[] = [
  { intervalSeconds: 5, days: 8, probes: [1, 5, 10, 30], minutes: 10 },
  { intervalSeconds: 2, days: 6, probes: [1, 2, 5, 10], minutes: 8 },
  { intervalSeconds: 1, days: 4, probes: [1, 2, 5], minutes: 6 },
];

function events(rand: () => number): EventKind[] {
  const out: EventKind[] = ['crash'];
  if (rand() < 0.5) out.push(rand() < 0.5 ? 'outage' : 'flap');
  if (rand() < 0.3) out.push('discovered-crash');
  if (rand() < 0.3) out.push('leak');
  return out;
}

function days(row: MatrixRow): DayOptions[] {
  return dayMatrix(0xadab + row.intervalSeconds, [row], events).map((d, i) => ({ ...d, llmSupervised: i % 3 === 2 }));
}

describe('generated days with the adaptive cadence on', () => {
  it.each(ROWS.map((row) => [row.intervalSeconds, row] as const))(
    'every %i s: a crash is red within 2 cycles, each outage pages once, and steady cycles used the last table',
    async (_interval, row) => {
      const { failures, figures } = await judgeDays(days(row), FILE, { adaptive: true });
      console.log(figuresLine(`adaptive days at ${row.intervalSeconds} s`, figures), `; ${figures.tablesReused} cycles used the last table`);
      expect(failures).toEqual([]);
      expect(figures.crashToRedSeconds.length).toBeGreaterThan(0);
      expect(figures.tablesReused).toBeGreaterThan(0);
    },
    600_000,
  );
});
