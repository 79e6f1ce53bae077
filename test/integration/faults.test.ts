/**
 * Faults (issue 6, item 1), with real processes. Each fault: the engine loop keeps its cadence
 * (every cycle ends within its deadline), the part that broke is `unknown` with a reason naming
 * the command and the problem, and the other parts still report.
 *
 * Commands here: stand-ins for ps, vm_stat, sysctl, top, launchctl and lsof
 * (test/support/stand-ins.ts) that hang with SIGTERM ignored, hang behind a grandchild holding
 * the pipes, die of SIGSEGV, print random bytes or half a table, run by the real engine as on
 * a Mac (platform darwin). Probe targets: a port that accepts and never answers, a server that
 * answers after 59 s, one SIGKILLed while a probe waits on it, under the live engine on Linux.
 * Warden's own files (data folder, config) and a crash while writing: faults-files.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/render.js';
import type { WardenConfigInput } from '../../src/common/config.js';
import type { State } from '../../src/common/state.js';
import { resolveConfig } from '../../src/engine/config.js';
import { createEngine } from '../../src/engine/create.js';
import { Engine } from '../../src/engine/engine.js';
import { systemClock } from '../../src/platform/clock.js';
import { DARWIN_MEMORY_TIMEOUT_MS } from '../../src/platform/darwin/memory.js';
import { FOOTPRINT_TIMEOUT_MS } from '../../src/platform/darwin/footprint.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { commandProblem } from '../../src/platform/facts.js';
import { PS_TIMEOUT_MS } from '../../src/platform/processes.js';
import { PMSET_TIMEOUT_MS } from '../../src/platform/thermal.js';
import { KILL_GRACE_MS, runCommand } from '../../src/platform/runner.js';
import { isAlive, startModelServer, type ModelServer } from '../support/model-server.js';
import { StandInBin, StandInFacts, type Behaviour, type StandIn } from '../support/stand-ins.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.join(REPO, 'test/fixtures/darwin');
const run = promisify(execFile);
const linux = process.platform === 'linux';

/** After SIGKILL the runner waits this long for the pipes, then abandons them (src/platform/runner.ts). */
const ABANDON_MS = 500;
const INTERVAL_SECONDS = 1;
/** A live cycle waits min(3 s, 0.6 × interval) for services, locks and jobs (src/engine/tick/sample.ts). */
const PART_WAIT_MS = Math.min(3_000, INTERVAL_SECONDS * 600);
/** Room on top of every deadline for a noisy, shared, two-core machine. Upper bounds only. */
const MARGIN_MS = 4_000;
const GONE_WITHIN_MS = 3_000;

/** picocolors' own SGR codes, when it decides the output is a colour terminal. */
const OWN_COLOURS = /\u001b\[\d+m/g;
const CONTROL_OR_BIDI = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const bins: StandInBin[] = [];
const engines: Engine[] = [];
const homes: string[] = [];

afterAll(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  // Every process a stand-in started is gone (the runner killed it, or the test did; a test
  // that left one is reported here by pid).
  const leftovers = bins.map((bin) => bin.killLeftovers());
  for (const bin of bins.splice(0)) bin.remove();
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  expect(leftovers.flatMap((l) => l.commands)).toEqual([]);
});

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** The simulated Mac's answers, each in the real macOS format (shared/reference/macos-command-formats.md). */
// The fixture's last line is a stray message kept to test the parser; a real ps prints rows only.
const PS = fixture('ps-synthetic-from-adv_cmds-rules.txt').split('\n').filter((l) => !l.startsWith('ps:')).join('\n');
const VM_STAT = fixture('vm_stat-apple-silicon-16k.txt');
// One sysctl, names in the order asked: hw.memsize vm.swapusage kern.memorystatus_vm_pressure_level kern.memorystatus_level.
const SYSCTL = [
  'hw.memsize: 68719476736',
  fixture('sysctl-swapusage-11264M.txt').trim(),
  'kern.memorystatus_vm_pressure_level: 4',
  'kern.memorystatus_level: 12',
  '',
].join('\n');
const TOP = fixture('top-footprint-synthetic-from-nodeterm-139.txt');
const LAUNCHCTL = fixture('launchctl-print-running.txt');
// A real Apple Silicon `pmset -g therm` (real/pmset-therm/1.txt), without the publisher's prompt line.
const PMSET = fixture('real/pmset-therm/1.txt').split('\n').slice(1).join('\n');

