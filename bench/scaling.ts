import os from 'node:os';
import type { ServiceConfig, WardenConfigInput } from '../src/common/config.js';
import type { MemorySample } from '../src/common/memory.js';
import type { ProcessRow } from '../src/common/processes.js';
import { LiveFacts } from '../src/platform/live.js';
import type { CommandResult, RunOptions } from '../src/platform/facts.js';
import { PS_ARGV, parsePs } from '../src/platform/ps.js';
import { ReplayEffects } from '../src/platform/effects.js';
import { systemClock } from '../src/platform/clock.js';
import { resolveConfig } from '../src/engine/config.js';
import { DEFAULT_THRESHOLDS } from '../src/engine/defaults.js';
import { Engine } from '../src/engine/engine.js';
import { hostPlatform, liveHost } from '../src/engine/create.js';
import { ThiefTracker } from '../src/engine/thieves.js';
import { ScriptedFacts, ok } from '../test/support/scripted-facts.js';
import { WideProcessTable } from '../test/support/wide-ps.js';
import { measure, pause, sumSpans, type CpuClock, type Span } from './measure.js';

export interface TableCost {
  rows: number;
  spans: Span[];
  thieves: number;
}

/**
 * parsePs + ThiefTracker.update + thieves() on synthetic tables in procps's format for Warden's
 * own argv (test/support/wide-ps.ts: kernel threads, Chromium helpers with KiB of flags, a few
 * multi-GiB processes, ten rows replaced per table). The text is made before the clock starts.
 */
export async function benchTable(clock: CpuClock, rows: number, tables: number): Promise<TableCost> {
  // A ps that prints no real rows, so every row is a made-up one and the count is exact.
  const wide = new WideProcessTable(new ScriptedFacts().on((argv) => ok(argv, '')), rows);
  const texts: Array<{ at: number; text: string }> = [];
  for (let i = 0; i < tables + 1; i++) {
    const at = Date.now();
    texts.push({ at, text: (await wide.run(PS_ARGV)).stdout });
  }
  const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
  const spans: Span[] = [];
  let thieves = 0;
  for (const [i, { at, text }] of texts.entries()) {
    const m = await measure(clock, async () => {
      const parsed = parsePs(text, at);
      if (parsed.rows.length !== rows) throw new Error(`bench: parsePs read ${parsed.rows.length} of ${rows} synthetic rows (${parsed.skipped} skipped)`);
      tracker.update({ at, rows: parsed.rows, skipped: parsed.skipped });
      return tracker.thieves(at, null).length;
    });
    // The first table fills the tracker from nothing: a warm-up, not a steady cycle.
    if (i > 0) spans.push(m.span);
    thieves = m.value;
  }
  return { rows, spans, thieves };
}

export interface EngineCost {
  services: number;
  deadlineMs: number;
  /** The first cycle also runs every service's supervision inspection (one lsof between them). */
  first: Span;
  /** lsof runs over all the cycles, counted as the engine asked for them. */
  lsofRuns: number;
  steady: Span[];
  /** All cycles and stop(), so work a cycle left running is counted too. */
  total: Span;
  cycles: number;
  /** Services whose last probe answered ok, of those configured. */
  answering: number;
}

/** This host, counting the lsof runs the engine makes. */
class CountingFacts extends LiveFacts {
  lsofRuns = 0;
  override run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    if (argv[0] === 'lsof') this.lsofRuns += 1;
    return super.run(argv, options);
  }
}

const INTERVAL_SECONDS = 5;
/** Services are probed every second; cycles this far apart make every probe due every cycle. */
const CYCLE_GAP_MS = 1_050;

/**
 * One live engine on this host (real ps, /proc, lsof, HTTP) with `services` services probing
 * the farm's servers, built as test/integration/load.test.ts builds it: no history on disk,
 * effects that change nothing. Cycles run a little over 1 s apart on the real clock.
 */
