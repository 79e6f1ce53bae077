/**
 * Restart of a command service SIGTERMs the service's process, never merely whatever its
 * pidfile names: a stale pidfile whose pid now belongs to an innocent process (here a real
 * `sleep`, the pidfile written to name it), or a pidfile someone else wrote. The process must
 * run the configured start command or serve the configured port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/common/config.js';
import type { ServiceView } from '../../src/common/services.js';
import { ActionLog, ActionRunner } from '../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import { ServiceMonitor } from '../../src/engine/services/monitor.js';
import { systemClock } from '../../src/platform/clock.js';
import { LiveEffects } from '../../src/platform/effects.js';
import { LiveFacts } from '../../src/platform/live.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { freePort, isAlive, killAndWait, modelServerArgv, startModelServer } from '../support/model-server.js';

const facts = new LiveFacts();
const uid = process.getuid?.() ?? 0;
const options = { discovery: false, platform: 'linux' as const, uid, thresholds: DEFAULT_THRESHOLDS, ownPid: process.pid };

async function observe(monitor: ServiceMonitor): Promise<ServiceView> {
  const table = await readProcessTable(facts, Date.now());
  if (!table.ok) throw new Error(table.reason);
  await monitor.poll(Date.now(), table.value);
  await monitor.idle();
  const after = await readProcessTable(facts, Date.now());
  if (!after.ok) throw new Error(after.reason);
  return monitor.views(Date.now(), after.value)[0]!;
}

describe('Restart and a pidfile naming a process that is not the service', () => {
  let dir: string;
  let innocent: ChildProcess;
  const started: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden restart pidfile '));
  });

  afterEach(async () => {
    if (innocent && innocent.exitCode === null && innocent.signalCode === null) innocent.kill('SIGKILL');
    for (const pid of started.splice(0)) await killAndWait(pid);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function runner() {
    return new ActionRunner(
      { facts, effects: new LiveEffects(), clock: systemClock, uid, platform: 'linux', ownPid: process.pid, logDir: dir, waits: { healthSeconds: 20, exitSeconds: 5, pollMs: 100 } },
      new ActionLog(join(dir, 'actions.jsonl')),
    );
  }

  async function innocentIn(pidfile: string): Promise<number> {
    innocent = spawn('/bin/sleep', ['3600'], { stdio: 'ignore' });
    const pid = innocent.pid!;
    await writeFile(pidfile, `${pid}\n`);
    return pid;
  }

  it('with a port configured: the innocent process neither runs the start command nor serves the port, so it is not signalled', async () => {
    const port = await freePort();
    const pidfile = join(dir, 'with-port.pid');
    const pid = await innocentIn(pidfile);
    const config: ServiceConfig = {
      name: 'model',
      url: `http://127.0.0.1:${port}/v1/models`,
      timeoutSeconds: 2,
      intervalSeconds: 0,
      supervisor: { kind: 'command', start: modelServerArgv(port, ['--pidfile', pidfile]), pidfile, port },
    };
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([config], options);
    const view = await observe(monitor);
    const restart = view.actions.find((a) => a.id === 'restart:model');
    expect(restart).toBeDefined();

    const result = await runner().run(restart!.id, view.actions, { service: (name) => monitor.target(name) });
    expect(result.ok).toBe(false);
    // Shown as the service's process (its pidfile says so, and a port could vouch): refused at the signal.
    expect(view.process?.pid).toBe(pid);
    expect(result.message).toMatch(new RegExp(`^not stopped: PID ${pid} runs "/bin/sleep 3600", not \\S*node .*model-server\\.mjs .*, and does not listen on port ${port}: not this service's process$`));
    expect(result.steps.some((s) => s.includes('sent SIGTERM'))).toBe(false);
    expect(isAlive(pid)).toBe(true);
  });

  it('with no port: the pidfile’s pid is not shown as the service’s process, and Restart does not offer to stop it', async () => {
    const pidfile = join(dir, 'no-port.pid');
    const pid = await innocentIn(pidfile);
    const config: ServiceConfig = { name: 'model', supervisor: { kind: 'command', start: ['/usr/bin/env', 'model-server', '--serve'], pidfile } };
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([config], options);
    const view = await observe(monitor);
    expect(view.process).toBeNull();
    expect(view.supervision?.note).toBe(`pidfile ${pidfile} names PID ${pid}, which runs "/bin/sleep 3600", not the start command: not this service's process`);
    const restart = view.actions.find((a) => a.id === 'restart:model');
    expect(restart?.confirm).toMatch(/^Nothing runs, so nothing is stopped; start /);
    expect(restart?.confirm).not.toContain(String(pid));
  });

  it('the service’s own process (started by its start command, its pid in the pidfile) is still stopped and restarted', async () => {
    const port = await freePort();
    const pidfile = join(dir, 'own.pid');
    const server = await startModelServer({ port, pidfile });
    started.push(server.pid);
    const config: ServiceConfig = {
      name: 'model',
      url: `http://127.0.0.1:${port}/v1/models`,
      timeoutSeconds: 3,
      intervalSeconds: 0,
      supervisor: { kind: 'command', start: modelServerArgv(port, ['--pidfile', pidfile]), pidfile },
    };
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([config], options);
    const view = await observe(monitor);
    expect(view.process?.pid).toBe(server.pid);
    const result = await runner().run('restart:model', view.actions, { service: (name) => monitor.target(name) });
    expect(result.steps.some((s) => s.endsWith(`sent SIGTERM to PID ${server.pid} (node)`))).toBe(true);
    const restarted = result.steps.map((s) => /as PID (\d+)/.exec(s)?.[1]).find(Boolean);
    if (restarted) started.push(Number(restarted));
    expect(result.ok).toBe(true);
  });
});
