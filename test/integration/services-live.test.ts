import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/common/config.js';
import type { ServiceView } from '../../src/common/services.js';
import { LiveFacts } from '../../src/platform/live.js';
import { LiveEffects } from '../../src/platform/effects.js';
import { systemClock } from '../../src/platform/clock.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { ServiceMonitor } from '../../src/engine/services/monitor.js';
import { clockOf } from '../../src/common/zoned-time.js';
import { ActionLog, ActionRunner } from '../../src/engine/actions/runner.js';
import { logFileName } from '../../src/engine/actions/restart.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import { freePort, killAndWait, modelServerArgv, startModelServer, type ModelServer } from '../support/model-server.js';

const facts = new LiveFacts();
const uid = process.getuid?.() ?? 0;
const options = { discovery: false, platform: 'linux' as const, uid, thresholds: DEFAULT_THRESHOLDS, ownPid: process.pid };

async function observe(monitor: ServiceMonitor): Promise<ServiceView[]> {
  const now = Date.now();
  const table = await readProcessTable(facts, now);
  if (!table.ok) throw new Error(table.reason);
  await monitor.poll(now, table.value);
  await monitor.idle();
  const later = Date.now();
  const after = await readProcessTable(facts, later);
  return monitor.views(later, after.ok ? after.value : table.value);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a real model server under the command supervisor', () => {
  let dir: string;
  let port: number;
  let pidfile: string;
  let config: ServiceConfig;
  const started: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-services-'));
    port = await freePort();
    pidfile = join(dir, 'model server.pid');
    config = {
      name: 'model; $(touch /tmp/pwned) "quoted"',
      url: `http://127.0.0.1:${port}/v1/models`,
      expect: { jsonField: 'data' },
      timeoutSeconds: 3,
      intervalSeconds: 0,
      supervisor: { kind: 'command', start: modelServerArgv(port, ['--pidfile', pidfile]), pidfile, port },
    };
  });

  afterAll(async () => {
    for (const pid of started) await killAndWait(pid);
    try {
      const pid = Number((await readFile(pidfile, 'utf8')).trim());
      if (pid > 1) await killAndWait(pid);
    } catch {
      // never started
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('running → killed (missing) → double-forked away (orphaned) → restarted by the action', async () => {
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([config], options);

    const server = await startModelServer({ port, pidfile });
    started.push(server.pid);
    let [view] = await observe(monitor);
    expect(view?.state).toBe('running');
    expect(view?.stateReason).toBe(`Warden's command for ${config.name} runs PID ${server.pid}`);
    expect(view?.process?.pid).toBe(server.pid);
    expect(view?.probe?.ok).toBe(true);
    expect(view?.probe?.measured).toMatch(/^200 in \d+ ms$/);

    await killAndWait(server.pid);
    [view] = await observe(monitor);
    expect(view?.state).toBe('missing');
    expect(view?.stateReason).toBe(`PID ${server.pid} (node) exited at ${clockOf(view!.goneAt!)}; nothing runs on port ${port}: pidfile ${pidfile} names PID ${server.pid}, which is gone`);
    expect(view?.probe).toMatchObject({ ok: false, measured: 'connection refused', consecutiveFailures: 1 });

    // Someone starts it by hand, daemonized: it double-forks away from its starter and writes
    // its pid somewhere else. The pidfile still names the dead pid.
    const stray = await startModelServer({ port, pidfile: join(dir, 'elsewhere.pid'), daemonize: true });
    started.push(stray.pid);
    expect(stray.pid).not.toBe(stray.child.pid);
    [view] = await observe(monitor);
    expect(view?.state).toBe('orphaned');
    expect(view?.stateReason).toBe(`PID ${stray.pid} serves port ${port}, but the pidfile names PID ${server.pid}, which is gone`);
    expect(view?.process?.pid).toBe(stray.pid);
    expect(view?.process?.ppid).not.toBe(process.pid);
    expect(view?.orphan?.process.pid).toBe(stray.pid);
    expect(view?.orphan?.canonicalPath).toBeNull();
    expect(view?.probe?.ok).toBe(true);

    const restart = view?.actions.find((a) => a.id === `restart:${config.name}`);
    expect(restart?.confirm).toMatch(new RegExp(`^Stop PID ${stray.pid} \\(node\\) with SIGTERM after checking it is still the same process; start .*model-server\\.mjs --port ${port} --pidfile ".*model server\\.pid", then wait up to 120 s for http://127\\.0\\.0\\.1:${port}/v1/models to answer\\.$`));

    const runner = new ActionRunner(
      { facts, effects: new LiveEffects(), clock: systemClock, uid, platform: 'linux', ownPid: process.pid, logDir: dir, waits: { healthSeconds: 20, pollMs: 100 } },
      new ActionLog(join(dir, 'actions.jsonl')),
    );
    const result = await runner.run(restart!.id, view!.actions, { service: (name) => monitor.target(name) });
    expect(result.message).toMatch(/answers again \(200 in \d+ ms\)/);
    expect(result.ok).toBe(true);
    expect(typeof result.downtimeSeconds).toBe('number');
    expect(result.downtimeSeconds).toBeGreaterThan(0);
    expect(result.steps.some((s) => s.endsWith(`sent SIGTERM to PID ${stray.pid} (node)`))).toBe(true);
    // Gone, or a zombie waiting for init to reap it (it was reparented away from us).
    const afterStop = await readProcessTable(facts, Date.now());
    expect(afterStop.ok && afterStop.value.rows.some((r) => r.pid === stray.pid && !r.zombie)).toBe(false);

    const restartedPid = Number((await readFile(pidfile, 'utf8')).trim());
    started.push(restartedPid);
    expect(restartedPid).not.toBe(server.pid);
    const logName = logFileName(config.name);
    expect(logName).toBe('service-model____touch__tmp_pwned___quoted_.log');
    expect(result.steps.some((s) => s.includes(`as PID ${restartedPid}, output to ${dir}/${logName}`))).toBe(true);
    await expect(stat(join(dir, logName))).resolves.toBeTruthy();
    await expect(stat('/tmp/pwned')).rejects.toThrow();

    [view] = await observe(monitor);
    expect(view?.state).toBe('running');
    expect(view?.process?.pid).toBe(restartedPid);
    expect(view?.probe?.ok).toBe(true);

    const log = (await readFile(join(dir, 'actions.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: restart!.id, kind: 'restart', ok: true });
  });
});

describe('probes against real misbehaving servers', () => {
  const servers: ModelServer[] = [];
  let byMode: Record<'ok' | 'slow' | '500' | 'hang', ModelServer>;
  let deadPort: number;

  beforeAll(async () => {
    const [ok, slow, err, hang] = await Promise.all([startModelServer(), startModelServer({ mode: 'slow' }), startModelServer({ mode: '500' }), startModelServer({ mode: 'hang' })]);
    byMode = { ok: ok!, slow: slow!, '500': err!, hang: hang! };
    servers.push(ok!, slow!, err!, hang!);
    deadPort = await freePort();
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  function service(name: string, url: string, extra: Partial<ServiceConfig> = {}): ServiceConfig {
    return { name, url, timeoutSeconds: 5, intervalSeconds: 0, ...extra };
  }

  it('each failure is measured honestly; the good ones answer', async () => {
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure(
      [
        service('ok', byMode.ok.url(), { expect: { jsonField: 'data' } }),
        service('slow', byMode.slow.url()),
        service('err', byMode['500'].url()),
        service('hang', byMode.hang.url(), { timeoutSeconds: 1 }),
        service('unreachable', `http://127.0.0.1:${deadPort}/v1/models`),
        service('big-capped', byMode.ok.url('/__big')),
        service('big-json', byMode.ok.url('/__big'), { expect: { jsonField: 'data' } }),
        service('redirect', byMode.ok.url('/__loop')),
        service('text', byMode.ok.url('/__text'), { expect: { jsonField: 'data' } }),
      ],
      options,
    );
    const views = new Map((await observe(monitor)).map((v) => [v.name, v]));
    const measured = (name: string) => [views.get(name)?.probe?.ok, views.get(name)?.probe?.measured];
    expect(measured('ok')).toEqual([true, expect.stringMatching(/^200 in \d+ ms$/)]);
    expect(measured('slow')).toEqual([true, expect.stringMatching(/^200 in 2\.\d s$/)]);
    expect(measured('err')).toEqual([false, expect.stringMatching(/^500 in \d+ ms$/)]);
    expect(measured('hang')).toEqual([false, 'no answer within 1 s']);
    expect(measured('unreachable')).toEqual([false, 'connection refused']);
    expect(measured('big-capped')).toEqual([true, expect.stringMatching(/^200 in \d+ ms$/)]);
    expect(measured('big-json')).toEqual([false, '200 but body is over 64 KiB; field data not checked']);
    expect(measured('redirect')).toEqual([false, expect.stringMatching(/^302 in \d+ ms \(redirect to \/__loop, not followed\)$/)]);
    expect(measured('text')).toEqual([false, '200 but body is not JSON']);

    // Processes: each answering server is the process on its port; nothing is on the dead one.
    expect(views.get('hang')?.state).toBe('running');
    expect(views.get('hang')?.process?.pid).toBe(byMode.hang.pid);
    expect(views.get('unreachable')?.state).toBe('missing');
    expect(views.get('unreachable')?.stateReason).toBe(`nothing listens on port ${deadPort}`);
    expect(views.get('ok')?.actions).toEqual([]);
  });

  it('a hanging service never holds up another one’s result', async () => {
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([service('hang', byMode.hang.url(), { timeoutSeconds: 3 }), service('fast', byMode.ok.url())], options);
    const now = Date.now();
    const table = await readProcessTable(facts, now);
    await monitor.poll(now, table.ok ? table.value : null);

    let fast: ServiceView | undefined;
    let hang: ServiceView | undefined;
    for (let i = 0; i < 100 && !fast?.probe; i++) {
      await pause(20);
      const views = monitor.views(Date.now(), table.ok ? table.value : null);
      fast = views.find((v) => v.name === 'fast');
      hang = views.find((v) => v.name === 'hang');
    }
    // The fast service's result is in while the hanging probe is still in flight.
    expect(fast?.probe?.ok).toBe(true);
    expect(hang?.probe).toBeNull();
    expect(monitor.busy).toBeGreaterThan(0);

    await monitor.idle();
    const after = monitor.views(Date.now(), table.ok ? table.value : null).find((v) => v.name === 'hang');
    expect(after?.probe?.measured).toBe('no answer within 3 s');
  });

  it('switches modes at run time: ok → 500 → ok', async () => {
    const server = await startModelServer();
    servers.push(server);
    const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
    monitor.configure([service('flip', server.url())], options);
    expect((await observe(monitor))[0]?.probe?.ok).toBe(true);
    await server.setMode('500');
    const failing = (await observe(monitor))[0]?.probe;
    expect(failing?.ok).toBe(false);
    expect(failing?.consecutiveFailures).toBe(1);
    await server.setMode('ok');
    const back = (await observe(monitor))[0]?.probe;
    expect(back).toMatchObject({ ok: true, consecutiveFailures: 0, recentFailures: 1, recentCount: 3 });
    expect(back?.availability1h).toBeCloseTo(2 / 3, 5);
  });
});
