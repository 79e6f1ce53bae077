import type { AppThermalState } from '../common/senses.js';

/** The part of Electron's powerMonitor this needs (macOS: getCurrentThermalState and its change event). */
export interface ThermalMonitorSurface {
  getCurrentThermalState?: () => string;
  on(event: 'thermal-state-change', listener: (details: { state: string }) => void): unknown;
}

const STATES: ReadonlySet<string> = new Set(['unknown', 'nominal', 'fair', 'serious', 'critical']);
const asState = (s: string | undefined): AppThermalState | null => (s !== undefined && STATES.has(s) ? (s as AppThermalState) : null);

/** Feeds the app's thermal state into the engine's thermal sense: now, and at each change. */
export function watchThermalState(monitor: ThermalMonitorSurface, engine: { setAppThermalState(state: AppThermalState | null): void }, log: (line: string) => void): void {
  try {
    engine.setAppThermalState(asState(monitor.getCurrentThermalState?.()));
    monitor.on('thermal-state-change', (details) => engine.setAppThermalState(asState(details?.state)));
  } catch (error) {
    log(`thermal state not watched: ${String(error)}`);
  }
}
