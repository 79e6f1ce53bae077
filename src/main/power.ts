/**
 * Sleep and wake from the OS (Electron's powerMonitor) into the engine's wake grace: the probe
 * samples right after wake (Wi-Fi, DNS and swapped-out servers still waking) do not count.
 */

/** The part of Electron's powerMonitor this module uses. */
export interface PowerMonitorLike {
  on(event: 'suspend' | 'resume', listener: () => void): unknown;
}

export interface SleepAware {
  hostSuspended(): void;
  hostResumed(): void;
}

export function followPower(monitor: PowerMonitorLike, engine: SleepAware, log: (line: string) => void): void {
  monitor.on('suspend', () => {
    log('host going to sleep');
    engine.hostSuspended();
  });
  monitor.on('resume', () => {
    log('host woke: probe failures in the wake grace do not count');
    engine.hostResumed();
  });
}
