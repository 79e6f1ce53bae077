/**
 * Zero-config supervision: a discovered server nobody configured is shown as supervised by the
 * launchd job or systemd unit that owns its process, and Restart works through it; "nothing
 * restarts it" is said only when no owner was found. launchd is replayed from its real output
 * formats (this is Linux); systemd does not run on this machine (PID 1 is not systemd), so its
 * side is replayed too: /proc/PID/cgroup and `systemctl show` in their real formats.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResult } from '../../src/platform/facts.js';
import { systemClock } from '../../src/platform/clock.js';
import { PS_ARGV } from '../../src/platform/ps.js';
import { lsofTcpListenersArgv } from '../../src/platform/lsof.js';
import { launchctlPrintArgv } from '../../src/platform/darwin/launchctl.js';
import { plutilLintArgv } from '../../src/platform/darwin/plist.js';
import { systemctlShowArgv } from '../../src/platform/linux/systemd.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { unitOfCgroup } from '../../src/platform/linux/cgroup.js';
import { ServiceMonitor } from '../../src/engine/services/monitor.js';
import { ActionRunner } from '../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import type { ServiceView } from '../../src/common/services.js';
import { launchctlDomain, launchctlPrintRunning, ok, plistXml, psOutput, ScriptedEffects, ScriptedFacts, type PsRow } from '../support/scripted-facts.js';

const HOME = '/Users/bert';
const UID = 501;
const OLLAMA_ARGS = ['/opt/homebrew/opt/ollama/bin/ollama', 'serve'];
const PLIST = `${HOME}/Library/LaunchAgents/homebrew.mxcl.ollama.plist`;
const started = Date.now() - 3 * 3600_000;

/** Ollama's answers (local-llm-servers.md §1.1): the fingerprint and /api/ps. */
async function ollamaHttp(request: HttpRequest): Promise<HttpResult> {
  const base = { url: request.url, method: request.method ?? 'GET', headers: {}, bodyTruncated: false, timedOut: false, latencyMs: 2, error: null };
  if (request.url === 'http://127.0.0.1:11434/') return { ...base, status: 200, body: 'Ollama is running' };
  if (request.url === 'http://127.0.0.1:11434/api/ps') return { ...base, status: 200, body: '{"models":[]}' };
  return { ...base, status: null, error: 'connection refused', body: '' };
}

async function observe(monitor: ServiceMonitor, facts: ScriptedFacts, rounds = 3): Promise<ServiceView[]> {
  let views: ServiceView[] = [];
  for (let i = 0; i < rounds; i++) {
    const now = Date.now();
    const table = await readProcessTable(facts, now);
    if (!table.ok) throw new Error(table.reason);
    await monitor.poll(now, table.value);
    await monitor.idle();
    views = monitor.views(Date.now(), table.value);
  }
  return views;
}

function darwinHost(rows: PsRow[], jobs: Array<{ pid: number | null; status: string; label: string }>, listeners: string): ScriptedFacts {
  const facts = new ScriptedFacts(ollamaHttp);
  facts.files.set(PLIST, { content: plistXml('homebrew.mxcl.ollama', OLLAMA_ARGS), mtimeMs: started });
  facts.on((argv) => (argv.join(' ') === PS_ARGV.join(' ') ? ok(argv, psOutput(rows, Date.now())) : null));
  facts.on((argv) => (argv.join(' ') === lsofTcpListenersArgv().join(' ') ? ok(argv, listeners) : null));
  facts.on((argv) => (argv.join(' ') === launchctlPrintArgv(`gui/${UID}`).join(' ') ? ok(argv, launchctlDomain(UID, jobs)) : null));
  facts.on((argv) =>
    argv.join(' ') === launchctlPrintArgv(`gui/${UID}/homebrew.mxcl.ollama`).join(' ') ? ok(argv, launchctlPrintRunning(UID, 'homebrew.mxcl.ollama', PLIST, OLLAMA_ARGS, 612, 2)) : null,
  );
  facts.on((argv) => (argv.join(' ') === plutilLintArgv(PLIST).join(' ') ? ok(argv, `${PLIST}: OK\n`) : null));
  return facts;
}

