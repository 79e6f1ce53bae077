/**
 * Warden as a process that can be killed while it writes incidents (bundled and started by
 * test/integration/faults-files.test.ts): the real engine and HistoryStore on a real data
 * folder, on an accelerated clock, watching one service that is down for 8 cycles, then up for
 * 8, over and over, so incidents open, notify, recover and close as fast as the disk allows.
 * Memory comes from this host's /proc; the process table is a fixed three-row ps answer (the
 * test is about the history, and a real ps per cycle would only slow the writes down).
 *
 *   node incident-writer.mjs '{"dataDir":"/tmp/x/data","startAt":1778371200000,"cycles":0}'
 *
 * stdout, one JSON line each, written synchronously (a pipe on Linux), so whatever the parent
 * read was said before the kill:
 *   {"opened":{"problems":[…]}}                  what HistoryStore.open found (torn lines…)
 *   {"at":N,"acked":[{"id","incidentId","type"}]} after each cycle: events on disk for certain
 *   {"paged":{"incidentId","kind"}}               a notification the app would have shown
 *   {"paused":true}                                 stopped ticking, waiting to be killed
 * `cycles` 0 runs until killed; otherwise it stops cleanly after that many cycles.
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IncidentEvent } from '../../src/engine/history.js';
import { openHistory } from '../../src/engine/create.js';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { ManualClock } from '../../src/platform/clock.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { LiveFacts } from '../../src/platform/live.js';
import { PS_ARGV } from '../../src/platform/ps.js';
import type { CommandResult, HttpRequest, HttpResult, RunOptions } from '../../src/platform/facts.js';
import { DelegatingFacts } from './delegating-facts.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import { ok, psOutput } from './scripted-facts.js';

export interface WriterArgs {
  dataDir: string;
  startAt: number;
  /** 0: until killed. */
  cycles: number;
  /**
   * Before each cycle, copy alerts-state.json to alerts-state.prev.json, so the test can put
   * back the snapshot of the cycle before the kill: what a crash after a cycle's events were
   * appended, but before its snapshot was saved, leaves on disk.
   */
  keepPreviousSnapshot?: boolean;
  /** Stop ticking (and wait to be killed) after the first cycle that wrote events once this many incidents opened in this run. */
  pauseAfterOpens?: number;
}

export interface WriterLine {
  opened?: { problems: string[] };
  at?: number;
  acked?: Array<Pick<IncidentEvent, 'id' | 'incidentId' | 'type'>>;
  paged?: { incidentId: string; kind: string };
  paused?: true;
}

export const INTERVAL_MS = 5_000;
/** Cycles are numbered from here; the phase of each follows from its number alone. */
export const EPOCH = Date.UTC(2026, 4, 10, 0, 0, 0);
export const DOWN_CYCLES = 8;
export const UP_CYCLES = 8;
/** Not on this host: no process or port to look for, so only the probe speaks for it. */
export const SERVICE_URL = 'http://model.example:8080/v1/models';

export function cycleOf(at: number): number {
  return Math.floor((at - EPOCH) / INTERVAL_MS);
}

export function isDown(at: number): boolean {
  return cycleOf(at) % (DOWN_CYCLES + UP_CYCLES) < DOWN_CYCLES;
}

/** The first cycle of the down phase `at` falls in. */
export function downPhaseOf(at: number): number {
  const cycle = cycleOf(at);
  return cycle - (cycle % (DOWN_CYCLES + UP_CYCLES));
}

const CONFIG: WardenConfigInput = {
  intervalSeconds: INTERVAL_MS / 1000,
  discovery: false,
  services: [{ name: 'model', url: SERVICE_URL, timeoutSeconds: 1, intervalSeconds: INTERVAL_MS / 1000 }],
};

class FlappingHost extends DelegatingFacts {
  private readonly table: string;

  constructor(private readonly clock: ManualClock) {
    super(new LiveFacts());
    const start = EPOCH - 3_600_000;
    this.table = psOutput(
      [
        { pid: 1, ppid: 0, uid: 0, startedAt: start, command: '/sbin/init' },
        { pid: 400, ppid: 1, uid: 0, startedAt: start, command: '/usr/bin/model-server --port 1' },
        { pid: process.pid, ppid: 1, uid: 0, startedAt: start, command: 'warden' },
      ],
      EPOCH,
    );
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    if (argv.join(' ') === PS_ARGV.join(' ')) return ok(argv, this.table);
    return this.inner.run(argv, options);
  }

  override async http(request: HttpRequest): Promise<HttpResult> {
    const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 3, timedOut: false, headers: {}, bodyTruncated: false };
    if (isDown(this.clock.now())) return { ...base, status: null, error: 'connection refused', body: '' };
    return { ...base, status: 200, error: null, body: '{"object":"list","data":[]}' };
  }
}

function say(line: WriterLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as WriterArgs;
  const clock = new ManualClock(args.startAt);
  // Opened as createEngine opens it: the snapshot loaded, forgotten incidents closed.
  const { history, snapshot } = await openHistory(args.dataDir, clock.now());
  say({ opened: { problems: [...history.openProblems] } });

  let acked: WriterLine['acked'] = [];
  const append = history.append.bind(history);
  history.append = async (events) => {
    await append(events);
    // Only once the store says everything it held is written do these count as on disk.
    if (history.available && history.pendingCount === 0) acked!.push(...events.map((e) => ({ id: e.id, incidentId: e.incidentId, type: e.type })));
  };

  const engine = new Engine(
    {
      facts: new FlappingHost(clock),
      effects: new ReplayEffects(),
      clock,
      platform: 'linux',
      host: { platform: 'linux', arch: process.arch, hostname: 'writer', uid: 0, cpuCount: 1 },
      home: '/root',
      config: { input: CONFIG, config: resolveConfig(CONFIG, '/root'), source: 'test' },
      configPath: null,
      history,
      settleParts: true,
      replay: false,
      dataDir: args.dataDir,
      ownPid: process.pid,
    },
    snapshot,
  );
  engine.onNotification((n) => say({ paged: { incidentId: n.incidentId, kind: n.kind } }));
  const snapshotFile = path.join(args.dataDir, 'alerts-state.json');
  let opens = 0;
  for (let i = 0; args.cycles === 0 || i < args.cycles; i++) {
    if (args.keepPreviousSnapshot && existsSync(snapshotFile)) copyFileSync(snapshotFile, path.join(args.dataDir, 'alerts-state.prev.json'));
    await engine.tick();
    say({ at: clock.now(), acked });
    opens += acked.filter((e) => e.type === 'open').length;
    if (args.pauseAfterOpens !== undefined && opens >= args.pauseAfterOpens && acked.length > 0) {
      say({ paused: true });
      // Held until the test's SIGKILL: a bare pending promise holds nothing, and with the loop
      // empty Node would exit 0 on its own, before the kill on a loaded machine.
      await new Promise(() => setInterval(() => undefined, 60_000));
    }
    acked = [];
    clock.advance(INTERVAL_MS);
  }
  await engine.stop();
}

// Only as the child's entry point: the test imports the schedule from this file too.
if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error: unknown) => {
    process.stderr.write(`incident-writer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
