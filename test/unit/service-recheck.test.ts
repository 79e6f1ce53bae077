import { describe, expect, it } from 'vitest';
import type { ProcessRow, ProcessTable } from '../../src/common/processes.js';
import type { ActionOffer, ServiceView } from '../../src/common/services.js';
import { ActionRunner } from '../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import { ServiceMonitor } from '../../src/engine/services/monitor.js';
import { ManualClock } from '../../src/platform/clock.js';
import { ScriptedEffects, ScriptedFacts } from '../support/scripted-facts.js';

const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);
const PIDFILE = '/Users/bert/run/model.pid';

function row(pid: number): ProcessRow {
  return { pid, ppid: 1, uid: 501, rssBytes: 100e6, cpuPercent: 0, cpuSeconds: 1, elapsedSeconds: 2, startedAt: NOW - 2000, name: 'node', command: 'node model-server.mjs', zombie: false };
}

async function viewAt(monitor: ServiceMonitor, at: number, rows: ProcessRow[]): Promise<ServiceView> {
  const table: ProcessTable = { at, rows };
  await monitor.poll(at, table);
  await monitor.idle();
  return monitor.views(at, table)[0]!;
}

describe('supervision is checked again right after an action', () => {
  it('a check taken while the server was down stands for its 30 s, until recheck()', async () => {
    const facts = new ScriptedFacts();
    facts.files.set(PIDFILE, { content: '4242\n', mtimeMs: NOW });
    const monitor = new ServiceMonitor(facts);
    monitor.configure([{ name: 'model', supervisor: { kind: 'command', start: ['node', 'model-server.mjs'], pidfile: PIDFILE } }], {
      discovery: false,
      platform: 'darwin',
      uid: 501,
      thresholds: DEFAULT_THRESHOLDS,
    });

    const down = await viewAt(monitor, NOW, []);
    expect(down.state).not.toBe('running');
    expect(down.stateReason).toContain(`pidfile ${PIDFILE} names PID 4242, which is gone`);

    // The restarted server runs again, but nothing is due: the old check still speaks.
    const stale = await viewAt(monitor, NOW + 2000, [row(4242)]);
    expect(stale.state).toBe(down.state);

    monitor.recheck('model');
    monitor.recheck('not configured');
    const fresh = await viewAt(monitor, NOW + 3000, [row(4242)]);
    expect(fresh.state).toBe('running');
    expect(fresh.process?.pid).toBe(4242);
  });

  it('the runner asks for it after a restart or re-adopt, whatever the outcome, and not after a release', async () => {
    const facts = new ScriptedFacts();
    const rechecked: string[] = [];
    const runner = new ActionRunner({
      facts,
      effects: new ScriptedEffects(facts),
      clock: new ManualClock(NOW),
      uid: 501,
      platform: 'darwin',
      services: { target: () => null, recheck: (name) => rechecked.push(name) },
      locks: { target: () => null },
    });
    const offers: ActionOffer[] = [
      { id: 'restart:model', kind: 'restart', target: 'model', label: 'Restart', confirm: 'Restart model.' },
      { id: 'readopt:cathedral', kind: 'readopt', target: 'cathedral', label: 'Re-adopt', confirm: 'Re-adopt cathedral.' },
      { id: 'release:/tmp/db', kind: 'release', target: '/tmp/db', label: 'Release', confirm: 'Release /tmp/db.' },
    ];
    for (const offer of offers) {
      const result = await runner.run(offer.id, offers);
      expect(result.ok).toBe(false);
    }
    await runner.run('restart:elsewhere', offers);
    expect(rechecked).toEqual(['model', 'cathedral']);
  });
});
