import { describe, expect, it } from 'vitest';
import type { ProcessRow, ProcessTable } from '../../../../src/common/processes.js';
import type { ActionOffer, ServiceView } from '../../../../src/common/services.js';
import { ActionRunner } from '../../../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../../../src/engine/defaults.js';
import { LockMonitor } from '../../../../src/engine/locks.js';
import { ServiceMonitor } from '../../../../src/engine/services/monitor.js';
import { ManualClock } from '../../../../src/platform/clock.js';
import type { FileStat } from '../../../../src/platform/facts.js';
import { ScriptedEffects, ScriptedFacts } from '../../../support/scripted-facts.js';

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

describe('what an action changed is read again right after it', () => {
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

  it('a watched file is read again after recheck(), not only every 15 s', async () => {
    const stats: string[] = [];
    const facts = new (class extends ScriptedFacts {
      override stat(path: string): Promise<FileStat> {
        stats.push(path);
        return super.stat(path);
      }
    })();
    const locks = new LockMonitor(facts);
    locks.configure([{ path: '/Users/bert/data/workspace.duckdb' }], { platform: 'darwin', thresholds: DEFAULT_THRESHOLDS });
    const readAt = async (at: number) => {
      await locks.poll(at);
      await locks.idle();
      return stats.length;
    };
    expect(await readAt(NOW)).toBe(1);
    expect(await readAt(NOW + 2000)).toBe(1);
    locks.recheck();
    expect(await readAt(NOW + 3000)).toBe(2);
    expect(await readAt(NOW + 4000)).toBe(2);
  });

  it('the runner asks for it after each action, whatever the outcome: the service, or the watched files', async () => {
    const facts = new ScriptedFacts();
    const rechecked: string[] = [];
    const runner = new ActionRunner({
      facts,
      effects: new ScriptedEffects(facts),
      clock: new ManualClock(NOW),
      uid: 501,
      platform: 'darwin',
      services: { target: () => null, recheck: (name) => rechecked.push(name) },
      locks: { target: () => null, recheck: () => rechecked.push('locks') },
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
    expect(rechecked).toEqual(['model', 'cathedral', 'locks']);
  });
});
