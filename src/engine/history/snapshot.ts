import { parseAlertSnapshot, type AlertSnapshot } from '../alerts.js';
import type { DataFolder } from './folder.js';

/** The alert policy's snapshot in alerts-state.json, replaced whole on each save. */

const ALERTS = 'alerts-state.json';

export class AlertSnapshotFile {
  constructor(private readonly folder: DataFolder) {}

  saveAlertSnapshot(snapshot: AlertSnapshot): Promise<void> {
    if (this.folder.readOnly) return Promise.resolve();
    return this.folder.serial(() => this.folder.writeAtomic(ALERTS, JSON.stringify(snapshot)));
  }

  /** The saved snapshot, or null (none, unreadable, or from another version: start fresh). */
  loadAlertSnapshot(): Promise<AlertSnapshot | null> {
    return this.folder.serial(async () => {
      const value = await this.folder.readJson(ALERTS);
      if (value === undefined) return null;
      const snapshot = parseAlertSnapshot(value);
      if (!snapshot) this.folder.openProblems.push(`${ALERTS}: not a snapshot this version can resume; starting fresh`);
      return snapshot;
    });
  }
}
