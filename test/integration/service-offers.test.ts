/**
 * The service offers built in actions/service-offers.ts from the supervisor's methods are the
 * ones the service monitor shows today, text for text: for the 2026-05-10 orphan and its
 * re-loaded job (launchd, replayed), a command service on this host (live ps), and systemd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { LiveFacts } from '../../src/platform/live.js';
import { readProcessTable } from '../../src/platform/processes.js';
import type { Facts } from '../../src/platform/facts.js';
import { HEALTH_WAIT_SECONDS, ServiceMonitor, tilde } from '../../src/engine/services/monitor.js';
import { makeSupervisor } from '../../src/engine/services/supervision.js';
import { serviceOffers } from '../../src/engine/actions/service-offers.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import type { ServiceConfig } from '../../src/common/config.js';
import type { ServiceView } from '../../src/common/services.js';
import type { HttpRequest, HttpResult } from '../../src/platform/facts.js';
import { HOME, LABEL, MATCHING_BACKUP, NOW, PLIST, UID, incidentHost } from '../support/incident-host.js';

async function models(request: HttpRequest): Promise<HttpResult> {
  return { url: request.url, method: 'GET', status: 200, latencyMs: 41, timedOut: false, error: null, headers: {}, body: '{"object":"list","data":[{"id":"m"}]}', bodyTruncated: false };
}

async function shown(monitor: ServiceMonitor, facts: Facts, now: number): Promise<ServiceView> {
  const table = await readProcessTable(facts, now);
  if (!table.ok) throw new Error(table.reason);
  await monitor.poll(now, table.value);
  await monitor.idle();
  const [view] = monitor.views(now, table.value);
  if (!view) throw new Error('no view');
  return view;
}

/** What service-offers.ts builds for the service as the monitor last showed it. */
function rebuilt(monitor: ServiceMonitor, name: string, home: string | null) {
  const target = monitor.target(name);
  if (!target) throw new Error(`no target ${name}`);
  return serviceOffers({
    name,
    view: target.view,
    supervisor: target.supervisor,
    probeUrl: target.probe?.url ?? null,
    healthWaitSeconds: HEALTH_WAIT_SECONDS,
    discovered: false,
    port: target.port,
    shownPath: (path) => tilde(path, home),
  });
}

const cathedral: ServiceConfig = { name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models', supervisor: { kind: 'launchd', label: LABEL } };

describe('service offers from the supervisor, not instanceof', () => {
  it('the orphan: Re-adopt, worded as the monitor words it', async () => {
    const host = incidentHost(new ManualClock(NOW), { http: models });
    const monitor = new ServiceMonitor(host.facts);
    monitor.configure([cathedral], { discovery: false, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME });
    const view = await shown(monitor, host.facts, NOW);
    expect(view.actions.map((a) => a.id)).toEqual(['readopt:cathedral']);
    expect(rebuilt(monitor, 'cathedral', HOME)).toEqual(view.actions);
  });

  it('the loaded job: Restart by launchctl kickstart -k', async () => {
    const host = incidentHost(new ManualClock(NOW), { http: models });
    host.world.orphanAlive = false;
    host.world.loaded = true;
    host.world.jobPid = 5151;
    host.facts.files.set(PLIST, { content: host.facts.files.get(MATCHING_BACKUP)!.content, mtimeMs: NOW });
    const monitor = new ServiceMonitor(host.facts);
    monitor.configure([cathedral], { discovery: false, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME });
    const view = await shown(monitor, host.facts, NOW);
    expect(view.actions.map((a) => a.id)).toEqual(['restart:cathedral']);
    expect(rebuilt(monitor, 'cathedral', HOME)).toEqual(view.actions);
  });

  describe('a command service on this host', () => {
    const facts = new LiveFacts();
    let dir: string;
    let child: ChildProcess | null = null;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'warden service offers '));
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    });

    it('nothing runs: Start; its own process in the pidfile: Restart with SIGTERM', async () => {
      const pidfile = join(dir, 'sleeper.pid');
      const config: ServiceConfig = { name: 'sleeper', supervisor: { kind: 'command', start: ['/bin/sleep', '3600'], pidfile } };
      const options = { discovery: false, platform: 'linux' as const, uid: process.getuid?.() ?? 0, thresholds: DEFAULT_THRESHOLDS, ownPid: process.pid };
      const monitor = new ServiceMonitor(facts, { inspectEverySeconds: 0 });
      monitor.configure([config], options);
      const idle = await shown(monitor, facts, Date.now());
      expect(idle.actions.map((a) => a.label)).toEqual(['Start']);
      expect(rebuilt(monitor, 'sleeper', null)).toEqual(idle.actions);

      child = spawn('/bin/sleep', ['3600'], { stdio: 'ignore' });
      await writeFile(pidfile, `${child.pid}\n`);
      const running = await shown(monitor, facts, Date.now());
      expect(running.process?.pid).toBe(child.pid);
      expect(running.actions.map((a) => a.label)).toEqual(['Restart']);
      expect(running.actions[0]!.confirm).toContain(`Stop PID ${child.pid} (sleep) with SIGTERM`);
      expect(rebuilt(monitor, 'sleeper', null)).toEqual(running.actions);
    }, 30_000);
  });

  it('systemd: Restart by systemctl while the unit is loaded, none when it is not', () => {
    const ctx = { facts: new LiveFacts(), uid: 1000, home: null };
    const view = { supervision: { loaded: true }, state: 'running', process: null, orphan: null } as unknown as ServiceView;
    const offers = (scope: 'user' | 'system' | undefined, v: ServiceView) =>
      serviceOffers({
        name: 'ollama',
        view: v,
        supervisor: makeSupervisor({ name: 'ollama', supervisor: { kind: 'systemd', unit: 'ollama.service', ...(scope ? { scope } : {}) } }, ctx),
        probeUrl: 'http://127.0.0.1:11434/',
        healthWaitSeconds: HEALTH_WAIT_SECONDS,
        discovered: false,
        port: 11434,
        shownPath: (path) => path,
      }).map((a) => a.confirm);
    // The text zero-config-supervision.test.ts sees from the monitor for a unit found in /proc/PID/cgroup.
    expect(offers(undefined, view)).toEqual(['Run systemctl restart ollama.service, then wait up to 120 s for http://127.0.0.1:11434/ to answer.']);
    expect(offers('user', view)).toEqual(['Run systemctl --user restart ollama.service, then wait up to 120 s for http://127.0.0.1:11434/ to answer.']);
    expect(offers(undefined, { ...view, supervision: { ...view.supervision!, loaded: false } })).toEqual([]);
  });
});
