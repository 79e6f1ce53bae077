/**
 * Thermal readers: darwin `pmset -g therm` against every real sample (test/fixtures/darwin/real/
 * pmset-therm, each with its .source), Linux sysfs through a fake tree in a temp folder (the same
 * LiveFacts reads it as reads /sys), and a live read of this host that accepts "not measurable here".
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePmsetTherm } from '../../../src/platform/darwin/pmset.js';
import { readLinuxThermal } from '../../../src/platform/linux/thermal.js';
import { readThermal } from '../../../src/platform/thermal.js';
import { thermalCandidate } from '../../../src/engine/differential.js';
import { LiveFacts } from '../../../src/platform/live.js';
import { ScriptedFacts, fail, ok } from '../../support/scripted-facts.js';

const REAL = 'test/fixtures/darwin/real/pmset-therm';
const sample = (n: number) => readFileSync(path.join(REAL, `${n}.txt`), 'utf8');

describe('pmset -g therm, real samples', () => {
  it('every sample has its source and parses', () => {
    const files = readdirSync(REAL).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      expect(existsSync(path.join(REAL, f.replace('.txt', '.source'))), f).toBe(true);
      expect(parsePmsetTherm(readFileSync(path.join(REAL, f), 'utf8')), f).not.toBeNull();
    }
  });

  it('1 (Apple Silicon, M1 Pro, macOS 12.1): only the notes, no limits: not throttled, no warning', () => {
    const view = parsePmsetTherm(sample(1))!;
    expect(view).toMatchObject({ throttled: false, speedLimitPercent: null, schedulerLimitPercent: null, thermalWarning: null, performanceWarning: null });
    expect(view.summary).toBe('no thermal or performance warning recorded');
    expect(thermalCandidate({ ok: true, value: view }, { thermal: { ok: true, value: view }, disk: { ok: false, reason: 'x' }, load: { ok: false, reason: 'x' }, logs: [] })).toEqual({ name: 'thermal', verdict: 'out', text: 'no warning' });
  });

  it('2 (Intel): the notes and a CPU power block at 100 %: not throttled, limits read through tab and space-tab separators', () => {
    const view = parsePmsetTherm(sample(2))!;
    expect(view).toMatchObject({ throttled: false, speedLimitPercent: 100, schedulerLimitPercent: 100, thermalWarning: null });
    expect(view.summary).toBe('no warning, CPU speed limit 100 %');
  });

  it('3 (thermlog at 100 % CPU): the block alone reads the same', () => {
    expect(parsePmsetTherm(sample(3))).toMatchObject({ throttled: false, speedLimitPercent: 100, schedulerLimitPercent: 100 });
  });

  it('a speed limit under 100 is throttling (sample 2 with its limit changed to 70)', () => {
    const view = parsePmsetTherm(sample(2).replace('CPU_Speed_Limit \t= 100', 'CPU_Speed_Limit \t= 70'))!;
    expect(view.throttled).toBe(true);
    expect(view.summary).toBe('CPU speed limited to 70 %');
    expect(thermalCandidate({ ok: true, value: view }, { thermal: { ok: true, value: view }, disk: { ok: false, reason: 'x' }, load: { ok: false, reason: 'x' }, logs: [] })).toEqual({ name: 'thermal', verdict: 'in', text: 'CPU speed limited to 70 %' });
  });

  it('text it does not recognise is null, and the reader says so; a failed pmset is unknown with the command', async () => {
    expect(parsePmsetTherm('')).toBeNull();
    expect(parsePmsetTherm('pmset: unknown option\n')).toBeNull();
    const facts = new ScriptedFacts().on((argv) => (argv.join(' ') === 'pmset -g therm' ? ok(argv, 'something else\n') : null));
    expect(await readThermal(facts, 'darwin')).toEqual({ ok: false, reason: 'pmset -g therm printed nothing Warden recognises ("something else")' });
    const failing = new ScriptedFacts().on((argv) => fail(argv, 1, 'pmset: error\n'));
    expect(await readThermal(failing, 'darwin')).toEqual({ ok: false, reason: 'pmset -g therm: exit 1: pmset: error' });
  });
});

describe('Linux sysfs, a fake tree through an injected root', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'warden-sysfs-'));
    roots.push(root);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), content);
    }
    return root;
  }

  const zone = (n: number, type: string, milli: number, trips: Array<[string, number]>) =>
    Object.fromEntries([
      [`sys/class/thermal/thermal_zone${n}/type`, `${type}\n`],
      [`sys/class/thermal/thermal_zone${n}/temp`, `${milli}\n`],
      ...trips.flatMap(([t, c], i) => [
        [`sys/class/thermal/thermal_zone${n}/trip_point_${i}_type`, `${t}\n`],
        [`sys/class/thermal/thermal_zone${n}/trip_point_${i}_temp`, `${c}\n`],
      ]),
    ]);
  const freq = (cpu: number, cur: number, max: number) => ({
    [`sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_cur_freq`]: `${cur}\n`,
    [`sys/devices/system/cpu/cpu${cpu}/cpufreq/cpuinfo_max_freq`]: `${max}\n`,
  });

  it('a calm laptop: zones under their trip points, cpufreq under max is scaling, not throttling', async () => {
    const root = tree({ ...zone(0, 'acpitz', 27800, [['critical', 119000]]), ...zone(1, 'x86_pkg_temp', 54000, [['passive', 100000]]), ...freq(0, 1_200_000, 3_600_000), ...freq(1, 2_400_000, 3_600_000) });
    const part = await readLinuxThermal(new LiveFacts(), { root });
    expect(part.ok).toBe(true);
    if (!part.ok) return;
    expect(part.value.throttled).toBe(false);
    expect(part.value.zones).toEqual([
      { type: 'acpitz', celsius: 27.8, tripCelsius: 119 },
      { type: 'x86_pkg_temp', celsius: 54, tripCelsius: 100 },
    ]);
    expect(part.value.cpuFreq).toEqual({ currentKHz: 1_800_000, maxKHz: 3_600_000 });
    expect(part.value.summary).toBe('hottest zone x86_pkg_temp 54 °C (trip 100 °C), CPU at 1.80 of 3.60 GHz');
  });

  it('a zone at its passive trip point is throttling, named with both temperatures', async () => {
    const root = tree({ ...zone(0, 'x86_pkg_temp', 100000, [['hot', 105000], ['passive', 100000], ['active', 60000]]) });
    const part = await readLinuxThermal(new LiveFacts(), { root });
    expect(part).toMatchObject({ ok: true, value: { throttled: true, summary: 'x86_pkg_temp 100 °C at or past its 100 °C trip point' } });
  });

  it('no zones and no cpufreq (a VM or container) is unknown with the reason, not "no throttling"', async () => {
    const empty = tree({ 'sys/class/thermal/.keep': '' });
    expect(await readLinuxThermal(new LiveFacts(), { root: empty })).toEqual({
      ok: false,
      reason: 'no thermal zone reports a temperature and no cpufreq (a VM or container has neither): throttling not measurable here',
    });
    const none = tree({ 'etc/.keep': '' });
    const part = await readLinuxThermal(new LiveFacts(), { root: none });
    expect(part).toEqual({ ok: false, reason: `${none}/sys/class/thermal does not exist and no cpufreq (a VM or container has neither): throttling not measurable here` });
  });

  it('this host, live: read, or unknown with a reason', async () => {
    const part = await readThermal(new LiveFacts(), 'linux');
    if (part.ok) {
      expect(part.value.source).toBe('/sys/class/thermal');
      expect(typeof part.value.throttled).toBe('boolean');
      for (const z of part.value.zones) expect(z.celsius).toBeGreaterThan(-50);
    } else {
      expect(part.reason).toMatch(/throttling not measurable here/);
    }
  });
});
