/**
 * Days with a leak, replayed through the real engine at every engine interval (1–60 s): a
 * process grows 0.5–4 GB/h for 26–40 min, from its start or after running flat for hours,
 * sometimes with a sleep elsewhere in the day. Each must be found, by the end of the leak, with
 * its rate within ±15 % and a time until available memory is gone; nothing pages (a leak with
 * hours to go is a warning) and no other process gets a story. A failure names the day's seed.
 */
import { describe, expect, it } from 'vitest';
import type { EventKind } from '../support/day-generator.js';
import { dayMatrix, type MatrixRow } from '../support/day-matrix.js';
import { figuresLine, judgeDays } from '../support/day-properties.js';

const FILE = 'test/integration/generated-days-leaks.test.ts';
const ROWS: MatrixRow[] = [
  { intervalSeconds: 60, days: 30, probes: [30, 60, 300], minutes: 30 },
  { intervalSeconds: 30, days: 25, probes: [30, 60, 120], minutes: 30 },
  { intervalSeconds: 10, days: 12, probes: [10, 30, 60], minutes: 30 },
  { intervalSeconds: 5, days: 8, probes: [5, 30], minutes: 30 },
  { intervalSeconds: 2, days: 3, probes: [10, 30], minutes: 30 },
  { intervalSeconds: 1, days: 2, probes: [10, 30], minutes: 30 },
];
const events = (rand: () => number): EventKind[] => (rand() < 0.3 ? ['leak', 'sleep'] : ['leak']);

describe('generated days with a leak', () => {
  it.each(ROWS.map((row) => [row.intervalSeconds, row] as const))('every %i s: found with its rate within ±15 % and an ETA, nothing pages', async (_interval, row) => {
    const { failures, figures } = await judgeDays(dayMatrix(0x1eac + row.intervalSeconds, [row], events), FILE);
    console.log(figuresLine(`leak days at ${row.intervalSeconds} s`, figures));
    expect(failures).toEqual([]);
    expect(figures.leaksFound).toBe(figures.leaksInjected);
  }, 600_000);
});