export async function benchEngine(clock: CpuClock, ports: number[], services: number, cycles: number): Promise<EngineCost> {
  const configured: ServiceConfig[] = Array.from({ length: services }, (_, i) => {
    const name = `svc-${String(i + 1).padStart(3, '0')}`;
    return { name, url: `http://127.0.0.1:${ports[i % ports.length] as number}/svc/${name}/v1/models`, intervalSeconds: 1, expect: { jsonField: 'data' } };
  });
  const input: WardenConfigInput = { intervalSeconds: INTERVAL_SECONDS, discovery: false, services: configured };
  const home = os.homedir();
  const facts = new CountingFacts();
  const engine = new Engine({
    facts,
    effects: new ReplayEffects(),
    clock: systemClock,
    platform: hostPlatform(),
    host: liveHost(),
    home,
    config: { input, config: resolveConfig(input, home), source: 'bench' },
    configPath: null,
    history: null,
    settleParts: false,
    replay: false,
    dataDir: null,
  });
  const spans: Span[] = [];
  let answering = 0;
  const total = await measure(clock, async () => {
    for (let i = 0; i < cycles; i++) {
      const m = await measure(clock, () => engine.tick());
      spans.push(m.span);
      answering = m.value.services.filter((s) => s.probe?.ok).length;
      if (i < cycles - 1) await pause(Math.max(0, CYCLE_GAP_MS - m.span.wallMs));
    }
    await engine.stop();
  });
  const [first, ...steady] = spans as [Span, ...Span[]];
  // The pauses between cycles are idle; only their (tiny) timer work is in the total's CPU.
  return { services, deadlineMs: INTERVAL_SECONDS * 1000, first, lsofRuns: facts.lsofRuns, steady, total: { ...total.span, wallMs: sumSpans(spans).wallMs }, cycles, answering };
}

export interface HistoryCost {
  tracked: number;
  rows: number;
  historyHours: number;
  /** update + thieves() per table with the full history behind them. */
  full: Span[];
  /** The same with a minute of history: what the history itself adds is the difference. */
  fresh: Span[];
}

const HISTORY_INTERVAL_MS = 5_000;

/** Rows of one table: `tracked` processes over the tracker's size floor, each with its own slow drift and noise, and `small` ones under it. */
function historyRows(at: number, tracked: number, small: number, startedAt: number): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (let i = 0; i < tracked + small; i++) {
    const big = i < tracked;
    const noise = ((Math.floor(at / HISTORY_INTERVAL_MS) * 7_919 + i * 104_729) % 1_000) * 1e3;
    rows.push({
      pid: 1_000 + i,
      ppid: 1,
      uid: 501,
      rssBytes: big ? 200e6 + i * 10e6 + ((at - startedAt) / 3_600_000) * i * 1e6 + noise : 5e6,
      cpuPercent: 0.1,
      cpuSeconds: Math.floor((at - startedAt) / 100_000),
      elapsedSeconds: Math.floor((at - startedAt) / 1000),
      startedAt,
      name: big ? `worker-${i}` : `helper-${i}`,
      command: `/usr/libexec/${big ? 'worker' : 'helper'}-${i} --serve`,
      zombie: false,
    });
  }
  return rows;
}

/**
 * What uptime costs the thief tracker: one ThiefTracker fed `historyHours` of tables at the
 * default 5 s (its whole 6 h history when that is 6), then update + thieves() measured per
 * table, beside a tracker with a minute of history. Every tracked process's growth line is
 * fitted through its history each cycle, so this is the cost a process pays after hours up.
 */
export async function benchHistory(clock: CpuClock, tracked: number, small: number, historyHours: number, tables: number): Promise<HistoryCost> {
  const memory = { totalBytes: 64e9, availableBytes: 20e9 } as MemorySample;
  const run = async (hours: number): Promise<Span[]> => {
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    const startedAt = Date.UTC(2026, 0, 1);
    const fill = Math.round((hours * 3_600_000) / HISTORY_INTERVAL_MS);
    let at = startedAt + 60_000;
    for (let i = 0; i < fill; i++, at += HISTORY_INTERVAL_MS) tracker.update({ at, rows: historyRows(at, tracked, small, startedAt) });
    const spans: Span[] = [];
    for (let i = 0; i < tables; i++, at += HISTORY_INTERVAL_MS) {
      const rows = historyRows(at, tracked, small, startedAt);
      const m = await measure(clock, async () => {
        tracker.update({ at, rows });
        return tracker.thieves(at, memory).length;
      });
      spans.push(m.span);
    }
    return spans;
  };
  await run(1 / 60); // warm-up: the first tables compile
  const fresh = await run(1 / 60);
  const full = await run(historyHours);
  return { tracked, rows: tracked + small, historyHours, full, fresh };
}