function healthyMac(): StandInBin {
  const bin = new StandInBin();
  bins.push(bin);
  bin.set('ps', { behaviour: 'answer', answer: PS });
  bin.set('vm_stat', { behaviour: 'answer', answer: VM_STAT });
  bin.set('sysctl', { behaviour: 'answer', answer: SYSCTL });
  bin.set('top', { behaviour: 'answer', answer: TOP });
  bin.set('launchctl', { behaviour: 'answer', answer: LAUNCHCTL });
  bin.set('pmset', { behaviour: 'answer', answer: PMSET });
  // lsof exits 1, printing nothing, when no process has the file or port.
  bin.set('lsof', { behaviour: 'answer', answer: '', exitCode: 1 });
  return bin;
}

const LABEL = 'com.example.model';

function darwinEngine(bin: StandInBin): { engine: Engine; facts: StandInFacts; home: string; watched: string } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'warden-faults-home-'));
  homes.push(home);
  const watched = path.join(home, 'workspace.duckdb');
  writeFileSync(watched, '');
  const input: WardenConfigInput = {
    intervalSeconds: INTERVAL_SECONDS,
    discovery: false,
    // Port 9 (discard) is closed on a test box: the probe is refused at once, so probes never slow a cycle here.
    services: [{ name: 'model', port: 9, timeoutSeconds: 1, intervalSeconds: 1, supervisor: { kind: 'launchd', label: LABEL } }],
    watchedFiles: [{ path: watched, name: 'workspace.duckdb' }],
  };
  const facts = new StandInFacts(bin);
  const engine = new Engine({
    facts,
    effects: new ReplayEffects(),
    clock: systemClock,
    platform: 'darwin',
    host: { platform: 'darwin', arch: 'arm64', hostname: 'stand-in-mac', uid: 501, cpuCount: 8 },
    home,
    config: { input, config: resolveConfig(input, home), source: 'test' },
    configPath: null,
    history: null,
    settleParts: false,
    replay: false,
    dataDir: null,
    ownPid: 99_999,
  });
  engines.push(engine);
  return { engine, facts, home, watched };
}

interface Run {
  states: State[];
  /** Wall time between one published State and the next, in ms. */
  gaps: number[];
}

/**
 * Starts the engine's own loop and watches what it publishes until `done` holds for `times`
 * consecutive States, or `withinMs` passes; then stops it.
 */
async function runLoop(engine: Engine, done: (s: State) => boolean, opts: { times: number; withinMs: number }): Promise<Run> {
  const states: State[] = [];
  const at: number[] = [];
  let streak = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const unsubscribe = engine.subscribe((state) => {
    states.push(state);
    at.push(performance.now());
    streak = done(state) ? streak + 1 : 0;
    if (streak >= opts.times) finish();
  });
  const started = performance.now();
  engine.start();
  const timer = setTimeout(finish, opts.withinMs);
  await finished;
  clearTimeout(timer);
  await engine.stop();
  unsubscribe();
  const gaps = at.map((t, i) => t - (i === 0 ? started : at[i - 1]!));
  return { states, gaps };
}

