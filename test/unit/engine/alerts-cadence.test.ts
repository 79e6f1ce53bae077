/**
 * The judgement of a probed service at any cadence: engine every 1–60 s, probe every 1 s–5 min.
 * The real probe history, assess and alert policy, stepped as the engine steps them (a probe
 * runs in the first cycle at or after it is due), on a clock that moves one cycle at a time.
 */
import { describe, expect, it } from 'vitest';
import { AlertPolicy } from '../../../src/engine/alerts.js';
import { assess } from '../../../src/engine/assess.js';
import { DEFAULT_NOTIFICATIONS, DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import { serviceObservations } from '../../../src/engine/engine.js';
import { ProbeHistory, type ProbeOutcome } from '../../../src/engine/services/probes.js';
import type { Finding, Notification } from '../../../src/common/findings.js';
import type { ServiceView } from '../../../src/common/services.js';

const T0 = Date.UTC(2026, 4, 10, 14, 0, 0);
const ENGINE = [1, 2, 5, 10, 30, 60];
const PROBE = [1, 5, 30, 60, 300];

/** ok(t, n): whether the n-th probe, taken at t ms after T0, answers. */
type Script = (t: number, n: number) => boolean;

interface Outcome {
  incidents: number;
  pages: Notification[];
  recoveries: Notification[];
}

/** `gaps`: [from, to] ms after T0 during which the host sleeps (no cycle runs). */
function simulate(engineS: number, probeS: number, endMs: number, script: Script, gaps: Array<[number, number]> = [], jump?: { at: number; by: number }): Outcome {
  const policy = new AlertPolicy(DEFAULT_NOTIFICATIONS, null, { intervalSeconds: engineS, localMinutes: () => 12 * 60 });
  const history = new ProbeHistory();
  let last: ProbeOutcome | null = null;
  let nextProbe = 0;
  let probes = 0;
  let previous: Map<string, Finding> | null = null;
  let lastTick: number | null = null;
  let wokeAt: number | null = null;
  const incidents = new Set<string>();
  const notes: Notification[] = [];
  for (let t = 0; t <= endMs; t += engineS * 1000) {
    if (gaps.some(([from, to]) => t > from && t < to)) continue;
    const now = T0 + t + (jump && t >= jump.at ? jump.by : 0);
    if (lastTick !== null && (now - lastTick > 3 * engineS * 1000 || now < lastTick)) wokeAt = now;
    lastTick = now;
    if (now >= nextProbe) {
      nextProbe = now + probeS * 1000;
      const ok = script(t, probes++);
      last = { url: 'http://10.0.0.7:8080/health', tier: 'healthy', ok, status: ok ? 200 : 500, latencyMs: ok ? 4 : 3, measured: ok ? '200 in 4 ms' : '500 in 3 ms', at: now };
      history.record({ at: now, ok, latencyMs: last.latencyMs });
    }
    const service: ServiceView = {
      name: 'gpu-box', source: 'config', url: 'http://10.0.0.7:8080/health', port: null, state: 'running', stateReason: 'answers; no local process to check',
      process: null, supervision: null, probe: last ? history.view(last, now, DEFAULT_THRESHOLDS.probeWindowM) : null, canary: null, orphan: null, actions: [], snoozedUntil: null, goneAt: null,
    };
    const observation = { memory: null, memoryUnknown: null, thieves: [], services: [service], locks: [], jobs: [], unknowns: [], wokeAt };
    const findings = assess(observation, previous, DEFAULT_THRESHOLDS, now);
    previous = new Map(findings.map((f) => [f.key, f]));
    const step = policy.step(findings, new Map(), now, serviceObservations([service]));
    for (const i of step.incidents) if (i.severity === 'crit') incidents.add(i.id);
    notes.push(...step.notifications);
  }
  return { incidents: incidents.size, pages: notes.filter((n) => n.kind === 'incident'), recoveries: notes.filter((n) => n.kind === 'recovery') };
}

const combos = ENGINE.flatMap((e) => PROBE.map((p) => ({ e, p })));
const MIN = 60_000;

describe('a flapping probe pages once and recovers once, at any engine and probe interval', () => {
  it.each(combos)('engine $e s, probe $p s', ({ e, p }) => {
    const step = Math.max(e, p) * 1000;
    // Several minutes of 500 and 200 in turn (at least 12 probes), then 10 probes answering.
    const flapMs = Math.max(6 * MIN, 12 * step);
    const out = simulate(e, p, flapMs + 10 * step, (t, n) => t >= flapMs || n % 2 === 1);
    expect({ incidents: out.incidents, pages: out.pages.length, recoveries: out.recoveries.length }).toEqual({ incidents: 1, pages: 1, recoveries: 1 });
    expect(out.pages[0]!.title).toMatch(/^gpu-box: (failing: 500 in 3 ms; \d of the last 5 probes failed|\d of the last 5 probes failed; last: 200 in 4 ms)$/);
    expect(out.pages[0]!.title).not.toMatch(/failing: 200/);
    expect(out.recoveries[0]!.title).toMatch(/^gpu-box recovered: \d+ probes answered, 4 ms$/);
  });
});

describe('an outage of at least two probe intervals pages once and recovers once', () => {
  it.each(combos)('engine $e s, probe $p s', ({ e, p }) => {
    const step = Math.max(e, p) * 1000;
    const from = 5 * step;
    const to = from + Math.max(2 * MIN, 6 * step);
    const out = simulate(e, p, to + 10 * step, (t) => t < from || t >= to);
    expect({ pages: out.pages.length, recoveries: out.recoveries.length }).toEqual({ pages: 1, recoveries: 1 });
    expect(out.pages[0]!.title).toMatch(/^gpu-box: failing: 500 in 3 ms(; [34] of the last 5 probes failed)?$/);
  });
});

describe('waking from sleep is not an outage', () => {
  it.each(combos)('engine $e s, probe $p s: probes fail for 2 min after a 40 min sleep; nothing is sent', ({ e, p }) => {
    const sleepFrom = 10 * MIN;
    const sleepTo = 50 * MIN;
    const out = simulate(e, p, 80 * MIN, (t) => !(t >= sleepTo && t < sleepTo + 2 * MIN), [[sleepFrom, sleepTo]]);
    expect(out.pages).toEqual([]);
  });
});

describe('a changed clock neither pages nor hides an outage', () => {
  it.each(combos)('engine $e s, probe $p s: the clock steps back an hour, healthy and then failing', ({ e, p }) => {
    const step = Math.max(e, p) * 1000;
    const healthy = simulate(e, p, 40 * MIN, () => true, [], { at: 20 * MIN, by: -60 * MIN });
    expect(healthy.pages).toEqual([]);
    const from = 25 * MIN;
    const to = from + Math.max(3 * MIN, 6 * step);
    const failing = simulate(e, p, to + 10 * step, (t) => t < from || t >= to, [], { at: 20 * MIN, by: 2 * 60 * MIN });
    expect({ pages: failing.pages.length, recoveries: failing.recoveries.length }).toEqual({ pages: 1, recoveries: 1 });
  });
});

/**
 * The paging bar is N failed of the last M probes (3 of 5 by default), counted in probe results.
 * An outage that reaches it pages, even when it is over before the 30 s group window ends (at
 * 1–2 s probes it is): the notification goes out as it recovers, then the recovery notice. One
 * probe short of the bar pages at no interval.
 */
describe('an outage at the paging bar pages at every interval, one probe short of it at none', () => {
  const failed = (from: number, count: number): Script => (_t, n) => n < from || n >= from + count;
  it.each(combos)('engine $e s, probe $p s', ({ e, p }) => {
    const step = Math.max(e, p) * 1000;
    const end = 20 * step + 2 * MIN;
    const atBar = simulate(e, p, end, failed(6, DEFAULT_THRESHOLDS.probeFailuresN));
    expect({ pages: atBar.pages.length, recoveries: atBar.recoveries.length }).toEqual({ pages: 1, recoveries: 1 });
    expect(atBar.pages[0]!.at).toBeLessThanOrEqual(atBar.recoveries[0]!.at);
    // Paged while failing, or (inside the group window) as it recovers: either way what it measured.
    expect(atBar.pages[0]!.title).toMatch(/^gpu-box: (failing: 500 in 3 ms; 3 of the last 5 probes failed|3 of the last 5 probes failed; last: 200 in 4 ms)$/);
    const short = simulate(e, p, end, failed(6, DEFAULT_THRESHOLDS.probeFailuresN - 1));
    expect({ incidents: short.incidents, pages: short.pages.length, recoveries: short.recoveries.length }).toEqual({ incidents: 0, pages: 0, recoveries: 0 });
  });

  it('engine 1 s, probe 1 s: three failed probes, over in 6 s, inside the group window: notified, then recovered, in that order', () => {
    const out = simulate(1, 1, 2 * MIN, failed(10, 3));
    expect(out.pages).toHaveLength(1);
    expect(out.recoveries).toHaveLength(1);
    expect(out.recoveries[0]!.at - out.pages[0]!.at).toBeGreaterThanOrEqual(0);
    // Before the fix the incident closed inside its group window and sent neither.
    expect(out.pages[0]!.at - T0).toBeLessThan(10_000 + 30_000);
  });
});

/**
 * A memory finding is judged afresh from every sample. Its pending and recovery are counted in
 * stretches of CAUSE_OBSERVATION_SECONDS, not in cycles: before, 2 samples of pressure at a 1 s
 * cycle (2 s of it) opened an incident, while at 60 s a spike that short is seen once at most.
 */
describe('memory pressure confirms over seconds, not samples, at every engine interval', () => {
  const pressure: Finding = { key: 'memory:pressure', severity: 'crit', title: 'Memory pressure critical', evidence: [], since: 0, causes: [], actions: [], subject: { kind: 'memory', id: 'host' } };
  /** Pressure from `from` for `forMs`, sampled every `engineS`; what opened and when it closed. */
  const run = (engineS: number, forMs: number) => {
    const policy = new AlertPolicy(DEFAULT_NOTIFICATIONS, null, { intervalSeconds: engineS, localMinutes: () => 12 * 60 });
    const from = 10 * MIN;
    let opened: number | null = null;
    let closed: number | null = null;
    let pages = 0;
    for (let t = 0; t <= from + forMs + 10 * MIN; t += engineS * 1000) {
      const step = policy.step(t >= from && t < from + forMs ? [pressure] : [], new Map(), T0 + t);
      pages += step.notifications.length;
      const incident = step.incidents.find((i) => i.findingKeys.includes('memory:pressure'));
      if (incident && opened === null) opened = incident.openedAt - T0 - from;
      if (incident?.closedAt && closed === null) closed = incident.closedAt - T0 - from - forMs;
    }
    return { opened, closed, pages };
  };

  it.each(ENGINE)('engine %i s: a spike under 5 s opens nothing; minutes of it open one incident that pages nothing and closes 15 s or 3 cycles after', (e) => {
    expect(run(e, Math.min(4_000, e * 1000))).toEqual({ opened: null, closed: null, pages: 0 });
    const held = run(e, 3 * MIN);
    expect(held.pages).toBe(0);
    expect(held.opened).not.toBeNull();
    // Confirmed after 2 observations of at least 5 s each, cleared after 3.
    expect(held.opened!).toBeGreaterThanOrEqual(Math.max(e, 5) * 1000 * (e >= 5 ? 1 : 2) - e * 1000);
    expect(held.closed!).toBeGreaterThanOrEqual(Math.max(15_000, 3 * e * 1000) - e * 1000);
  });
});
