/**
 * PID reuse through the real engine on a simulated Mac (real ps and top formats): the 30 GB
 * model server dies and a small process takes its pid before the next `top` read. The small
 * process must never show the server's footprint, nor "arrived 2 s ago" with it: a false straw
 * a diagnosis would name. A process `top` has not read yet shows its RSS until it has. And when
 * the pid changes hands inside one cycle, between `top`'s look and `ps`'s (they run side by
 * side), the new process is not given the footprint top read from the old one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { resolveConfig } from '../../src/engine/config.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { CommandResult, RunOptions } from '../../src/platform/facts.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import type { State } from '../../src/common/state.js';
import { CAPTURE_START, CATHEDRAL_PID, HOME, SimulatedMac, UID } from '../support/simulated-mac.js';
import { DelegatingFacts } from '../support/delegating-facts.js';
import { etime } from '../support/scripted-facts.js';

const S = 1000;
const DIED_AT = CAPTURE_START + 7 * S;
const SMALL_STARTED_AT = CAPTURE_START + 8 * S;
/** A new large process that appears after the first top read. */
const NEWCOMER_PID = 5555;
const NEWCOMER_STARTED_AT = CAPTURE_START + 12 * S;
const NEWCOMER_RSS_KIB = 12 * 1024 * 1024;
/** top reports the newcomer's footprint a little above its RSS, so the two are told apart. */
const NEWCOMER_FOOTPRINT_MIB = 12_800;

interface Reuse {
  diedAt: number;
  smallStartedAt: number;
  /** A large newcomer appears at NEWCOMER_STARTED_AT. */
  newcomer: boolean;
  /** top's look at the processes is this much older than ps's in the same cycle. */
  topLagMs: number;
}

/** The healthy afternoon's Mac, where pid 4242 changes hands at diedAt. */
class ReusedPidMac extends DelegatingFacts {
  readonly topReads: number[] = [];

  constructor(
    private readonly clock: ManualClock,
    private readonly reuse: Reuse = { diedAt: DIED_AT, smallStartedAt: SMALL_STARTED_AT, newcomer: true, topLagMs: 0 },
  ) {
    super(new SimulatedMac('healthy', clock));
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const answer = await this.inner.run(argv, options);
    const now = this.clock.now();
    if (answer.exitCode !== 0) return answer;
    if (argv[0] === 'ps') return { ...answer, stdout: this.ps(answer.stdout, now) };
    if (argv[0] === 'top') this.topReads.push(now);
    if (argv[0] === 'top') return { ...answer, stdout: this.top(answer.stdout, now - this.reuse.topLagMs) };
    return answer;
  }

  private ps(stdout: string, now: number): string {
    const lines = stdout.trimEnd().split('\n');
    const { diedAt, smallStartedAt, newcomer } = this.reuse;
    const rows = now < diedAt ? lines : lines.filter((line) => Number(line.trim().split(/\s+/)[0]) !== CATHEDRAL_PID);
    const row = (pid: number, rssKib: number, startedAt: number, command: string) =>
      `${String(pid).padStart(5)}     1 ${String(UID).padStart(5)} ${String(rssKib).padStart(8)}   0.0     0:00.01 ${etime(Math.floor((now - startedAt) / 1000)).padStart(14)} ${command}`;
    if (now >= smallStartedAt) rows.push(row(CATHEDRAL_PID, 3_072, smallStartedAt, '/bin/sleep 600'));
    if (newcomer && now >= NEWCOMER_STARTED_AT) rows.push(row(NEWCOMER_PID, NEWCOMER_RSS_KIB, NEWCOMER_STARTED_AT, '/opt/homebrew/bin/llama-server -m /Users/bert/models/qwen.gguf --port 8081'));
    return `${rows.join('\n')}\n`;
  }

  private top(stdout: string, now: number): string {
    const lines = stdout.split('\n');
    const header = lines.findIndex((line) => /^PID\s+MEM\s*$/.test(line));
    const body = lines.slice(header + 1).filter((line) => line.trim() !== '');
    const { diedAt, smallStartedAt, newcomer } = this.reuse;
    const rows = now < diedAt ? body : body.filter((line) => Number(line.split(/\s+/)[0]) !== CATHEDRAL_PID);
    if (newcomer && now >= NEWCOMER_STARTED_AT) rows.unshift(`${String(NEWCOMER_PID).padEnd(7)}${`${NEWCOMER_FOOTPRINT_MIB}M`.padEnd(5)}`);
    if (now >= smallStartedAt) rows.push(`${String(CATHEDRAL_PID).padEnd(7)}${'3M'.padEnd(5)}`);
    return [...lines.slice(0, header + 1), ...rows, ''].join('\n');
  }
}

const engines: Engine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.stop()));
});

