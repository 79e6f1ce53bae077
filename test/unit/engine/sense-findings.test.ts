/**
 * The senses as findings of their own: a volume nearly full, sustained throttling. They are
 * host causes, so under the alert policy they page alone only after CAUSE_PAGES_ALONE_AFTER_MINUTES,
 * and a service symptom beside them carries them as its cause.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SenseMonitor } from '../../../src/engine/senses.js';
import { ScriptedFacts, fail, ok } from '../../support/scripted-facts.js';
import { senseFindings, THROTTLE_SUSTAINED_MINUTES } from '../../../src/engine/sense-findings.js';
import { AlertPolicy } from '../../../src/engine/alerts.js';
import { CAUSE_PAGES_ALONE_AFTER_MINUTES, DEFAULT_NOTIFICATIONS } from '../../../src/engine/defaults.js';
import type { Finding, Notification } from '../../../src/common/findings.js';
import type { SensesView, ThermalView } from '../../../src/common/senses.js';

const MIN = 60_000;
const T = Date.UTC(2026, 4, 10, 14, 0, 0);
const GiB = 1024 ** 3;

const thermal = (throttled: boolean, since: number | null): ThermalView => ({
  source: 'pmset -g therm',
  throttled,
  summary: throttled ? 'CPU speed limited to 70 %' : 'no thermal or performance warning recorded',
  speedLimitPercent: throttled ? 70 : null,
  schedulerLimitPercent: null,
  thermalWarning: null,
  performanceWarning: null,
  zones: [],
  cpuFreq: null,
  throttledSince: since,
  appState: null,
});

function senses(availableBytes: number, t: ThermalView): SensesView {
  return {
    thermal: { ok: true, value: t },
    disk: { ok: true, value: { volumes: [{ path: '/System/Volumes/VM', roles: ['swap'], paths: ['/System/Volumes/VM'], totalBytes: 994 * GiB, availableBytes }] } },
    load: { ok: true, value: { loadavg: [2, 2, 2], cores: 16 } },
    logs: [],
  };
}

describe('sense findings', () => {
  it('a swap volume nearly full: warn, with the bytes; under 1 % and under 1 GiB: crit', () => {
    const [low] = senseFindings(senses(3.1 * GiB, thermal(false, null)), T);
    expect(low).toMatchObject({ key: 'disk:/System/Volumes/VM:low', severity: 'warn', title: 'Disk nearly full: /System/Volumes/VM, 0.3 % free — swap cannot grow', subject: { kind: 'host', id: '/System/Volumes/VM' } });
    expect(low!.evidence[0]!.text).toBe('3.1 GiB free on /System/Volumes/VM (0.3 %)');
    expect(senseFindings(senses(0.5 * GiB, thermal(false, null)), T)[0]!.severity).toBe('crit');
    expect(senseFindings(senses(200 * GiB, thermal(false, null)), T)).toEqual([]);
  });

  it('throttling is a finding only once it has lasted', () => {
    const since = T - (THROTTLE_SUSTAINED_MINUTES - 1) * MIN;
    expect(senseFindings(senses(200 * GiB, thermal(true, since)), T)).toEqual([]);
    const [hot] = senseFindings(senses(200 * GiB, thermal(true, since)), T + 2 * MIN);
    expect(hot).toMatchObject({ key: 'thermal:throttled', severity: 'warn', title: 'CPU throttled: CPU speed limited to 70 %', subject: { kind: 'host', id: 'thermal' } });
    expect(hot!.evidence[1]).toMatchObject({ label: 'for', text: '6 min' });
  });

  it('a full swap volume alone pages only after the causes wait, once', () => {
    const policy = new AlertPolicy({ ...DEFAULT_NOTIFICATIONS }, null, { intervalSeconds: 60, localMinutes: () => 600 });
    const sent: Notification[] = [];
    let since: number | null = null;
    for (let m = 0; m < CAUSE_PAGES_ALONE_AFTER_MINUTES + 10; m++) {
      const now = T + m * MIN;
      const drafts = senseFindings(senses(0.5 * GiB, thermal(false, null)), now).map((d) => ({ ...d, since: (since ??= now), causes: [] })) as Finding[];
      // Crit (under 1 %): red, yet a cause, so it waits.
      expect(drafts[0]!.severity).toBe('crit');
      sent.push(...policy.step(drafts, new Map(), now).notifications);
      if (m < CAUSE_PAGES_ALONE_AFTER_MINUTES - 1) expect(sent, `minute ${m}`).toEqual([]);
    }
    expect(sent.map((n) => [n.kind, n.title])).toEqual([['incident', 'Disk nearly full: /System/Volumes/VM, 0.1 % free — swap cannot grow']]);
  });
});

describe('the thermal sense over cycles', () => {
  it('a run of throttled reads keeps its start; an unread cycle does not end it; a calm read does', async () => {
    const calm = readFileSync('test/fixtures/darwin/real/pmset-therm/2.txt', 'utf8');
    let answer: 'hot' | 'calm' | 'fail' = 'hot';
    const facts = new ScriptedFacts().on((argv) => {
      if (argv.join(' ') !== 'pmset -g therm') return null;
      if (answer === 'fail') return fail(argv, 1, 'pmset: error\n');
      return ok(argv, answer === 'hot' ? calm.replace('CPU_Speed_Limit \t= 100', 'CPU_Speed_Limit \t= 70') : calm);
    });
    const monitor = new SenseMonitor();
    monitor.configure({ platform: 'darwin', home: '/Users/bert', services: [], modelFolders: [], dataDir: null });
    const since = (s: SensesView) => (s.thermal.ok ? s.thermal.value.throttledSince : 'unknown');
    expect(since(await monitor.poll(facts, T))).toBe(T);
    expect(since(await monitor.poll(facts, T + MIN))).toBe(T);
    answer = 'fail';
    expect(since(await monitor.poll(facts, T + 2 * MIN))).toBe('unknown');
    answer = 'hot';
    const s = await monitor.poll(facts, T + 6 * MIN);
    expect(since(s)).toBe(T);
    expect(senseFindings(s, T + 6 * MIN).map((f) => f.key)).toEqual(['thermal:throttled']);
    answer = 'calm';
    expect(since(await monitor.poll(facts, T + 7 * MIN))).toBeNull();
  });
});
