import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryStore, actionEvent, type IncidentEvent } from '../../src/engine/history.js';
import { AlertPolicy } from '../../src/engine/alerts.js';
import { DEFAULT_NOTIFICATIONS } from '../../src/engine/defaults.js';
import type { Finding } from '../../src/common/findings.js';
import type { MemoryView } from '../../src/common/memory.js';
import { GiB, MiB, T, incidentMemory } from '../support/incident-observation.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'warden-history-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function ev(n: number, incidentId = 'inc-1', type: IncidentEvent['type'] = n === 1 ? 'open' : 'update'): IncidentEvent {
  return { id: `${incidentId}/${n}`, incidentId, type, at: T + n * 1000, severity: 'crit', title: `event ${n}`, findingKeys: ['service:cathedral:canary'] };
}

async function lines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
}

describe('HistoryStore: incidents.jsonl', () => {
  it('appends events and folds them back into incidents', async () => {
    const store = await HistoryStore.open(dir);
    const notification = { incidentId: 'inc-1', kind: 'incident' as const, severity: 'crit' as const, title: 't', body: 'b', at: T };
    await store.append([ev(1), ev(2), { id: 'inc-1/3', incidentId: 'inc-1', type: 'notify', at: T + 3000, notification }]);
    await store.append([actionEvent('inc-1', { id: 'readopt:cathedral', ok: true, steps: ['copied'], message: 'Re-adopted', downtimeSeconds: 27, startedAt: T + 4000, finishedAt: T + 31_000 })]);
    await store.append([{ id: 'inc-1/5', incidentId: 'inc-1', type: 'close', at: T + 60_000 }]);
    const reading = await store.readIncidents();
    expect(reading.skipped).toBe(0);
    expect(reading.incidents).toEqual([expect.objectContaining({
      id: 'inc-1', openedAt: T + 1000, closedAt: T + 60_000, severity: 'crit', title: 'event 2',
      notifications: [notification], events: 5,
    })]);
    expect(reading.incidents[0]!.actions[0]!.downtimeSeconds).toBe(27);
    expect(store.available).toBe(true);
  });

  it('writes nothing twice across a restart: replayed events are dropped by id', async () => {
    const first = await HistoryStore.open(dir);
    await first.append([ev(1), ev(2)]);
    const second = await HistoryStore.open(dir);
    await second.append([ev(2), ev(3)]);
    await second.append([ev(3)]);
    expect((await lines(path.join(dir, 'incidents.jsonl'))).map((l) => (JSON.parse(l) as IncidentEvent).id)).toEqual(['inc-1/1', 'inc-1/2', 'inc-1/3']);
  });

  it('skips and reports a torn last line, and never glues the next event onto it', async () => {
    const file = path.join(dir, 'incidents.jsonl');
    await fs.writeFile(file, `${JSON.stringify(ev(1))}\n${JSON.stringify(ev(2))}\n{"id":"inc-1/3","incidentId":"inc-1","ty`);
    const store = await HistoryStore.open(dir);
    expect(store.openProblems).toEqual(['incidents.jsonl line 3: torn (cut off mid-write, probably a crash); skipped']);
    let reading = await store.readIncidents();
    expect(reading.skipped).toBe(1);
    expect(reading.incidents[0]!.events).toBe(2);

    await store.append([ev(3), ev(4)]);
    reading = await store.readIncidents();
    expect(reading.skipped).toBe(1);
    expect(reading.incidents[0]!.events).toBe(4);
    expect(reading.problems).toEqual(['incidents.jsonl line 3: not JSON; skipped']);
    expect(store.available).toBe(true);
  });

  it('skips lines that are JSON but not events', async () => {
    await fs.writeFile(path.join(dir, 'incidents.jsonl'), `${JSON.stringify(ev(1))}\n{"hello":1}\n[]\n`);
    const reading = await (await HistoryStore.open(dir)).readIncidents();
    expect(reading.skipped).toBe(2);
    expect(reading.incidents[0]!.events).toBe(1);
  });

  it('rotates at the size cap and keeps 3 old files', async () => {
    const store = await HistoryStore.open(dir, { maxBytes: 2000, keep: 3 });
    for (let batch = 0; batch < 40; batch += 1) {
      await store.append(Array.from({ length: 5 }, (_, i) => ev(batch * 5 + i + 1)));
    }
    const files = (await fs.readdir(dir)).sort();
    expect(files).toEqual(['incidents.1.jsonl', 'incidents.2.jsonl', 'incidents.3.jsonl', 'incidents.jsonl']);
    for (const file of files) expect((await fs.stat(path.join(dir, file))).size).toBeLessThanOrEqual(2000);
    const reading = await store.readIncidents();
    const kept = (await Promise.all(files.map((f) => lines(path.join(dir, f))))).flat().length;
    expect(reading.incidents[0]!.events).toBe(kept);
    expect(kept).toBeLessThan(200);
    // the newest event is the last line of the current file
    const current = await lines(path.join(dir, 'incidents.jsonl'));
    expect((JSON.parse(current[current.length - 1]!) as IncidentEvent).id).toBe('inc-1/200');
  });

  it('keeps going when the folder cannot be created (a parent is a regular file), then writes once it can', async () => {
    // Tests run as root, so chmod would not stop the writes: a parent that is a file does (ENOTDIR).
    const blocker = path.join(dir, 'not-a-folder');
    await fs.writeFile(blocker, 'x');
    const data = path.join(blocker, 'data');
    const store = await HistoryStore.open(data);
    expect(store.available).toBe(false);
    expect(store.reason).toBe(`cannot create ${data}: ENOTDIR (a parent of the path is not a folder)`);

    await store.append([ev(1), ev(2)]);
    await store.saveSeries();
    await store.saveAlertSnapshot(new AlertPolicy(DEFAULT_NOTIFICATIONS).snapshot());
    expect(store.available).toBe(false);
    expect(store.pendingCount).toBe(2);
    expect((await store.readIncidents()).incidents[0]!.events).toBe(2);

    await fs.rm(blocker);
    await store.append([ev(2), ev(3)]);
    expect(store.available).toBe(true);
    expect(store.reason).toBeNull();
    expect(store.pendingCount).toBe(0);
    expect(await lines(path.join(data, 'incidents.jsonl'))).toHaveLength(3);
  });

  it('keeps events in memory on a full disk (ENOSPC from /dev/full) and flushes them later', async () => {
    // No tmpfs here: the incidents file is a symlink to /dev/full, where every write fails with
    // the kernel's own ENOSPC, exactly as on a full disk.
    const file = path.join(dir, 'incidents.jsonl');
    await fs.symlink('/dev/full', file);
    const store = await HistoryStore.open(dir);
    expect(store.openProblems).toEqual(['incidents.jsonl: not a regular file; not read']);

    await store.append([ev(1)]);
    await store.append([ev(2)]);
    expect(store.available).toBe(false);
    expect(store.reason).toBe(`cannot write ${file}: ENOSPC (disk full)`);
    expect(store.pendingCount).toBe(2);

    await fs.unlink(file);
    await store.flush();
    expect(store.available).toBe(true);
    expect((await lines(file)).map((l) => (JSON.parse(l) as IncidentEvent).id)).toEqual(['inc-1/1', 'inc-1/2']);
  });

  it('keeps at most maxPending events in memory and says how many it let go', async () => {
    const file = path.join(dir, 'incidents.jsonl');
    await fs.symlink('/dev/full', file);
    const store = await HistoryStore.open(dir, { maxPending: 3 });
    await store.append([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    expect(store.pendingCount).toBe(3);
    expect(store.reason).toBe(`cannot write ${file}: ENOSPC (disk full); 2 oldest events not kept`);
  });
});

describe('HistoryStore: an alert policy restarted from an older snapshot replays, never duplicates', () => {
  it('one incident, one notification, however the crash fell', async () => {
    const down: Finding = { key: 'service:cathedral:down', severity: 'crit', title: 'cathedral: not answering', evidence: [], since: T, causes: [], actions: [], subject: { kind: 'service', id: 'cathedral' } };
    const store = await HistoryStore.open(dir);
    const policy = new AlertPolicy(DEFAULT_NOTIFICATIONS, null, { intervalSeconds: 5 });
    for (let i = 1; i <= 3; i += 1) await store.append(policy.step([down], new Map(), T + i * 5000).events);
    await store.saveAlertSnapshot(policy.snapshot());
    for (let i = 4; i <= 12; i += 1) await store.append(policy.step([down], new Map(), T + i * 5000).events);
    // crash: the snapshot on disk is from cycle 3; the events of cycles 4–12 are on disk

    const reopened = await HistoryStore.open(dir);
    const resumed = new AlertPolicy(DEFAULT_NOTIFICATIONS, await reopened.loadAlertSnapshot(), { intervalSeconds: 5 });
    for (let i = 4; i <= 12; i += 1) await reopened.append(resumed.step([down], new Map(), T + i * 5000).events);
    const reading = await reopened.readIncidents();
    expect(reading.incidents).toHaveLength(1);
    expect(reading.incidents[0]!.notifications).toHaveLength(1);
    expect(await lines(path.join(dir, 'incidents.jsonl'))).toHaveLength(reading.incidents[0]!.events);
  });
});

describe('HistoryStore: incidents a restarted policy forgot', () => {
  it('closes those open on disk that the resumed policy does not hold open, once', async () => {
    const store = await HistoryStore.open(dir);
    await store.append([ev(1, 'inc-a'), ev(1, 'inc-b'), ev(1, 'inc-c'), { id: 'inc-c/2', incidentId: 'inc-c', type: 'close', at: T + 5000 }]);
    expect(await store.closeForgotten(new Set(['inc-a']), T + 60_000)).toEqual(['inc-b']);
    expect(await (await HistoryStore.open(dir)).closeForgotten(new Set(['inc-a']), T + 70_000)).toEqual([]);
    const reading = await store.readIncidents();
    expect(reading.incidents.map((i) => [i.id, i.closedAt])).toEqual([['inc-a', null], ['inc-b', T + 60_000], ['inc-c', T + 5000]]);
  });
});

describe('HistoryStore: memory series', () => {
  const sample = (at: number, over: Partial<MemoryView> = {}): MemoryView => ({ ...incidentMemory(at), ...over });

  it('keeps the last hour per sample and 24 h per minute, and survives a restart', async () => {
    const store = await HistoryStore.open(dir);
    const start = T - 2 * 3_600_000;
    for (let at = start; at < T; at += 5000) {
      store.addMemorySample(sample(at, { availableBytes: at === T - 3_600_000 + 20_000 ? 1 * GiB : 2 * GiB }));
    }
    const series = store.memorySeries();
    expect(series.recent).toHaveLength(720);
    expect(series.recent[0]!.at).toBe(T - 3_600_000); // the last sample is at T - 5 s
    expect(series.minutes).toHaveLength(120);
    const dip = series.minutes.find((b) => b.at === T - 3_600_000)!;
    expect(dip).toMatchObject({ samples: 12, availableMinBytes: 1 * GiB, swapUsedMaxBytes: 10386.19 * MiB, pressureMax: 'critical', swapOutMaxBytesPerSec: 38 * MiB });
    expect(dip.availableAvgBytes).toBeCloseTo((11 * 2 * GiB + 1 * GiB) / 12, 0);

    await store.saveSeries();
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const reopened = await HistoryStore.open(dir);
    expect(reopened.memorySeries()).toEqual(series);
  });

  it('forgets minutes older than 24 h', async () => {
    const store = await HistoryStore.open(dir);
    for (let at = T - 26 * 3_600_000; at < T; at += 60_000) store.addMemorySample(sample(at));
    const minutes = store.memorySeries().minutes;
    expect(minutes).toHaveLength(1440);
    expect(minutes[0]!.at).toBeGreaterThan(T - 24 * 3_600_000 - 60_000);
  });

  it('drops points from "the future" when the clock is set back', async () => {
    const store = await HistoryStore.open(dir);
    for (let i = 0; i < 10; i += 1) store.addMemorySample(sample(T + i * 60_000));
    store.addMemorySample(sample(T + 3 * 60_000 + 1000));
    expect(store.memorySeries().recent.map((p) => p.at)).toEqual([T, T + 60_000, T + 120_000, T + 180_000, T + 181_000]);
  });

  it('starts a new series when series.json is not one', async () => {
    await fs.writeFile(path.join(dir, 'series.json'), '{"version":1,"recent":"no"');
    const store = await HistoryStore.open(dir);
    expect(store.openProblems).toEqual(['series.json: not JSON; ignored']);
    expect(store.memorySeries()).toEqual({ recent: [], minutes: [] });
  });
});

describe('HistoryStore: alert snapshot', () => {
  it('saves atomically and loads it back', async () => {
    const store = await HistoryStore.open(dir);
    const policy = new AlertPolicy(DEFAULT_NOTIFICATIONS);
    policy.snooze({ scope: 'all' }, T + 3_600_000);
    await store.saveAlertSnapshot(policy.snapshot());
    expect(await fs.readdir(dir)).toEqual(['alerts-state.json']);
    const loaded = await (await HistoryStore.open(dir)).loadAlertSnapshot();
    expect(new AlertPolicy(DEFAULT_NOTIFICATIONS, loaded).snoozedUntil(T)).toBe(T + 3_600_000);
  });

  it('starts fresh from a snapshot it cannot read', async () => {
    await fs.writeFile(path.join(dir, 'alerts-state.json'), '{"version":99}');
    const store = await HistoryStore.open(dir);
    expect(await store.loadAlertSnapshot()).toBeNull();
    expect(store.openProblems).toEqual(['alerts-state.json: not a snapshot this version can resume; starting fresh']);
  });
});
