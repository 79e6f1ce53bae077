import type { ThermalView } from '../../common/senses.js';
import { known, unknownPart, type Part } from '../../common/result.js';
import type { Facts } from '../facts.js';

/** Trip points past which the kernel itself throttles or shuts down (`passive` is where cooling by slowing starts). */
const THROTTLE_TRIPS = new Set(['passive', 'hot', 'critical']);
/** The cores whose frequency is read: enough for a mean, bounded on a 256-core box. */
const MAX_CORES = 64;

export interface LinuxThermalRoots {
  /** Default "/": a test points it at a fake sysfs tree. */
  root?: string;
}

/** A zone's temperature and its lowest throttling trip point, in °C (sysfs gives millidegrees). */
export function parseZone(type: string, temp: string, trips: Array<{ type: string; temp: string }>): { type: string; celsius: number; tripCelsius: number | null } | null {
  const milli = Number(temp.trim());
  if (!Number.isFinite(milli) || temp.trim() === '') return null;
  const tripValues = trips
    .filter((t) => THROTTLE_TRIPS.has(t.type.trim()))
    .map((t) => Number(t.temp.trim()) / 1000)
    .filter((c) => Number.isFinite(c) && c > 0);
  return { type: type.trim() || 'zone', celsius: milli / 1000, tripCelsius: tripValues.length > 0 ? Math.min(...tripValues) : null };
}

/** Judges zones and cpufreq: a zone at or past its trip point is throttling; cpufreq under max alone is not (that is frequency scaling). */
export function judgeLinuxThermal(zones: ThermalView['zones'], cpuFreq: ThermalView['cpuFreq']): ThermalView {
  const hot = zones.filter((z) => z.tripCelsius !== null && z.celsius >= z.tripCelsius);
  const hottest = [...zones].sort((a, b) => b.celsius - a.celsius)[0];
  const freq = cpuFreq ? `, CPU at ${(cpuFreq.currentKHz / 1e6).toFixed(2)} of ${(cpuFreq.maxKHz / 1e6).toFixed(2)} GHz` : '';
  let summary: string;
  if (hot.length > 0) summary = hot.map((z) => `${z.type} ${z.celsius.toFixed(0)} °C at or past its ${z.tripCelsius!.toFixed(0)} °C trip point`).join(', ');
  else if (hottest) summary = `hottest zone ${hottest.type} ${hottest.celsius.toFixed(0)} °C${hottest.tripCelsius !== null ? ` (trip ${hottest.tripCelsius.toFixed(0)} °C)` : ''}${freq}`;
  else summary = `no thermal zones${freq}`;
  return { source: '/sys/class/thermal', throttled: hot.length > 0, summary, speedLimitPercent: null, schedulerLimitPercent: null, thermalWarning: null, performanceWarning: null, zones, cpuFreq, throttledSince: null, appState: null };
}

/** The zones and cores found, with what does not change (type, trip points, max frequency): only the temperatures and current frequencies are read again. */
interface ThermalLayout {
  zones: Array<{ name: string; type: string | null; trips: Array<{ type: string; temp: string }> }>;
  cpus: Array<{ cur: string; max: string }>;
  /** Why there is nothing to read, for the unknown: the listing's error or absence. */
  why: string;
  thermalDir: string;
}

/** How long a layout stands before the directories are listed again (zones and cores do not come and go on a running host). */
export const THERMAL_LAYOUT_MS = 300_000;

