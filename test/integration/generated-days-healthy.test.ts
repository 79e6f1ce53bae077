/**
 * Healthy days Warden has not seen, replayed through the real engine at every engine interval
 * (1–60 s) and probe interval (1 s–5 min): processes come and go on reused pids, RSS jitters,
 * probes answer at random latencies with a rare single failure, and half the days sleep for
 * minutes to an hour and wake with the network still coming up. No day may page or tell a
 * thief story. A failure names the day's seed and the line that replays it alone.
 */
import { describe, expect, it } from 'vitest';
import type { EventKind } from '../support/day-generator.js';
import { dayMatrix, type MatrixRow } from '../support/day-matrix.js';
import { figuresLine, judgeDays } from '../support/day-properties.js';

const FILE = 'test/integration/generated-days-healthy.test.ts';
const COARSE = [5, 30, 60, 120, 300];
const FINE = [1, 2, 5, 10, 30];
const ROWS: MatrixRow[] = [
  { intervalSeconds: 60, days: 35, probes: COARSE, minutes: 120 },
  { intervalSeconds: 30, days: 30, probes: COARSE, minutes: 60 },
  { intervalSeconds: 10, days: 15, probes: [1, 10, 15, 30, 60, 120], minutes: 20 },
  { intervalSeconds: 5, days: 10, probes: [1, 5, 10, 30, 60], minutes: 12 },
  { intervalSeconds: 2, days: 5, probes: FINE, minutes: 6 },
  { intervalSeconds: 1, days: 5, probes: FINE, minutes: 4 },
];
const events = (rand: () => number): EventKind[] => (rand() < 0.5 ? ['sleep'] : []);

describe('healthy generated days, with and without a sleep', () => {
  it.each(ROWS.map((row) => [row.intervalSeconds, row] as const))('every %i s: no notification, no thief story, every fact read', async (_interval, row) => {
    const { failures, figures } = await judgeDays(dayMatrix(0x4ea17 + row.intervalSeconds, [row], events), FILE);
    console.log(figuresLine(`healthy days at ${row.intervalSeconds} s`, figures));
    expect(failures).toEqual([]);
    expect(figures.healthyNotifications).toBe(0);
  }, 600_000);
});
