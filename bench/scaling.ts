import os from 'node:os';
import type { ServiceConfig, WardenConfigInput } from '../src/common/config.js';
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
