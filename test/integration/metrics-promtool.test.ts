/**
 * Real scrapes checked by a real promtool (Debian's prometheus package): the live engine on
 * this host watching a real model server and a watched file, and the replayed 2026-05-10
 * incident (a Mac swapping, thieves, a failing canary). Outside CI a missing promtool skips;
 * with CI=true it fails (see test/support/promtool.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/cli/metrics.js';
import { createEngine, createReplayEngine } from '../../src/engine/create.js';
import { parseCapture } from '../../src/platform/capture.js';
import { startModelServer, type ModelServer } from '../support/model-server.js';
import { promtool, promtoolMissing } from '../support/promtool.js';

let dir: string;
let server: ModelServer;
let liveScrape = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-metrics-'));
  server = await startModelServer();
  const watched = path.join(dir, 'workspace.db');
  writeFileSync(watched, 'x');
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ discovery: false, intervalSeconds: 1, services: [{ name: 'model "one"', url: server.url() }], watchedFiles: [{ path: watched }] }));
  const engine = await createEngine({ configPath, dataDir: path.join(dir, 'data') });
  try {
    await engine.tick();
    await new Promise((r) => setTimeout(r, 1000));
    await engine.tick();
    liveScrape = await createMetrics(() => engine.currentState(), { now: Date.now }).text();
  } finally {
    await engine.stop();
  }
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function incidentScrape(): Promise<string> {
  const file = 'test/fixtures/captures/incident-2026-05-10.json';
  const session = createReplayEngine(parseCapture(await readFile(file, 'utf8'), file));
  const state = await session.runAll();
  return createMetrics(() => state, { now: () => state.generatedAt }).text();
}

describe('promtool check metrics', () => {
  it('passes a scrape of the live engine (skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    expect(liveScrape).toContain('\nwarden_service_up{service="model \\"one\\""} 1\n');
    expect(liveScrape).toMatch(/\nwarden_swap_out_bytes_total \d+/);
    expect(liveScrape).toMatch(/\nwarden_part_duration_seconds\{part="memory"\} [\d.e-]+\n/);
    const run = await promtool(['check', 'metrics'], liveScrape);
    process.stdout.write(`promtool check metrics (live scrape, ${liveScrape.split('\n').length} lines): exit ${run.code}, stdout ${JSON.stringify(run.stdout)}, stderr ${JSON.stringify(run.stderr)}\n`);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('passes a scrape of the replayed 2026-05-10 incident (skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const text = await incidentScrape();
    expect(text).toContain('\nwarden_memory_pressure{level="critical"} 1\n');
    expect(text).toMatch(/\nwarden_thief_memory_bytes\{rank="1",/);
    const run = await promtool(['check', 'metrics'], text);
    process.stdout.write(`promtool check metrics (incident replay): exit ${run.code}, stdout ${JSON.stringify(run.stdout)}, stderr ${JSON.stringify(run.stderr)}\n`);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('the check can fail: promtool flags a counter without _total (exit 3, lint problems)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const run = await promtool(['check', 'metrics'], '# HELP warden_swap_out Swap.\n# TYPE warden_swap_out counter\nwarden_swap_out 5\n');
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).toMatch(/counter metrics should have "_total" suffix/);
  });
});
