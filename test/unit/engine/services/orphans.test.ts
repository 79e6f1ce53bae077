import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/platform/clock.js';
import { readProcessTable } from '../../../../src/platform/processes.js';
import { ServiceMonitor } from '../../../../src/engine/services/monitor.js';
import { gatherOrphanEvidence } from '../../../../src/engine/services/orphans.js';
import { DEFAULT_THRESHOLDS } from '../../../../src/engine/defaults.js';
import type { ServiceConfig } from '../../../../src/common/config.js';
import type { HttpRequest, HttpResult } from '../../../../src/platform/facts.js';
import { AGENTS, CATHEDRAL_COMMAND, HOME, LABEL, MATCHING_BACKUP, NOW, ORPHAN_PID, ORPHAN_STARTED, PLIST, UID, incidentHost } from '../../../support/incident-host.js';

const cathedral: ServiceConfig = {
  name: 'cathedral',
  url: 'http://127.0.0.1:1337/v1/models',
  supervisor: { kind: 'launchd', label: LABEL },
};

async function models(request: HttpRequest): Promise<HttpResult> {
  return { url: request.url, method: 'GET', status: 200, latencyMs: 41, timedOut: false, error: null, headers: {}, body: '{"object":"list","data":[{"id":"m"}]}', bodyTruncated: false };
}

async function look(setup?: (host: ReturnType<typeof incidentHost>) => void) {
  const clock = new ManualClock(NOW);
  const host = incidentHost(clock, { http: models });
  setup?.(host);
  const monitor = new ServiceMonitor(host.facts);
  monitor.configure([cathedral], { discovery: false, platform: 'darwin', uid: UID, thresholds: DEFAULT_THRESHOLDS, home: HOME });
  const table = await readProcessTable(host.facts, NOW);
  if (!table.ok) throw new Error(table.reason);
  await monitor.poll(NOW, table.value);
  await monitor.idle();
  const [view] = monitor.views(NOW, table.value);
  if (!view) throw new Error('no view');
  return { view, host, monitor };
}

describe('the orphan of 2026-05-10', () => {
  it('is orphaned: PID 4242 serves port 1337 and launchd has no job for it', async () => {
    const { view } = await look();
    expect(view.state).toBe('orphaned');
    expect(view.stateReason).toBe(`PID ${ORPHAN_PID} serves port 1337, but launchd job gui/501/${LABEL} is not loaded (${PLIST} is missing)`);
    expect(view.process).toMatchObject({ pid: ORPHAN_PID, ppid: 1, uid: UID, command: CATHEDRAL_COMMAND });
    expect(view.supervision).toMatchObject({ kind: 'launchd', target: `gui/501/${LABEL}`, loaded: false, jobPid: null });
    expect(view.supervision?.plist).toMatchObject({ path: PLIST, exists: false });
    expect(view.probe?.measured).toBe('200 in 41 ms');
  });

  it('names the newest backup whose ProgramArguments equal the command line byte for byte', async () => {
    const { view } = await look();
    const orphan = view.orphan;
    expect(orphan?.canonicalPath).toBe(PLIST);
    expect(orphan?.canonicalExists).toBe(false);
    expect(orphan?.matchingBackup).toBe(MATCHING_BACKUP);
    // Matching first, newest first; the newer experiment (one more flag) and the one with a
    // trailing space do not match.
    expect(orphan?.backups.map((b) => [b.path.slice(AGENTS.length + 1), b.matches])).toEqual([
      [`${LABEL}.plist.pre-disable-compile-20260507-030615`, true],
      [`${LABEL}.plist.orig-20260301-090000`, true],
      [`${LABEL}.plist.experiment-20260508-101500`, false],
      [`${LABEL}.plist.pre-multimodal-20260503-135006`, false],
      [`${LABEL}.plist.pre-metalcaps-20260424-184209`, false],
    ]);
    expect(orphan?.backups.some((b) => b.path.endsWith('weekly-restart.plist'))).toBe(false);
  });

  it('offers Re-adopt and says exactly what it will do; no Restart for an orphan', async () => {
    const { view } = await look();
    expect(view.actions.map((a) => a.id)).toEqual(['readopt:cathedral']);
    expect(view.actions[0]?.confirm).toBe(
      'Copy com.sanctum.mlx.plist.pre-disable-compile-20260507-030615 to ~/Library/LaunchAgents/com.sanctum.mlx.plist, check it with plutil -lint, ' +
        'stop PID 4242 (SIGTERM), load it with launchctl bootstrap gui/501, and wait for http://127.0.0.1:1337/v1/models to answer.',
    );
  });

  it('offers no Re-adopt when no backup matches', async () => {
    const { view } = await look((host) => {
      for (const path of [...host.facts.files.keys()]) if (path.includes('pre-disable-compile') || path.includes('orig-')) host.facts.files.delete(path);
    });
    expect(view.state).toBe('orphaned');
    expect(view.orphan?.matchingBackup).toBeNull();
    expect(view.actions).toEqual([]);
  });

  it('is running when the loaded job owns the process, whatever its PPID', async () => {
    const { view } = await look((host) => {
      host.world.orphanAlive = false;
      host.world.loaded = true;
      host.world.jobPid = 5151;
      host.facts.files.set(PLIST, { content: host.facts.files.get(MATCHING_BACKUP)!.content, mtimeMs: NOW });
    });
    expect(view.state).toBe('running');
    expect(view.stateReason).toBe(`launchd job gui/501/${LABEL} runs PID 5151`);
    expect(view.process?.ppid).toBe(1);
    expect(view.orphan).toBeNull();
    expect(view.actions.map((a) => a.id)).toEqual(['restart:cathedral']);
    expect(view.actions[0]?.confirm).toBe(
      'Run launchctl kickstart -k gui/501/com.sanctum.mlx: launchd stops PID 5151 (SIGTERM) and starts it again, then wait up to 120 s for http://127.0.0.1:1337/v1/models to answer.',
    );
  });

  it('is not an orphan when another launchd job owns the process', async () => {
    const { view } = await look((host) => {
      host.world.otherJob = { label: 'com.sanctum.mlx-experiment', pid: ORPHAN_PID };
    });
    expect(view.state).toBe('running');
    expect(view.stateReason).toBe(`PID ${ORPHAN_PID} serves port 1337, run by launchd job gui/501/com.sanctum.mlx-experiment, not by launchd job gui/501/${LABEL}`);
    expect(view.actions).toEqual([]);
  });

  it('gathers evidence directly: canonical present and matching is the plist to use', async () => {
    const clock = new ManualClock(NOW);
    const host = incidentHost(clock);
    host.facts.files.set(PLIST, { content: host.facts.files.get(MATCHING_BACKUP)!.content, mtimeMs: NOW });
    const ref = { pid: ORPHAN_PID, ppid: 1, uid: UID, startedAt: ORPHAN_STARTED, name: 'sanctum-mlx', command: CATHEDRAL_COMMAND };
    const evidence = await gatherOrphanEvidence(host.facts, ref, PLIST, 'test');
    expect(evidence.canonicalExists).toBe(true);
    expect(evidence.matchingBackup).toBe(PLIST);
  });
});