async function readLayout(facts: Facts, root: string): Promise<ThermalLayout> {
  const thermalDir = `${root}/sys/class/thermal`;
  const list = await facts.listDir(thermalDir);
  const zoneNames = (list.entries ?? []).filter((e) => /^thermal_zone\d+$/.test(e));
  const zones: ThermalLayout['zones'] = await Promise.all(
    zoneNames.map(async (name) => {
      const dir = `${thermalDir}/${name}`;
      const [type, entries] = await Promise.all([facts.readFile(`${dir}/type`), facts.listDir(dir)]);
      const tripIds = (entries.entries ?? []).map((e) => /^trip_point_(\d+)_type$/.exec(e)?.[1]).filter((id): id is string => id !== undefined);
      const trips = await Promise.all(
        tripIds.map(async (id) => {
          const [t, c] = await Promise.all([facts.readFile(`${dir}/trip_point_${id}_type`), facts.readFile(`${dir}/trip_point_${id}_temp`)]);
          return { type: t.content ?? '', temp: c.content ?? '' };
        }),
      );
      return { name, type: type.content, trips };
    }),
  );
  const cpuDir = `${root}/sys/devices/system/cpu`;
  const cpuNames = ((await facts.listDir(cpuDir)).entries ?? []).filter((e) => /^cpu\d+$/.test(e)).slice(0, MAX_CORES);
  const cpus = (
    await Promise.all(
      cpuNames.map(async (cpu) => {
        const max = await facts.readFile(`${cpuDir}/${cpu}/cpufreq/cpuinfo_max_freq`);
        return max.content && Number(max.content.trim()) > 0 ? { cur: `${cpuDir}/${cpu}/cpufreq/scaling_cur_freq`, max: max.content } : null;
      }),
    )
  ).filter((c): c is { cur: string; max: string } => c !== null);
  const why = list.error ?? (list.exists ? 'no thermal zone reports a temperature' : `${thermalDir} does not exist`);
  return { zones, cpus, why, thermalDir };
}

async function readWithLayout(facts: Facts, layout: ThermalLayout): Promise<Part<ThermalView>> {
  const zones: ThermalView['zones'] = [];
  const temps = await Promise.all(layout.zones.map((z) => facts.readFile(`${layout.thermalDir}/${z.name}/temp`)));
  layout.zones.forEach((z, i) => {
    const temp = temps[i]!.content;
    if (!temp) return;
    const zone = parseZone(z.type ?? z.name, temp, z.trips);
    if (zone) zones.push(zone);
  });
  const freqs = await Promise.all(
    layout.cpus.map(async (cpu) => {
      const cur = await facts.readFile(cpu.cur);
      const c = Number(cur.content?.trim());
      const m = Number(cpu.max.trim());
      return cur.content && c > 0 && m > 0 ? { c, m } : null;
    }),
  );
  const read = freqs.filter((f): f is { c: number; m: number } => f !== null);
  const cpuFreq = read.length > 0 ? { currentKHz: read.reduce((s, f) => s + f.c, 0) / read.length, maxKHz: read.reduce((s, f) => s + f.m, 0) / read.length } : null;
  if (zones.length === 0 && !cpuFreq) return unknownPart(`${layout.why} and no cpufreq (a VM or container has neither): throttling not measurable here`);
  return known(judgeLinuxThermal(zones, cpuFreq));
}

/**
 * /sys/class/thermal/thermal_zone* /{type,temp,trip_point_*} and the cores' cpufreq. Containers
 * and VMs often have neither: that is unknown with the reason, not "no throttling".
 */
export async function readLinuxThermal(facts: Facts, options: LinuxThermalRoots = {}): Promise<Part<ThermalView>> {
  return readWithLayout(facts, await readLayout(facts, (options.root ?? '/').replace(/\/$/, '')));
}

/**
 * readLinuxThermal across cycles: the directories are listed, and the types, trip points and
 * maximum frequencies read, once per THERMAL_LAYOUT_MS (or again when a temperature or
 * frequency read finds nothing); each cycle reads the temperatures and current frequencies
 * alone. A host with neither (a VM, a container) reads nothing until the layout is due.
 */
export class LinuxThermalReader {
  private layout: { at: number; value: ThermalLayout } | null = null;

  constructor(private readonly options: LinuxThermalRoots = {}) {}

  async read(facts: Facts, now: number): Promise<Part<ThermalView>> {
    const last = this.layout;
    const fresh = last !== null && now >= last.at && now - last.at < THERMAL_LAYOUT_MS;
    if (!fresh) return this.relist(facts, now);
    const part = await readWithLayout(facts, last.value);
    const complete = part.ok && part.value.zones.length === last.value.zones.length && (last.value.cpus.length === 0 || part.value.cpuFreq !== null);
    // Something listed is not there now (a zone or core gone): list again at once.
    if (!complete && (last.value.zones.length > 0 || last.value.cpus.length > 0)) return this.relist(facts, now);
    return part;
  }

  private async relist(facts: Facts, now: number): Promise<Part<ThermalView>> {
    const layout = await readLayout(facts, (this.options.root ?? '/').replace(/\/$/, ''));
    this.layout = { at: now, value: layout };
    return readWithLayout(facts, layout);
  }
}
