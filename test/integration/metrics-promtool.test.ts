/**
 * Real scrapes checked by a real promtool (Debian's prometheus package): the live engine on
 * this host watching a real model server and a watched file, and the replayed 2026-05-10
 * incident (a Mac swapping, thieves, a failing canary). Then deploy/prometheus: the rules and
 * their unit tests (promtool), the Alertmanager example (amtool), and every metric name the
 * rules and the Grafana dashboard use, checked against the families of a real scrape.
 * Outside CI a missing tool skips; with CI=true it fails (see test/support/promtool.ts).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/cli/metrics.js';
import { createEngine, createReplayEngine } from '../../src/engine/create.js';
import { parseCapture } from '../../src/platform/capture.js';
import { startModelServer, type ModelServer } from '../support/model-server.js';
import { promtool, promtoolMissing, runTool, toolMissing } from '../support/promtool.js';

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

  it('the check can fail: promtool flags a counter without _total (exit 3, lint problems; skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const run = await promtool(['check', 'metrics'], '# HELP warden_swap_out Swap.\n# TYPE warden_swap_out counter\nwarden_swap_out 5\n');
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).toMatch(/counter metrics should have "_total" suffix/);
  });
});

const DEPLOY = path.resolve('deploy/prometheus');

/** Metric names an expression reads: every warden_… name, and any other name before a selector. */
function metricNames(expr: string): string[] {
  const warden = [...expr.matchAll(/\b(warden_[a-z0-9_]+)\b/g)].map((m) => m[1] as string);
  const selected = [...expr.matchAll(/([a-zA-Z_:][\w:]*)\{/g)].map((m) => m[1] as string);
  return [...new Set([...warden, ...selected])];
}

/** The families a scrape declares (# TYPE lines): absent samples included, as Warden exports them. */
function families(scrape: string): Set<string> {
  return new Set([...scrape.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
}

describe('deploy/prometheus', () => {
  it('promtool check rules: the alert rules are valid (skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const run = await promtool(['check', 'rules', 'rules.yml'], undefined, DEPLOY);
    process.stdout.write(`$ promtool check rules rules.yml\n${run.stdout}${run.stderr}`);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool test rules: symptoms page, causes annotate, thresholds hold (skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const run = await promtool(['test', 'rules', 'tests.yml'], undefined, DEPLOY);
    process.stdout.write(`$ promtool test rules tests.yml\n${run.stdout}${run.stderr}`);
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.code).toBe(0);
  });

  it('promtool check config: the example prometheus.yml, with its token file (skipped outside CI when promtool is not installed)', async (ctx) => {
    if (promtoolMissing()) return ctx.skip();
    const tokenFile = path.join(dir, 'warden.token');
    writeFileSync(tokenFile, 'a-token-of-at-least-sixteen-chars\n', { mode: 0o600 });
    const config = readFileSync(path.join(DEPLOY, 'prometheus.yml'), 'utf8');
    expect(config).toContain('/etc/prometheus/warden.token');
    writeFileSync(path.join(dir, 'prometheus.yml'), config.replace('/etc/prometheus/warden.token', tokenFile));
    copyFileSync(path.join(DEPLOY, 'rules.yml'), path.join(dir, 'rules.yml'));
    const run = await promtool(['check', 'config', 'prometheus.yml'], undefined, dir);
    expect(run.stdout + run.stderr).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(run.code).toBe(0);
  });

  it('amtool check-config and routes: pages to the page receiver, causes to the other, grouped per host (skipped outside CI when amtool is not installed)', async (ctx) => {
    if (toolMissing('amtool')) return ctx.skip();
    const check = await runTool('amtool', ['check-config', 'alertmanager.yml'], undefined, DEPLOY);
    process.stdout.write(`$ amtool check-config alertmanager.yml\n${check.stdout}${check.stderr}`);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/SUCCESS[\s\S]*2 inhibit rules/);
    const route = async (...labels: string[]) => (await runTool('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels], undefined, DEPLOY)).stdout.trim();
    expect(await route('severity=page', 'instance=mac-1:9719', 'alertname=WardenServiceDown')).toBe('operator-page');
    expect(await route('severity=cause', 'instance=mac-1:9719', 'alertname=WardenSwapping')).toBe('operator');
    const yaml = readFileSync(path.join(DEPLOY, 'alertmanager.yml'), 'utf8');
    expect(yaml).toMatch(/group_by: \[instance\]/);
    expect(yaml).toMatch(/source_matchers: \[severity="page"\]\n\s+target_matchers: \[severity="cause"\]\n\s+equal: \[instance\]/);
  });

  it('every metric the rules and the dashboard read is one a real scrape declares', () => {
    const declared = families(liveScrape);
    expect(declared.size).toBeGreaterThan(40);
    const rules = readFileSync(path.join(DEPLOY, 'rules.yml'), 'utf8');
    const ruleExprs = [...rules.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] as string);
    const dashboard = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana-dashboard.json'), 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ query?: unknown }> };
    };
    const dashExprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (typeof v.query === 'object' && v.query !== null ? [(v.query as { query: string }).query] : [])),
    ];
    expect(ruleExprs.length).toBeGreaterThan(10);
    expect(dashExprs.length).toBeGreaterThan(20);
    // Prometheus' own `up` is the one name not from Warden.
    const unknown = [...ruleExprs, ...dashExprs].flatMap((e) => metricNames(e).filter((n) => n !== 'up' && !declared.has(n)).map((n) => `${n} in ${e}`));
    expect(unknown).toEqual([]);
    // And the check can fail: a name Warden does not export is caught.
    expect(metricNames('rate(warden_swap_out_bytes_per_second[5m])').filter((n) => !declared.has(n))).toEqual(['warden_swap_out_bytes_per_second']);
  });
});
