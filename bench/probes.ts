import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { ProcessTable } from '../src/common/processes.js';
import type { Facts } from '../src/platform/facts.js';
import { LiveFacts } from '../src/platform/live.js';
import { readTcpListeners } from '../src/platform/lsof.js';
import { readProcessTable } from '../src/platform/processes.js';
import { probeOnce, type ProbeSpec } from '../src/engine/services/probes.js';
import { CommandSupervisor, LaunchdSupervisor, SystemdSupervisor, type Supervisor } from '../src/engine/services/supervision.js';
import { ScriptedFacts, ok } from '../test/support/scripted-facts.js';
import { measure, type CpuClock, type Span } from './measure.js';

export interface CostSeries {
  spans: Span[];
  /** What was checked, so a row cannot silently measure a failure path. */
  outcome: string;
}

/** `count` HTTP probes, one after another, against a server in another process. */
export async function benchProbe(clock: CpuClock, port: number, count: number): Promise<CostSeries> {
  const facts = new LiveFacts();
  const spec: ProbeSpec = { url: `http://127.0.0.1:${port}/v1/models`, tier: 'healthy', timeoutMs: 10_000, method: 'GET', expect: { jsonField: 'data' } };
  const once = async () => {
    const result = await probeOnce(facts, spec, Date.now());
    if (!result.ok || !result.value.ok) throw new Error(`bench probe of ${spec.url} failed: ${result.ok ? result.value.measured : result.reason}`);
    return result.value.measured;
  };
  await once();
  return repeat(clock, count, once);
}

/**
 * A command supervisor's check, live: its pidfile read and its pid looked up in this host's
 * process table. Then the read of every TCP listener (one lsof) that the supervision
 * inspections of local services and discovery share, which is where their CPU goes.
 */
export async function benchLiveChecks(clock: CpuClock, port: number, count: number): Promise<{ command: CostSeries; lsof: CostSeries }> {
  const facts = new LiveFacts();
  const dir = mkdtempSync(join(os.tmpdir(), 'warden-bench-'));
  try {
    const pidfile = join(dir, 'server.pid');
    writeFileSync(pidfile, `${process.pid}\n`);
    const tablePart = await readProcessTable(facts, Date.now());
    if (!tablePart.ok) throw new Error(`bench: no process table for the command check: ${tablePart.reason}`);
    const table = tablePart.value;
    // The pidfile names this process, so the check must accept it as the service's: a pid that
    // runs something other than the start command (or the match) is refused as not the service's.
    const own = table.rows.find((row) => row.pid === process.pid);
    if (!own) throw new Error(`bench: this process (PID ${process.pid}) is not in its own process table`);
    const supervisor = new CommandSupervisor('bench', { kind: 'command', start: ['true'], pidfile }, { facts, uid: process.getuid?.() ?? -1, home: os.homedir() }, own.command);
    const command = await repeatCheck(clock, count, supervisor, table);
    const lsof = await repeat(clock, count, async () => {
      const read = await readTcpListeners(facts);
      if (!read.ok) throw new Error(`bench: lsof listener lookup failed: ${read.reason}`);
      const mine = read.value.get(port)?.length ?? 0;
      if (mine === 0) throw new Error(`bench: lsof found nobody listening on ${port}, where the farm's server listens`);
      return `${mine} listener(s) on ${port}, ${read.value.size} ports in all`;
    });
    return { command, lsof };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * launchd and systemd checks cannot run on this host (no launchd; no systemd as PID 1), so
 * their commands are answered from the real-format fixtures through ScriptedFacts: what is
 * measured is the parsing and judgement, not the launchctl or systemctl process.
 */
export async function benchScriptedChecks(clock: CpuClock, root: string, count: number): Promise<{ launchd: CostSeries; systemd: CostSeries }> {
  const fixture = (name: string) => readFileSync(join(root, 'test/fixtures', name), 'utf8');
  const launchdText = fixture('darwin/launchctl-print-running.txt');
  const systemdText = fixture('linux/systemctl-show-running.SYNTHETIC.txt');
  const scripted = (argv0: string, text: string): Facts => new ScriptedFacts().on((argv) => (argv[0] === argv0 ? ok(argv, text) : null));
  const ctx = (facts: Facts) => ({ facts, uid: 501, home: '/Users/tester' });
  const launchd = new LaunchdSupervisor({ kind: 'launchd', label: 'com.mattstack.deck.chat' }, ctx(scripted('launchctl', launchdText)));
  const systemd = new SystemdSupervisor({ kind: 'systemd', unit: 'ollama.service' }, ctx(scripted('systemctl', systemdText)));
  return { launchd: await repeatCheck(clock, count, launchd, null), systemd: await repeatCheck(clock, count, systemd, null) };
}

function repeatCheck(clock: CpuClock, count: number, supervisor: Supervisor, table: ProcessTable | null): Promise<CostSeries> {
  return repeat(clock, count, async () => {
    const check = await supervisor.check(Date.now(), table);
    if (!check.ok) throw new Error(`bench: ${supervisor.kind} check of ${supervisor.target} failed: ${check.reason}`);
    if (check.value.jobPid === null) throw new Error(`bench: ${supervisor.kind} check of ${supervisor.target} found no running process`);
    return `${check.value.jobState ?? '?'}, pid ${check.value.jobPid}`;
  });
}

async function repeat(clock: CpuClock, count: number, work: () => Promise<string>): Promise<CostSeries> {
  let outcome = await work();
  const spans: Span[] = [];
  for (let i = 0; i < count; i++) {
    const m = await measure(clock, work);
    spans.push(m.span);
    outcome = m.value;
  }
  return { spans, outcome };
}
