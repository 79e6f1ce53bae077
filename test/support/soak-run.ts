/**
 * The soak's own process (bundled and started by test/integration/soak.test.ts with
 * --expose-gc): runs the real engine for many cycles on an accelerated ManualClock and prints
 * one JSON line of figures. A process of its own keeps vitest's memory out of the heap figures.
 *
 *   node --expose-gc soak-run.mjs '{"mode":"replayed","cycles":20000,"sampleEvery":1000,"dataDir":"/tmp/x"}'
 *   node --expose-gc soak-run.mjs '{"mode":"live","cycles":20000,"budgetMs":45000,"sampleEvery":100,"url":"http://127.0.0.1:N/v1/models","dataDir":"/tmp/y"}'
 */
import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { HistoryStore } from '../../src/engine/history.js';
import type { ThiefTracker } from '../../src/engine/thieves.js';
import { ManualClock } from '../../src/platform/clock.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { LiveFacts } from '../../src/platform/live.js';
import { PS_ARGV } from '../../src/platform/ps.js';
import type { CommandResult, RunOptions } from '../../src/platform/facts.js';
import { DelegatingFacts } from './delegating-facts.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { AFTERNOON_CONFIG } from './record-afternoon.js';
import { CAPTURE_START, HOME, UID } from './simulated-mac.js';
import { ChurningMac } from './churning-mac.js';

export interface SoakArgs {
  mode: 'replayed' | 'live';
  cycles: number;
  /** Live only: stop early once this much wall time has passed (CI); absent, run every cycle. */
  budgetMs?: number;
  /** With a budget: never stop before this many cycles, however slow a shared machine is. */
  minCycles?: number;
  /** Heap and RSS are measured (after a forced GC) every this many cycles. */
  sampleEvery: number;
  url?: string;
  dataDir: string;
}

export interface SoakSample {
  cycle: number;
  heapUsed: number;
  rss: number;
  tracked: number;
  psRows: number;
}

export interface SoakReport {
  mode: SoakArgs['mode'];
  cycles: number;
  wallMs: number;
  cpuMs: number;
  samples: SoakSample[];
  /** Cycles where the tracker held more processes than the table it was given. */
  trackedOverRows: number;
  maxTracked: number;
  transientsStarted: number;
  unanswered: string[];
  handlesBefore: string[];
  handlesAfter: string[];
  warnings: string[];
  /** The most incidents one State held, and how many different ones were opened in all. */
  incidents: number;
  incidentsOpened: number;
  lastLevel: string;
  /** States delivered to the per-cycle subscribers: one per cycle, none after unsubscribing. */
  published: number;
}

/** Counts the rows of the last process table the engine was given. */
class CountingFacts extends DelegatingFacts {
  psRows = 0;
  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await this.inner.run(argv, options);
    if (argv.join(' ') === PS_ARGV.join(' ')) this.psRows = result.stdout.split('\n').filter((l) => l.trim() !== '').length;
    return result;
  }
}

/** The tracker is private to the engine; the soak reads its size, the figure /metrics would show. */
function trackedOf(engine: Engine): number {
  return (engine as unknown as { thieves: ThiefTracker }).thieves.trackedCount;
}

/**
 * Live cycles run on a ManualClock moved 5 s a cycle, so every part is due every time it would
 * be at that cadence (the probe every cycle, locks every third, supervision every sixth). ps's
 * elapsed times are real, so start times drift by a cycle's jump and the tracker takes this
 * box's few big processes for new ones each cycle: the live run proves the I/O paths hold,
 * the replayed one that history is kept and evicted.
 */