describe.runIf(linux)('the runner on real misbehaving commands', () => {
  const bin = new StandInBin();
  bins.push(bin);
  const deadline = 400;
  const bound = deadline + KILL_GRACE_MS + ABANDON_MS + MARGIN_MS;
  const exec = (name: string, options: { timeoutMs?: number; maxBytes?: number } = { timeoutMs: deadline }) => runCommand([path.join(bin.dir, name)], options);

  it.concurrent('a command that ignores SIGTERM is SIGKILLed after the grace', async () => {
    bin.set('hang', { behaviour: 'hang' });
    const result = await exec('hang');
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL', exitCode: null });
    expect(result.durationMs).toBeGreaterThanOrEqual(deadline + KILL_GRACE_MS - 50);
    expect(result.durationMs).toBeLessThan(bound);
    expect(commandProblem(result)).toMatch(/: no answer within 1\.\d s$/);
  });

  it.concurrent('a grandchild holding the pipes open does not hold the runner: it gives up on them', async () => {
    bin.set('hang_grandchild', { behaviour: 'hang-grandchild' });
    const result = await exec('hang_grandchild');
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL', stdout: '' });
    expect(result.durationMs).toBeLessThan(bound);
    // The grandchild outlives the command (no process group is killed): the test ends it below.
  });

  it.concurrent('a crash is reported with its signal', async () => {
    bin.set('crash', { behaviour: 'crash' });
    const result = await exec('crash');
    expect(result).toMatchObject({ timedOut: false, signal: 'SIGSEGV', exitCode: null });
    expect(commandProblem(result)).toMatch(/: killed by SIGSEGV$/);
  });

  it.concurrent('output past the cap stops the command and says so', async () => {
    bin.set('garbage', { behaviour: 'garbage' });
    const result = await exec('garbage', { timeoutMs: deadline, maxBytes: 1000 });
    expect(result.truncated).toBe(true);
    expect(commandProblem(result)).toMatch(/: output over the size cap$/);
  });

  it.concurrent('a command this system does not have is reported as such, not thrown', async () => {
    const result = await runCommand([path.join(bin.dir, 'no-such-command')], { timeoutMs: deadline });
    expect(commandProblem(result)).toMatch(/: ENOENT: no such command on this system$/);
  });

  it('leaves none of the commands it started running', async () => {
    await expect.poll(() => bin.alive(), { timeout: GONE_WITHIN_MS }).toEqual([]);
  });
});

interface Fault {
  command: string;
  behaviour: Behaviour;
  standIn?: Partial<StandIn>;
  /** The part that must turn unknown; `lock` and `service` are filled in per engine. */
  part: string;
  reason: RegExp;
  /** Another part the same fault must turn unknown, with its reason. */
  also?: { part: string; reason: RegExp };
  /** The command's own deadline if it blocks the cycle; null when it runs beside the cycle. */
  blocksCycleMs: number | null;
}

const cut = (text: string, line: number, column: number) => text.split('\n').slice(0, line).join('\n').length + 1 + column;

