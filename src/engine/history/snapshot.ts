import { parseAlertSnapshot, type AlertSnapshot } from '../alerts.js';
import type { DataFolder } from './folder.js';

/** The alert policy's snapshot in alerts-state.json, replaced whole on each save. */

const ALERTS = 'alerts-state.json';

export class AlertSnapshotFile {
  constructor(private readonly folder: DataFolder) {}

  /**
   * `durable: false` when only the snapshot's clock fields moved: replaced by rename as always,
   * but not fsynced, since losing it to a power cut loses a minute of "last seen" and nothing the
   * policy holds.
   */
  saveAlertSnapshot(snapshot: AlertSnapshot, options: { durable?: boolean } = {}): Promise<void> {
    if (this.folder.readOnly) return Promise.resolve();
    return this.folder.serial(() => this.folder.writeAtomic(ALERTS, JSON.stringify(snapshot), options.durable !== false));
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