const OLLAMA_ROWS: PsRow[] = [
  { pid: 1, ppid: 0, uid: 0, startedAt: started - 86_400_000, command: '/sbin/launchd' },
  { pid: 612, ppid: 1, uid: UID, startedAt: started, command: OLLAMA_ARGS.join(' ') },
  { pid: 640, ppid: 612, uid: UID, startedAt: started + 600_000, command: '/opt/homebrew/Cellar/ollama/0.12.3/libexec/lib/ollama/llama-server --model /Users/bert/.ollama/models/blobs/sha256-6a0746a1ec1a --port 50211 --host 127.0.0.1' },
];

describe('a discovered Ollama under `brew services` (launchd, replayed)', () => {
  it('is shown as supervised by homebrew.mxcl.ollama, and Restart runs launchctl kickstart -k with no config', async () => {
    const facts = darwinHost(OLLAMA_ROWS, [{ pid: 612, status: '-', label: 'homebrew.mxcl.ollama' }, { pid: null, status: '0', label: 'com.apple.cfprefsd.xpc.agent' }], 'p612\ncollama\nf3\nn127.0.0.1:11434\n');
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([], { discovery: true, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME, ownPid: 99_999 });
    const views = await observe(monitor, facts);
    const ollama = views.find((v) => v.name === 'ollama')!;
    expect(ollama.source).toBe('discovered');
    expect(ollama.state).toBe('running');
    expect(ollama.stateReason).toBe('launchd job gui/501/homebrew.mxcl.ollama runs PID 612');
    expect(ollama.supervision).toMatchObject({ kind: 'launchd', target: 'gui/501/homebrew.mxcl.ollama', loaded: true, jobPid: 612, plist: { path: PLIST, exists: true, lintOk: true } });
    expect(ollama.actions.filter((a) => a.kind === 'restart').map((a) => [a.id, a.label])).toEqual([['restart:ollama', 'Restart']]);

    const effects = new ScriptedEffects(facts);
    effects.onRun = (argv) => (argv[0] === 'launchctl' && argv[1] === 'kickstart' ? ok(argv, '') : null);
    const runner = new ActionRunner({ facts, effects, clock: systemClock, uid: UID, platform: 'darwin', services: monitor, waits: { healthSeconds: 5, pollMs: 20 } });
    const result = await runner.run('restart:ollama', { services: views, locks: [] });
    expect(result.ok, result.message).toBe(true);
    expect(effects.log).toContain('run launchctl kickstart -k gui/501/homebrew.mxcl.ollama');
    expect(result.message).toMatch(/^ollama answers again \(200 in 2 ms\)/);
  });

  it('a server no job owns says so, because it was looked for, and offers no Restart', async () => {
    const facts = darwinHost(OLLAMA_ROWS, [{ pid: 611, status: '0', label: 'com.apple.Finder' }], 'p612\ncollama\nf3\nn127.0.0.1:11434\n');
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([], { discovery: true, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME, ownPid: 99_999 });
    const ollama = (await observe(monitor, facts)).find((v) => v.name === 'ollama')!;
    expect(ollama.state).toBe('running');
    expect(ollama.stateReason).toBe('PID 612 serves port 11434; no launchd job in gui/501 runs PID 612 or a parent of it (launchctl print gui/501, 1 jobs running): nothing restarts it');
    expect(ollama.supervision).toBeNull();
    expect(ollama.actions.map((a) => a.kind)).not.toContain('restart');
  });

  it('a launchctl that cannot list the domain makes supervision unknown-to-Warden, never "nothing restarts it"', async () => {
    const facts = darwinHost(OLLAMA_ROWS, [], 'p612\ncollama\nf3\nn127.0.0.1:11434\n');
    facts.on((argv) => (argv.join(' ') === launchctlPrintArgv(`gui/${UID}`).join(' ') ? { ...ok(argv, ''), exitCode: 112, stderr: 'Could not find domain for user gui: 501\n' } : null));
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([], { discovery: true, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME, ownPid: 99_999 });
    const ollama = (await observe(monitor, facts)).find((v) => v.name === 'ollama')!;
    expect(ollama.stateReason).toMatch(/^PID 612 serves port 11434; whether a job supervises it is not known: launchctl print gui\/501: /);
    expect(ollama.stateReason).not.toContain('nothing restarts it');
  });
});