function engineOn(clock: ManualClock, reuse?: Reuse): { engine: Engine; facts: ReusedPidMac } {
  const input: WardenConfigInput = { intervalSeconds: 5, discovery: false, services: [] };
  const facts = new ReusedPidMac(clock, reuse);
  const engine = new Engine({
    facts,
    effects: new ReplayEffects(),
    clock,
    platform: 'darwin',
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mac-mini', uid: UID, cpuCount: 16 },
    home: HOME,
    config: { input, config: resolveConfig(input, HOME), source: 'test' },
    configPath: null,
    history: null,
    settleParts: true,
    replay: false,
    dataDir: null,
    ownPid: 99_999,
  });
  engines.push(engine);
  return { engine, facts };
}

const mentions = (state: State, pid: number) => JSON.stringify({ findings: state.findings, incidents: state.incidents }).includes(`${pid}`);

describe('a reused pid (real engine, simulated Mac at 5 s)', () => {
  it('never shows the dead server\'s footprint on the small process that took its pid', async () => {
    const clock = new ManualClock(CAPTURE_START);
    const { engine, facts } = engineOn(clock);
    const states: Array<{ at: number; state: State }> = [];
    for (let at = CAPTURE_START; at <= CAPTURE_START + 40 * S; at += 5 * S) {
      clock.set(at);
      states.push({ at, state: await engine.tick() });
    }
    // top was read at +0 s and +30 s only: from +8 s to +30 s the footprints in hand are +0 s's.
    expect(facts.topReads.map((at) => (at - CAPTURE_START) / S)).toEqual([0, 30]);

    const before = states[0]!.state.thieves.find((t) => t.pid === CATHEDRAL_PID);
    expect(before?.memoryMetric).toBe('footprint');
    expect(before!.memoryBytes).toBeGreaterThan(25e9);

    for (const { at, state } of states.filter((s) => s.at >= SMALL_STARTED_AT)) {
      const reused = state.thieves.find((t) => t.pid === CATHEDRAL_PID);
      expect(reused, `pid ${CATHEDRAL_PID} listed at +${(at - CAPTURE_START) / S} s: ${reused?.story}`).toBeUndefined();
      expect(mentions(state, CATHEDRAL_PID), `pid ${CATHEDRAL_PID} named at +${(at - CAPTURE_START) / S} s`).toBe(false);
    }

    // The newcomer is shown by its RSS until top has read it (+30 s), then by its footprint.
    for (const { at, state } of states.filter((s) => s.at >= NEWCOMER_STARTED_AT)) {
      const newcomer = state.thieves.find((t) => t.pid === NEWCOMER_PID)!;
      expect(newcomer.reasons).toContain('arrival');
      if (at < CAPTURE_START + 30 * S) {
        expect(newcomer.memoryMetric).toBe('rss');
        expect(newcomer.memoryBytes).toBe(NEWCOMER_RSS_KIB * 1024);
      } else {
        expect(newcomer.memoryMetric).toBe('footprint');
        expect(newcomer.memoryBytes).toBe(NEWCOMER_FOOTPRINT_MIB * 1024 ** 2);
      }
    }
  });
});

describe('a pid reused between top\'s look and ps\'s, inside one cycle (real engine, simulated Mac at 5 s)', () => {
  it('the new process is shown by its RSS, not by the old one\'s 30 GB footprint, until top reads it', async () => {
    const clock = new ManualClock(CAPTURE_START);
    // top looks a second before ps: at +30 s it still sees the server, ps already the small process (started +30 s).
    const { engine, facts } = engineOn(clock, { diedAt: CAPTURE_START + 29_400, smallStartedAt: CAPTURE_START + 29_700, newcomer: false, topLagMs: 1_000 });
    const states: Array<{ at: number; state: State }> = [];
    for (let at = CAPTURE_START; at <= CAPTURE_START + 65 * S; at += 5 * S) {
      clock.set(at);
      states.push({ at, state: await engine.tick() });
    }
    expect(facts.topReads.map((at) => (at - CAPTURE_START) / S)).toEqual([0, 30, 60]);
    expect(states[0]!.state.thieves.find((t) => t.pid === CATHEDRAL_PID)!.memoryBytes).toBeGreaterThan(25e9);
    for (const { at, state } of states.filter((s) => s.at >= CAPTURE_START + 30 * S)) {
      const where = `+${(at - CAPTURE_START) / S} s`;
      const reused = state.thieves.find((t) => t.pid === CATHEDRAL_PID);
      expect(reused, `pid ${CATHEDRAL_PID} listed at ${where}: ${reused?.story} (${reused?.memoryMetric} ${reused?.memoryBytes} bytes)`).toBeUndefined();
      expect(mentions(state, CATHEDRAL_PID), `pid ${CATHEDRAL_PID} named at ${where}`).toBe(false);
    }
  });
});
