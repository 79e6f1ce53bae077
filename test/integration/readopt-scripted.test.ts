import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { ServiceMonitor } from '../../src/engine/services/monitor.js';
import { ActionLog, ActionRunner } from '../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import type { ServiceConfig } from '../../src/common/config.js';
import { HOME, LABEL, MATCHING_BACKUP, NEW_PID, NOW, ORPHAN_PID, PLIST, UID, incidentHost } from '../support/incident-host.js';
import { ReplayEffects } from '../../src/platform/effects.js';

/**
 * Re-adoption against a scripted macOS edge (launchctl, plutil, lsof, ps answered in their real
 * formats) and a real HTTP server for the health poll: the server goes quiet when the orphan
 * is stopped and answers 503 twice after launchd starts the job, then 200.
 */
describe('re-adopt the orphan (scripted launchd, real HTTP)', () => {
  let server: http.Server;
  let port: number;
  let healthy: () => boolean;
  let dir: string;
  let answers503 = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-readopt-'));
    answers503 = 0;
    server = http.createServer((req, res) => {
      if (!healthy()) {
        res.socket?.destroy();
        return;
      }
      if (answers503 > 0) {
        answers503 -= 1;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"loading model"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[{"id":"test-model","object":"model"}]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  async function setup() {
    const clock = new ManualClock(NOW);
    const host = incidentHost(clock, { port });
    healthy = () => host.world.orphanAlive || host.world.jobPid !== null;
    const config: ServiceConfig = { name: 'cathedral', url: `http://127.0.0.1:${port}/v1/models`, supervisor: { kind: 'launchd', label: LABEL } };
    const monitor = new ServiceMonitor(host.facts);
    monitor.configure([config], { discovery: false, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME });
    const table = await readProcessTable(host.facts, NOW);
    if (!table.ok) throw new Error(table.reason);
    await monitor.poll(NOW, table.value);
    await monitor.idle();
    const views = monitor.views(NOW, table.value);
    const log = new ActionLog(join(dir, 'actions.jsonl'));
    const runner = new ActionRunner({ facts: host.facts, effects: host.effects, clock, uid: UID, platform: 'darwin', waits: { pollMs: 250 } }, log);
    return { clock, host, monitor, views, runner, log };
  }

  it('copies, lints, stops, waits, bootstraps through one transient EIO, and waits for health', async () => {
    const { host, views, runner, monitor, log } = await setup();
    expect(views[0]?.state).toBe('orphaned');
    host.world.bootstrapEio = 1;
    answers503 = 2;
    const offers = views.flatMap((v) => v.actions);

    const result = await runner.run('readopt:cathedral', offers, { service: (name) => monitor.target(name) });

    expect(result.ok).toBe(true);
    expect(host.effects.log).toEqual([
      `copy ${MATCHING_BACKUP} ${PLIST}`,
      `signal ${ORPHAN_PID} SIGTERM`,
      `run launchctl bootstrap gui/501 ${PLIST}`,
      `run launchctl bootstrap gui/501 ${PLIST}`,
    ]);
    expect(host.facts.ran).toContainEqual(['plutil', '-lint', PLIST]);
    // Clock: SIGTERM at +0; the port is free at the first re-check; bootstrap fails once (EIO)
    // and is retried after 1 s; the health probe gets 503, 503, then 200, 0.25 s apart.
    expect(result.steps).toEqual([
      `+0.0 s copied ${MATCHING_BACKUP} to ${PLIST}`,
      `+0.0 s plutil -lint ${PLIST}: OK`,
      `+0.0 s sent SIGTERM to PID ${ORPHAN_PID} (sanctum-mlx)`,
      `+0.0 s PID ${ORPHAN_PID} exited and port ${port} is free`,
      `+0.0 s ran launchctl bootstrap gui/501 ${PLIST}: Bootstrap failed: 5: Input/output error; retrying in 1 s`,
      `+1.0 s ran launchctl bootstrap gui/501 ${PLIST}: loaded`,
      expect.stringMatching(new RegExp(`^\\+1\\.5 s http://127\\.0\\.0\\.1:${port}/v1/models answered: 200 in \\d+ ms$`)),
      `+1.5 s launchctl print gui/501/${LABEL}: state = running, PID ${NEW_PID}`,
      expect.stringMatching(/^\+1\.5 s cathedral is supervised by launchd again \(gui\/501\/com\.sanctum\.mlx, state = running, PID 5151\) and answers \(200 in \d+ ms\); down for 1\.5 s$/),
    ]);
    expect(result.downtimeSeconds).toBe(1.5);
    expect(host.world.bootstrapped).toBe(PLIST);

    const [entry] = await log.recent();
    expect(entry).toMatchObject({ id: 'readopt:cathedral', kind: 'readopt', target: 'cathedral', ok: true, downtimeSeconds: 1.5 });
    const lines = (await readFile(log.path as string, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
  });

  it('takes the offers from the views and the targets from the monitors given to it', async () => {
    const { host, views, monitor, clock } = await setup();
    const runner = new ActionRunner({ facts: host.facts, effects: host.effects, clock, uid: UID, platform: 'darwin', dataDir: dir, services: monitor, waits: { pollMs: 250 } });
    const result = await runner.run('readopt:cathedral', { services: views, locks: [] });
    expect(result.ok).toBe(true);
    expect(result.downtimeSeconds).toBe(0);
    expect((await readFile(join(dir, 'actions.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('stops before touching the process when the copy fails lint', async () => {
    const { host, views, runner, monitor } = await setup();
    host.facts.on((argv) => (argv[0] === 'plutil' && argv[2] === PLIST ? { argv: [...argv], exitCode: 1, signal: null, stdout: `${PLIST}: Found non-key inside <dict> at line 12\n`, stderr: '', durationMs: 3, timedOut: false, truncated: false, error: null } : null));
    const result = await runner.run('readopt:cathedral', views.flatMap((v) => v.actions), { service: (name) => monitor.target(name) });
    expect(result.ok).toBe(false);
    expect(result.message).toBe(`plutil -lint ${PLIST}: Found non-key inside <dict> at line 12; PID ${ORPHAN_PID} was not touched; the copy stays at ${PLIST}, not loaded`);
    expect(host.effects.log).toEqual([`copy ${MATCHING_BACKUP} ${PLIST}`]);
    expect(host.world.orphanAlive).toBe(true);
  });

  it('refuses when the orphan was replaced by another process with its PID', async () => {
    const { host, views, runner, monitor, clock } = await setup();
    // The orphan died and a different process got PID 4242 a minute later.
    host.world.orphanAlive = false;
    host.facts.on((argv) =>
      argv[0] === 'ps'
        ? { argv: [...argv], exitCode: 0, signal: null, stdout: `  ${ORPHAN_PID}     1   501     4096   0.0    0:00.10       00:05 /usr/bin/python3 -m http.server\n`, stderr: '', durationMs: 3, timedOut: false, truncated: false, error: null }
        : null,
    );
    clock.advance(60_000);
    const result = await runner.run('readopt:cathedral', views.flatMap((v) => v.actions), { service: (name) => monitor.target(name) });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^not stopped: PID 4242 started \d+ s later than the process that was shown: the PID now belongs to another process\. /);
    expect(host.effects.log.filter((l) => l.startsWith('signal'))).toEqual([]);
  });

  it('refuses a second action on the same service while one runs, and everything on a replay', async () => {
    const { views, runner, monitor, host, clock } = await setup();
    const offers = views.flatMap((v) => v.actions);
    host.world.bootstrapEio = 1;
    const first = runner.run('readopt:cathedral', offers, { service: (name) => monitor.target(name) });
    const second = await runner.run('readopt:cathedral', offers, { service: (name) => monitor.target(name) });
    expect(second.ok).toBe(false);
    expect(second.message).toBe('an action on cathedral is already running');
    expect((await first).ok).toBe(true);

    const replay = new ActionRunner({ facts: host.facts, effects: new ReplayEffects(), clock, uid: UID, platform: 'darwin' }, new ActionLog(null));
    const refused = await replay.run('readopt:cathedral', offers, { service: (name) => monitor.target(name) });
    expect(refused).toMatchObject({ ok: false, message: 'this is a replay of a capture; nothing can be changed' });

    const unknown = await runner.run('restart:cathedral', offers, { service: (name) => monitor.target(name) });
    expect(unknown.message).toBe('restart:cathedral is not on offer now; the state may have changed since it was shown');
  });
});
