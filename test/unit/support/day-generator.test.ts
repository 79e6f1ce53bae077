/**
 * The day generator is only worth its properties if its days are what they claim: the same
 * seed gives the same day, an outage fails exactly the probes it says, pids are reused, a
 * sleep is a gap in the samples, and every command output reads back through the real parsers.
 */
import { describe, expect, it } from 'vitest';
import { planDay, probeSchedule, type DayOptions } from '../../support/day-generator.js';
import { DayHost, dayBundle } from '../../support/day-host.js';
import { parsePs, PS_ARGV } from '../../../src/platform/ps.js';
import { parseTopFootprints } from '../../../src/platform/darwin/footprint.js';
import { parseVmStat } from '../../../src/platform/darwin/vmstat.js';
import { parseMeminfo } from '../../../src/platform/linux/meminfo.js';
import { parseSystemctlShow } from '../../../src/platform/linux/systemd.js';
import { parseLaunchctlPrint, parseLaunchctlDomainServices } from '../../../src/platform/darwin/launchctl.js';
import { parseCapture } from '../../../src/platform/capture.js';
import { parseEtime } from '../../../src/platform/etime.js';
import { etime } from '../../support/scripted-facts.js';

const DAY: DayOptions = { seed: 42, intervalSeconds: 10, probeSeconds: 30, minutes: 30, events: ['outage', 'flap', 'crash', 'leak', 'sleep'] };

describe('the day generator', () => {
  it('prints ps etime at the hour and day boundaries as ps does (a process started exactly a day ago is not 0 s old)', () => {
    for (const seconds of [3599, 3600, 3601, 86_399, 86_400, 86_401]) expect(parseEtime(etime(seconds))).toBe(seconds);
    expect(etime(86_400)).toBe('24:00:00');
    expect(etime(3600)).toBe('60:00');
  });

  it('gives the same day for the same seed, and another for another seed; each is a valid capture, format version 2', () => {
    const a = JSON.stringify(dayBundle(planDay(DAY)));
    const parsed = parseCapture(a, 'the generated day');
    expect(parsed.version).toBe(2);
    expect(parsed.cadence).toEqual({ intervalSeconds: 10, probes: { api: { healthSeconds: 30, canarySeconds: null }, llm: { healthSeconds: expect.any(Number), canarySeconds: null } } });
    expect(parsed.host.timeZone).toMatch(/^[A-Z][A-Za-z_]+(\/[A-Za-z_]+)?$/);
    expect(JSON.stringify(dayBundle(planDay(DAY)))).toBe(a);
    expect(JSON.stringify(dayBundle(planDay({ ...DAY, seed: 43 })))).not.toBe(a);
  });

  it.each(['darwin', 'linux'] as const)('%s: an outage fails exactly its probes, a flap every other one, a crash refuses until the restart', (platform) => {
    const plan = planDay({ ...DAY, platform });
    const host = new DayHost(plan);
    const api = plan.services[0]!;
    const times = plan.probeTimes.get(api.name)!;
    expect(times).toEqual(probeSchedule(plan.sampleTimes, api.probeSeconds));
    const failing = (t: number) => !(host.http(api, t).status === 200);
    for (const e of plan.events) {
      if (e.kind === 'outage') expect(times.filter((t) => t >= e.from && t < e.to).filter(failing)).toHaveLength(e.failedProbes);
      if (e.kind === 'flap') {
        const inside = times.filter((t) => t >= e.from && t < e.to);
        expect(inside).toHaveLength(e.probes);
        expect(inside.map(failing)).toEqual(inside.map((_t, i) => i % 2 === 0));
      }
      if (e.kind === 'crash') {
        const llm = plan.services[1]!;
        expect(host.http(llm, e.at + 1).error).toBe('connection refused');
        expect(host.http(llm, e.restartAt + 1).status).toBe(200);
      }
      if (e.kind === 'sleep') expect(plan.sampleTimes.some((t) => t > e.from && t < e.to)).toBe(false);
    }
  });

  it.each(['darwin', 'linux'] as const)('%s: reuses pids, and every output reads back through the real parsers', (platform) => {
    const plan = planDay({ ...DAY, platform });
    const starts = new Map<number, Set<number>>();
    for (const p of plan.processes) starts.set(p.pid, (starts.get(p.pid) ?? new Set()).add(p.startedAt));
    expect([...starts.values()].some((s) => s.size > 1)).toBe(true);
    const host = new DayHost(plan);
    for (const at of [plan.sampleTimes[3]!, plan.sampleTimes.at(-1)!]) {
      const sample = host.sample(at);
      const ps = sample.commands.find((c) => c.argv.join(' ') === PS_ARGV.join(' '))!;
      const parsed = parsePs(ps.stdout, at);
      // darwin's `nobody` (dhcp6d) prints uid -2, as real Macs do; a parser that refuses it skips that line.
      expect(parsed.rows.length + parsed.skipped).toBe(host.alive(at).length);
      expect(parsed.rows.filter((r) => r.uid >= 0).length).toBe(host.alive(at).filter((a) => a.proc.uid >= 0).length);
      for (const c of sample.commands) {
        if (c.argv[0] === 'top') expect(parseTopFootprints(c.stdout).size).toBe(10);
        if (c.argv[0] === 'vm_stat') expect(parseVmStat(c.stdout).pages['Anonymous pages']).toBeGreaterThan(0);
        if (c.argv[0] === 'systemctl') expect(parseSystemctlShow(c.stdout).loadState).toBe('loaded');
        // A job (gui/UID/LABEL) reads as a job; the domain listing (gui/UID, the zero-config owner lookup) as a domain.
        if (c.argv[0] === 'launchctl' && c.argv[2]?.split('/').length === 3) expect(parseLaunchctlPrint(c.stdout).state).toMatch(/running/);
        if (c.argv[0] === 'launchctl' && c.argv[2]?.split('/').length === 2) expect(parseLaunchctlDomainServices(c.stdout).length).toBeGreaterThan(0);
      }
      const meminfo = sample.files.find((f) => f.path === '/proc/meminfo');
      if (meminfo && meminfo.op === 'read') expect(parseMeminfo(meminfo.result.content!).MemAvailable).toBeGreaterThan(0);
    }
  });
});