const FAULTS: Fault[] = [
  { command: 'ps', behaviour: 'hang', part: 'processes', reason: /^ps -A -ww: no answer within [5-9]\.\d s$/, blocksCycleMs: PS_TIMEOUT_MS },
  { command: 'ps', behaviour: 'hang-grandchild', part: 'processes', reason: /^ps -A -ww: no answer within [5-9]\.\d s$/, blocksCycleMs: PS_TIMEOUT_MS },
  { command: 'ps', behaviour: 'crash', part: 'processes', reason: /^ps -A -ww: killed by SIGSEGV$/, blocksCycleMs: PS_TIMEOUT_MS },
  { command: 'ps', behaviour: 'garbage', part: 'processes', reason: /^ps: none of \d+ lines had the expected columns$/, blocksCycleMs: PS_TIMEOUT_MS },
  // Cut inside the numbers of the fourth row: the rows after the cut are missing, so the table is not used.
  {
    command: 'ps', behaviour: 'half', standIn: { cutAt: cut(PS, 3, 14) }, part: 'processes',
    reason: /^ps: the output stops mid-line after 3 rows \(cut short\)$/, blocksCycleMs: PS_TIMEOUT_MS,
  },
  { command: 'vm_stat', behaviour: 'hang', part: 'memory', reason: /^vm_stat: no answer within [4-9]\.\d s$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'vm_stat', behaviour: 'crash', part: 'memory', reason: /^vm_stat: killed by SIGSEGV$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'vm_stat', behaviour: 'garbage', part: 'memory', reason: /^vm_stat: no page-size header$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'vm_stat', behaviour: 'half', standIn: { cutAt: cut(VM_STAT, 4, 20) }, part: 'memory', reason: /^vm_stat: no "Anonymous pages" row: the output is cut short$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'sysctl', behaviour: 'hang', part: 'memory', reason: /^sysctl hw\.memsize vm\.swapusage: no answer within [4-9]\.\d s$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'sysctl', behaviour: 'crash', part: 'memory', reason: /^sysctl hw\.memsize vm\.swapusage: killed by SIGSEGV$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'sysctl', behaviour: 'garbage', part: 'memory', reason: /^sysctl: printed no hw\.memsize$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'sysctl', behaviour: 'half', standIn: { cutAt: cut(SYSCTL, 1, 30) }, part: 'memory', reason: /^vm\.swapusage: unexpected value "total = 11264\.00"$/, blocksCycleMs: DARWIN_MEMORY_TIMEOUT_MS },
  { command: 'top', behaviour: 'hang', part: 'footprint', reason: /^top -l 1: no answer within [6-9]\.\d s; showing RSS instead$/, blocksCycleMs: FOOTPRINT_TIMEOUT_MS },
  { command: 'top', behaviour: 'crash', part: 'footprint', reason: /^top -l 1: killed by SIGSEGV; showing RSS instead$/, blocksCycleMs: FOOTPRINT_TIMEOUT_MS },
  { command: 'top', behaviour: 'garbage', part: 'footprint', reason: /^top: no "PID MEM" header; showing RSS instead$/, blocksCycleMs: FOOTPRINT_TIMEOUT_MS },
  { command: 'launchctl', behaviour: 'hang', part: 'service model: supervision', reason: /^launchctl print gui\/501\/com\.example\.model: no answer within [4-9]\.\d s$/, blocksCycleMs: null },
  { command: 'launchctl', behaviour: 'crash', part: 'service model: supervision', reason: /^launchctl print gui\/501\/com\.example\.model: killed by SIGSEGV$/, blocksCycleMs: null },
  { command: 'launchctl', behaviour: 'garbage', part: 'service model: supervision', reason: /^launchctl print gui\/501\/com\.example\.model: not launchctl print output: expected "<target> = \{", got "/, blocksCycleMs: null },
  { command: 'launchctl', behaviour: 'half', part: 'service model: supervision', reason: /^launchctl print gui\/501\/com\.example\.model: output cut short: no closing "\}"$/, blocksCycleMs: null },
  // The lock's own lsof, and the one read of every TCP listener the service's port check shares.
  {
    command: 'lsof', behaviour: 'hang', part: 'lock', reason: /^lsof \/tmp\/warden-faults-home-\w+\/workspace\.duckdb: no answer within [6-9]\.\d s$/,
    also: { part: 'service model: port 9', reason: /^lsof -iTCP -sTCP:LISTEN: no answer within [6-9]\.\d s$/ }, blocksCycleMs: null,
  },
  {
    command: 'lsof', behaviour: 'crash', part: 'lock', reason: /^lsof \/tmp\/warden-faults-home-\w+\/workspace\.duckdb: killed by SIGSEGV$/,
    also: { part: 'service model: port 9', reason: /^lsof -iTCP -sTCP:LISTEN: killed by SIGSEGV$/ }, blocksCycleMs: null,
  },
  { command: 'top', behaviour: 'half', part: 'footprint', reason: /^top: no "PID MEM" header; showing RSS instead$/, blocksCycleMs: FOOTPRINT_TIMEOUT_MS },
  {
    command: 'lsof', behaviour: 'garbage', part: 'lock', reason: /^lsof \/tmp\/warden-faults-home-\w+\/workspace\.duckdb: no p<pid> lines in the output$/,
    also: { part: 'service model: port 9', reason: /^lsof -iTCP -sTCP:LISTEN: no p<pid> lines in the output$/ }, blocksCycleMs: null,
  },
];

describe.runIf(linux)('a simulated Mac whose commands misbehave: the loop keeps its cadence, the part is unknown with the reason, the rest reports', () => {
  // Printed once at the end, for RELIABILITY.md's figures.
  const figures: string[] = [];
  afterAll(() => {
    if (figures.length > 0) console.log(`fault cycles (interval ${INTERVAL_SECONDS} s):\n  ${figures.sort().join('\n  ')}`);
  });

  it('on a healthy simulated Mac every part reports and nothing is unknown', async () => {
    const bin = healthyMac();
    const { engine, facts } = darwinEngine(bin);
    const { states } = await runLoop(engine, (s) => s.services[0]?.state !== 'unknown' && s.locks.length === 1, { times: 2, withinMs: 20_000 });
    const last = states.at(-1)!;
    expect(last.unknowns).toEqual([]);
    expect(last.memory).toMatchObject({ platform: 'darwin', totalBytes: 68719476736, pressure: 'critical' });
    expect(last.thieves.map((t) => t.pid)).toContain(1204);
    expect(last.services[0]).toMatchObject({ name: 'model', supervision: expect.objectContaining({ kind: 'launchd' }) });
    // Every stand-in the fault table breaks is one the engine really runs.
    expect(new Set(facts.ran.map((argv) => argv[0]))).toEqual(new Set(['ps', 'vm_stat', 'sysctl', 'top', 'launchctl', 'lsof', 'pmset']));
    expect(last.senses?.thermal).toMatchObject({ ok: true, value: { throttled: false, summary: 'no thermal or performance warning recorded' } });
  }, 30_000);

  it.concurrent.each(['hang', 'crash', 'garbage'] as const)('pmset %s: thermal unknown with the reason, no part unknown, the cadence kept', async (behaviour) => {
    const bin = healthyMac();
    bin.set('pmset', { behaviour, answer: PMSET });
    const { engine } = darwinEngine(bin);
    const { states, gaps } = await runLoop(engine, (s) => s.senses?.thermal.ok === false && s.locks.length === 1, { times: 2, withinMs: 40_000 });
    const last = states.at(-1)!;
    const reason = { hang: /^pmset -g therm: no answer within [3-9]\.\d s$/, crash: /^pmset -g therm: killed by SIGSEGV$/, garbage: /^pmset -g therm printed nothing Warden recognises/ }[behaviour];
    expect(last.senses?.thermal.ok === false && last.senses.thermal.reason).toMatch(reason);
    expect(last.unknowns).toEqual([]);
    expect(last.memory?.totalBytes).toBe(68719476736);
    expect(Math.max(...gaps.slice(1))).toBeLessThan(PMSET_TIMEOUT_MS + KILL_GRACE_MS + ABANDON_MS + PART_WAIT_MS + MARGIN_MS);
  }, 60_000);

  // The hangs take longest: they start first, so the slots run side by side.
  const slowestFirst = [...FAULTS].sort((a, b) => Number(b.behaviour.startsWith('hang')) - Number(a.behaviour.startsWith('hang')));
  it.concurrent.each(slowestFirst.map((f) => [`${f.command} ${f.behaviour}`, f] as const))('%s', async (_name, fault) => {
    const bin = healthyMac();
    bin.set(fault.command, { behaviour: fault.behaviour, answer: { ps: PS, vm_stat: VM_STAT, sysctl: SYSCTL, top: TOP, launchctl: LAUNCHCTL }[fault.command] ?? '', ...fault.standIn });
    const { engine, watched } = darwinEngine(bin);
    const part = fault.part === 'lock' ? `lock ${watched}` : fault.part;
    const isFault = (s: State) => s.unknowns.some((u) => u.part === part);
    // Two faulty cycles in a row: the part stays unknown and the loop goes on.
    const { states, gaps } = await runLoop(engine, isFault, { times: 2, withinMs: 40_000 });
    const last = states.at(-1)!;
    const unknown = last.unknowns.find((u) => u.part === part);
    expect(unknown?.reason, JSON.stringify(last.unknowns)).toMatch(fault.reason);

    // The cadence: a cycle the fault blocks ends by the command's deadline + SIGKILL grace + the
    // pipes + the part wait; one it does not block, by an interval + the part wait.
    const bound = (fault.blocksCycleMs === null ? INTERVAL_SECONDS * 1000 : fault.blocksCycleMs + KILL_GRACE_MS + ABANDON_MS) + PART_WAIT_MS + MARGIN_MS;
    const slowest = Math.max(...gaps.slice(1));
    figures.push(`${`${fault.command} ${fault.behaviour}`.padEnd(22)} slowest cycle ${(slowest / 1000).toFixed(2).padStart(5)} s (bound ${(bound / 1000).toFixed(1)} s)  ${part}: ${unknown?.reason.slice(0, 90)}`);
    expect(slowest, `gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`).toBeLessThan(bound);
    // Nothing else turned unknown because of it (the other parts still report).
    if (fault.also) expect(last.unknowns.find((u) => u.part === fault.also?.part)?.reason, JSON.stringify(last.unknowns)).toMatch(fault.also.reason);
    const others = last.unknowns.filter((u) => u.part !== part && u.part !== fault.also?.part);
    expect(others).toEqual([]);
    if (fault.part !== 'memory') expect(last.memory?.totalBytes).toBe(68719476736);
    if (fault.part !== 'processes') expect(last.thieves.map((t) => t.pid)).toContain(1204);
    if (fault.part !== 'service model: supervision') expect(last.services[0]?.supervision).not.toBeNull();
    expect(last.locks.map((l) => l.path)).toEqual([watched]);
    // What the CLI prints of it is text: no terminal control from a command's garbage reaches the terminal.
    const printed = renderStatus(last, Date.now()).replace(OWN_COLOURS, '');
    expect(printed).toContain(`${part}: `);
    expect(printed).not.toMatch(CONTROL_OR_BIDI);
  }, 60_000);
});

describe.runIf(linux)('a part that stops answering after it worked', () => {
  it('is withdrawn, not shown stale: thieves vanish with the process table, memory with vm_stat', async () => {
    const bin = healthyMac();
    const { engine } = darwinEngine(bin);
    let state = await engine.tick();
    expect(state.thieves.map((t) => t.pid)).toContain(1204);
    expect(state.memory).not.toBeNull();
    bin.set('ps', { behaviour: 'crash' });
    state = await engine.tick();
    expect(state.unknowns).toContainEqual({ part: 'processes', reason: 'ps -A -ww: killed by SIGSEGV' });
    expect(state.thieves).toEqual([]);
    // The CLI says the thieves are unknown and why, never that there are none.
    const thievesBlock = renderStatus(state, Date.now()).replace(OWN_COLOURS, '').split('THIEVES')[1] ?? '';
    expect(thievesBlock).toMatch(/^\s+unknown: ps -A -ww: killed by SIGSEGV/);
    expect(thievesBlock).not.toContain('none worth naming');
    bin.set('vm_stat', { behaviour: 'crash' });
    state = await engine.tick();
    expect(state.memory).toBeNull();
    bin.set('ps', { behaviour: 'answer', answer: PS });
    bin.set('vm_stat', { behaviour: 'answer', answer: VM_STAT });
    state = await engine.tick();
    expect(state.thieves.map((t) => t.pid)).toContain(1204);
    expect(state.unknowns.filter((u) => u.part === 'processes' || u.part === 'memory')).toEqual([]);
    await engine.stop();
  });
});

describe.runIf(linux)('probe targets that misbehave, under the live engine on this host', () => {
  const sockets = new Set<net.Socket>();
  let silent: net.Server;
  let slow59: ModelServer;
  let dying: ModelServer;
  let healthy: ModelServer;
  let home: string;

  beforeAll(async () => {
    // Accepts the connection, reads the request, never says a word.
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    [slow59, dying, healthy] = await Promise.all([startModelServer({ mode: 'slow59' }), startModelServer({ mode: 'slow' }), startModelServer()]);
    home = mkdtempSync(path.join(os.tmpdir(), 'warden-faults-probes-'));
    homes.push(home);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await Promise.all([slow59, dying, healthy].map((s) => s?.stop()));
    for (const pid of [slow59, dying, healthy].map((s) => s?.pid)) if (pid) expect(isAlive(pid), `model server ${pid}`).toBe(false);
  });

  it('never answers, answers after 59 s, dies mid-answer: each measured honestly, none delays the others or the loop', async () => {
    const silentPort = (silent.address() as net.AddressInfo).port;
    const configPath = path.join(home, 'config.json');
    const input: WardenConfigInput = {
      intervalSeconds: INTERVAL_SECONDS,
      discovery: false,
      services: [
        { name: 'silent', url: `http://127.0.0.1:${silentPort}/v1/models`, timeoutSeconds: 2, intervalSeconds: 1 },
        // The default deadline, 10 s: the 59 s answer is the incident's "canary not answering within 10 s".
        { name: 'slow59', url: slow59.url(), intervalSeconds: 1 },
        // Probed once a minute, so the State still shows the probe the kill cut short.
        { name: 'dying', url: dying.url(), timeoutSeconds: 5, intervalSeconds: 60 },
        { name: 'healthy', url: healthy.url(), timeoutSeconds: 2, intervalSeconds: 1 },
      ],
    };
    writeFileSync(configPath, JSON.stringify(input));
    const engine = await createEngine({ configPath, dataDir: null });
    engines.push(engine);
    // The dying server answers after 2 s; it is SIGKILLed when the first cycle ends, with the probe in flight.
    let killed = false;
    engine.subscribe(() => {
      if (!killed) {
        killed = true;
        void dying.stop();
      }
    });
    const probe = (s: State, name: string) => s.services.find((v) => v.name === name)?.probe ?? null;
    const firstResult = new Map<string, string>();
    let healthyWhileOthersInFlight = false;
    const { states, gaps } = await runLoop(
      engine,
      (s) => {
        for (const name of ['silent', 'slow59', 'dying', 'healthy']) {
          const p = probe(s, name);
          if (p && !firstResult.has(name)) firstResult.set(name, p.measured);
        }
        if (probe(s, 'healthy')?.ok && !probe(s, 'slow59') && !probe(s, 'silent')) healthyWhileOthersInFlight = true;
        return firstResult.size === 4;
      },
      { times: 1, withinMs: 30_000 },
    );
    expect(Object.fromEntries(firstResult)).toEqual({
      silent: 'no answer within 2 s',
      slow59: 'no answer within 10 s',
      dying: 'connection reset',
      healthy: expect.stringMatching(/^200 in \d+ ms$/),
    });
    expect(healthyWhileOthersInFlight).toBe(true);
    console.log(`probe faults: ${states.length} cycles, slowest ${(Math.max(...gaps.slice(1)) / 1000).toFixed(2)} s; first results ${JSON.stringify(Object.fromEntries(firstResult))}`);
    const last = states.at(-1)!;
    expect(last.memory?.platform).toBe('linux');
    // Probes run beside the cycle: every cycle ends within an interval + the part wait.
    expect(Math.max(...gaps.slice(1)), `gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`).toBeLessThan(INTERVAL_SECONDS * 1000 + PART_WAIT_MS + MARGIN_MS);
    expect(states.length).toBeGreaterThanOrEqual(8);
  }, 60_000);
});

describe.runIf(linux)('warden status with an lsof that hangs and a ps that crashes, first on PATH', () => {
  it('finishes within two cycles\' deadlines, says what is unknown and why, and reads the table from /proc without ps', async () => {
    if (!existsSync(path.join(REPO, 'dist/cli/warden.js'))) await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
    const bin = new StandInBin();
    bins.push(bin);
    bin.set('lsof', { behaviour: 'hang' });
    // On Linux the live table comes from /proc: a ps that would crash is never run.
    bin.set('ps', { behaviour: 'crash' });
    const home = mkdtempSync(path.join(os.tmpdir(), 'warden-faults-cli-'));
    homes.push(home);
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({}));
    // status takes two samples a second apart; discovery's lsof waits out its deadline and SIGKILL grace.
    const bound = 2 * (PS_TIMEOUT_MS + KILL_GRACE_MS + ABANDON_MS) + 1_000 + 2 * MARGIN_MS;
    const started = performance.now();
    const { stdout } = await run(process.execPath, ['bin/warden.js', 'status'], {
      cwd: REPO,
      env: { ...process.env, PATH: `${bin.dir}:${process.env.PATH ?? ''}`, WARDEN_HOME: home, NO_COLOR: '1' },
      timeout: bound + 10_000,
    });
    const took = performance.now() - started;
    console.log(`warden status with a hanging lsof: ${(took / 1000).toFixed(1)} s (bound ${(bound / 1000).toFixed(1)} s)`);
    expect(took).toBeLessThan(bound);
    expect(stdout).toMatch(/\n  discovery: port 11434: lsof -iTCP -sTCP:LISTEN: no answer within \d+\.\d s\n/);
    expect(stdout).not.toMatch(/processes:/);
    expect(stdout).toMatch(/available/i);
    expect(bin.pids().length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => bin.alive(), { timeout: GONE_WITHIN_MS }).toEqual([]);
  }, 60_000);
});