describe('a discovered Ollama under ollama.service (systemd, replayed)', () => {
  const fixture = (name: string) => readFileSync(`test/fixtures/linux/${name}`, 'utf8');

  it('/proc/PID/cgroup names the unit: shown as supervised by it, and Restart runs systemctl restart', async () => {
    const facts = new ScriptedFacts(ollamaHttp);
    const rows: PsRow[] = [
      { pid: 1, ppid: 0, uid: 0, startedAt: started - 86_400_000, command: '/sbin/init' },
      { pid: 31337, ppid: 1, uid: 998, startedAt: started, command: '/usr/local/bin/ollama serve' },
    ];
    facts.files.set('/proc/31337/cgroup', { content: '0::/system.slice/ollama.service\n', mtimeMs: started });
    facts.on((argv) => (argv.join(' ') === PS_ARGV.join(' ') ? ok(argv, psOutput(rows, Date.now(), 'linux')) : null));
    facts.on((argv) => (argv.join(' ') === lsofTcpListenersArgv().join(' ') ? ok(argv, 'p31337\ncollama\nf3\nn127.0.0.1:11434\n') : null));
    // The real `systemctl show` property format; MainPID=31337 in the fixture.
    facts.on((argv) => (argv.join(' ') === systemctlShowArgv('ollama.service', 'system').join(' ') ? ok(argv, fixture('systemctl-show-running.SYNTHETIC.txt').replace('Id=sanctum-mlx.service', 'Id=ollama.service')) : null));
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([], { discovery: true, platform: 'linux', uid: 1000, thresholds: DEFAULT_THRESHOLDS, home: '/home/bert', ownPid: 99_999 });
    const views = await observe(monitor, facts);
    const ollama = views.find((v) => v.name === 'ollama')!;
    expect(ollama.state).toBe('running');
    expect(ollama.supervision).toMatchObject({ kind: 'systemd', target: 'ollama.service', loaded: true, jobPid: 31337 });
    expect(ollama.actions.filter((a) => a.kind === 'restart').map((a) => a.confirm)).toEqual(['Run systemctl restart ollama.service, then wait up to 120 s for http://127.0.0.1:11434/ to answer.']);

    const effects = new ScriptedEffects(facts);
    effects.onRun = (argv) => (argv[0] === 'systemctl' ? ok(argv, '') : null);
    const runner = new ActionRunner({ facts, effects, clock: systemClock, uid: 1000, platform: 'linux', services: monitor, waits: { healthSeconds: 5, pollMs: 20 } });
    const result = await runner.run('restart:ollama', { services: views, locks: [] });
    expect(result.ok, result.message).toBe(true);
    expect(effects.log).toContain('run systemctl restart -- ollama.service');
  });

  it('reads the unit from cgroup v2 and v1 lines, system and user, and nothing from a session scope', () => {
    expect(unitOfCgroup('0::/system.slice/ollama.service\n')).toEqual({ unit: 'ollama.service', scope: 'system' });
    expect(unitOfCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/llama-swap.service\n')).toEqual({ unit: 'llama-swap.service', scope: 'user' });
    expect(unitOfCgroup('12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/local-ai.service\n')).toEqual({ unit: 'local-ai.service', scope: 'system' });
    expect(unitOfCgroup('0::/user.slice/user-1000.slice/session-3.scope\n')).toBeNull();
    expect(unitOfCgroup('0::/user.slice/user-1000.slice/user@1000.service/init.scope\n')).toBeNull();
    expect(unitOfCgroup('0::/\n')).toBeNull();
    expect(unitOfCgroup('garbage')).toBeNull();
  });
});
