import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create.js';
import { MemorySeries } from '../../src/renderer/series.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the sparklines survive a restart', () => {
  it('points sampled before a restart come back from the data folder', async () => {
    const options = { configPath: path.join(dir, 'config.json'), dataDir: path.join(dir, 'data') };
    const first = await createEngine(options);
    for (let i = 0; i < 3; i++) await first.tick();
    await first.stop();
    const before = await first.memoryHistory();
    expect(before).toHaveLength(3);

    const second = await createEngine(options);
    await second.tick();
    const after = await second.memoryHistory();
    await second.stop();
    expect(after.slice(0, 3).map((p) => p.at)).toEqual(before.map((p) => p.at));
    expect(after).toHaveLength(4);
    expect(after.every((p) => p.totalBytes === os.totalmem() && p.availableBytes > 0)).toBe(true);
  });

  it('the page seeds its sparkline with them, older points first, without repeating what it has', () => {
    const series = new MemorySeries();
    const now = Date.now();
    const point = (at: number) => ({ at, availableBytes: 1, swapUsedBytes: 0, totalBytes: 2 });
    series.seed([point(now - 120_000), point(now - 60_000)]);
    series.seed([point(now - 60_000), point(now - 2 * 3_600_000)]);
    expect(series.all().map((p) => p.at)).toEqual([now - 120_000, now - 60_000]);
  });
});
