import type { ServiceConfig } from '../common/config.js';
import type { AppThermalState, DiskView, LoadView, SensesView, ThermalView } from '../common/senses.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import type { Facts } from '../platform/facts.js';
import { ThermalReader } from '../platform/thermal.js';
import { modelFolders, VolumeReader, type VolumePath } from '../platform/disk.js';
import { LogTail, resolveLog } from './log-tail.js';

export interface SenseSettings {
  platform: string;
  home: string;
  services: readonly ServiceConfig[];
  modelFolders: readonly string[];
  /** Warden's data folder; null: none (a replay, a one-shot status). */
  dataDir: string | null;
}

const APP_THROTTLED: ReadonlySet<AppThermalState> = new Set(['serious', 'critical']);

/** The app's thermal state joins the command's reading; alone (pmset unread) it is the reading. */
export function withAppState(read: Part<ThermalView>, appState: AppThermalState | null): Part<ThermalView> {
  if (appState === null || appState === 'unknown') return read.ok ? known({ ...read.value, appState }) : read;
  const hot = APP_THROTTLED.has(appState);
  const said = `macOS thermal state ${appState}`;
  if (read.ok) {
    const v = read.value;
    if (!hot) return known({ ...v, appState });
    return known({ ...v, appState, throttled: true, summary: v.throttled ? `${v.summary}, ${said}` : said });
  }
  return known({ source: 'powerMonitor', throttled: hot, summary: said, speedLimitPercent: null, schedulerLimitPercent: null, thermalWarning: null, performanceWarning: null, zones: [], cpuFreq: null, throttledSince: null, appState });
}

export async function readLoad(facts: Facts): Promise<Part<LoadView>> {
  try {
    const load = await facts.loadAverage();
    if (load.error) return unknownPart(load.error);
    return known({ loadavg: load.loadavg, cores: load.cores });
  } catch (error) {
    return unknownPart(errorText(error));
  }
}

/**
 * The candidate causes besides memory: thermal throttling, free space on the volumes that
 * matter, the load average, and the numbers each service prints in its own log.
 */
export class SenseMonitor {
  private settings: SenseSettings | null = null;
  private tails = new Map<string, LogTail>();
  private throttledSince: number | null = null;
  private appState: AppThermalState | null = null;
  private readonly thermal = new ThermalReader();
  private readonly volumes = new VolumeReader();

  /** The app's powerMonitor thermal state, fed by its events; "serious" and "critical" are throttling. */
  setAppThermalState(state: AppThermalState | null): void {
    this.appState = state;
  }

  configure(settings: SenseSettings): void {
    this.settings = settings;
    const next = new Map<string, LogTail>();
    for (const service of settings.services) {
      for (const log of service.logs ?? []) {
        const key = JSON.stringify([service.name, log]);
        // A tail survives a config reload that kept it: its offset and values stay.
        next.set(key, this.tails.get(key) ?? new LogTail(resolveLog(service.name, log)));
      }
    }
    this.tails = next;
  }

  async poll(facts: Facts, now: number): Promise<SensesView> {
    const s = this.settings;
    if (!s) throw new Error('SenseMonitor: configure() was not called');
    const [pmset, disk, load] = await Promise.all([this.thermal.read(facts, s.platform, now), this.readDisk(facts, s, now), readLoad(facts)]);
    const read = withAppState(pmset, this.appState);
    // A run of throttled reads: an unread cycle does not end it, a calm read does.
    if (read.ok) this.throttledSince = read.value.throttled ? (this.throttledSince ?? now) : null;
    const thermal = read.ok ? known({ ...read.value, throttledSince: this.throttledSince }) : read;
    await Promise.all([...this.tails.values()].map((tail) => tail.poll(facts, now)));
    return { thermal, disk, load, logs: [...this.tails.values()].map((tail) => tail.view()) };
  }

  /** Every read is caught: a capture made before Warden read these facts replays them as unknown. */
  private async readDisk(facts: Facts, s: SenseSettings, now: number): Promise<Part<DiskView>> {
    try {
      const paths: VolumePath[] = [
        ...(await this.volumes.swapPaths(facts, s.platform, now)).map((path) => ({ path, role: 'swap' as const })),
        ...modelFolders(s.home, s.modelFolders).map((path) => ({ path, role: 'models' as const })),
        ...(s.dataDir ? [{ path: s.dataDir, role: 'data' as const }] : []),
      ];
      return await this.volumes.read(facts, paths, now);
    } catch (error) {
      return unknownPart(errorText(error));
    }
  }
}