function liveConfig(url: string, dataDir: string): WardenConfigInput {
  const watched = join(dataDir, 'watched.sqlite');
  writeFileSync(watched, 'not locked by anyone');
  return {
    intervalSeconds: 5,
    discovery: false,
    services: [{ name: 'model', url, intervalSeconds: 5, timeoutSeconds: 2, expect: { jsonField: 'data' } }],
    watchedFiles: [{ path: watched }, { path: join(dataDir, 'never-created.duckdb') }],
  };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as SoakArgs;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

  // Settled first: what the start-up itself left in flight is not a baseline. This process's own
  // stdout and stderr are opened first too: Node opens them lazily, and net's Socket destroy
  // touches process.stderr, so the first HTTP socket closed would open a pipe that is Node's.
  void process.stdout.writableLength;
  void process.stderr.writableLength;
  await new Promise((resolve) => setImmediate(resolve));
  const handlesBefore = process.getActiveResourcesInfo();
  const replayed = args.mode === 'replayed';
  const start = replayed ? CAPTURE_START : Date.now();
  const clock = new ManualClock(start);
  const churn = replayed ? new ChurningMac(clock, start) : null;
  const facts = new CountingFacts(churn ?? new LiveFacts());
  const input = replayed ? { ...AFTERNOON_CONFIG, intervalSeconds: 5 } : liveConfig(args.url ?? '', args.dataDir);
  const home = replayed ? HOME : os.homedir();
  const history = await HistoryStore.open(args.dataDir);
  const engine = new Engine({
    facts,
    effects: new ReplayEffects(),
    clock,
    platform: replayed ? 'darwin' : 'linux',
    host: replayed
      ? { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, cpuCount: 16 }
      : { platform: 'linux', arch: process.arch, hostname: os.hostname(), uid: process.getuid?.() ?? -1, cpuCount: os.cpus().length },
    home,
    config: { input, config: resolveConfig(input, home), source: 'soak' },
    configPath: null,
    history,
    // Replayed cycles wait for every part (as a replay does); live ones keep the live deadline.
    settleParts: replayed,
    replay: false,
    dataDir: null,
    ownPid: process.pid,
  });
  const step = (input.intervalSeconds ?? 5) * 1000;
  let published = 0;

  const samples: SoakSample[] = [];
  let trackedOverRows = 0;
  let maxTracked = 0;
  let incidents = 0;
  const opened = new Set<string>();
  let lastLevel = '';
  const sampleEvery = Math.max(1, args.sampleEvery);
  const sample = (cycle: number) => {
    gc();
    gc();
    const m = process.memoryUsage();
    samples.push({ cycle, heapUsed: m.heapUsed, rss: m.rss, tracked: trackedOf(engine), psRows: facts.psRows });
  };

  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  let cycle = 0;
  while (cycle < args.cycles) {
    clock.set(start + cycle * step);
    // A view that opens and closes every cycle, as the popover does.
    const unsubscribe = engine.subscribe(() => (published += 1));
    const state = await engine.tick();
    unsubscribe();
    cycle += 1;
    const tracked = trackedOf(engine);
    if (tracked > facts.psRows) trackedOverRows += 1;
    maxTracked = Math.max(maxTracked, tracked);
    incidents = Math.max(incidents, state.incidents.length);
    for (const incident of state.incidents) opened.add(incident.id);
    lastLevel = state.level;
    if (cycle % sampleEvery === 0) sample(cycle);
    if (args.budgetMs !== undefined && cycle >= (args.minCycles ?? 0) && performance.now() - wallStart > args.budgetMs) break;
  }
  const wallMs = performance.now() - wallStart;
  const cpu = process.cpuUsage(cpuStart);
  if (samples.at(-1)?.cycle !== cycle) sample(cycle);

  // The live loop's own timer, started and stopped, must not outlive stop() either.
  const first = new Promise<void>((resolve) => {
    const off = engine.subscribe(() => {
      off();
      resolve();
    });
  });
  clock.set(start + cycle * step);
  engine.start();
  await first;
  await engine.stop();
  await new Promise((resolve) => setImmediate(resolve));
  const handlesAfter = process.getActiveResourcesInfo();

  const report: SoakReport = {
    mode: args.mode,
    cycles: cycle,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    samples,
    trackedOverRows,
    maxTracked,
    transientsStarted: churn?.started ?? 0,
    unanswered: [...new Set(churn?.unanswered ?? [])],
    handlesBefore,
    handlesAfter,
    warnings,
    incidents,
    incidentsOpened: opened.size,
    lastLevel,
    published,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
