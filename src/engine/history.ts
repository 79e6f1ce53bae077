import type { MemorySample, MemoryView } from '../common/memory.js';
import type { AlertSnapshot } from './alerts.js';
import type { IncidentEvent } from './incident-event.js';
import { DataFolder } from './history/folder.js';
import { IncidentJournal, type IncidentReading } from './history/journal.js';
import { MemorySeriesFile, type MemorySeries } from './history/series.js';
import { AlertSnapshotFile } from './history/snapshot.js';

/**
 * Warden's memory across restarts, in one data folder (history/folder.ts), three stores:
 * - the journal (history/journal.ts): incidents.jsonl, append-only events, rotated;
 * - the series (history/series.ts): series.json, host memory, the last hour per sample and 24 h per minute;
 * - the snapshot (history/snapshot.ts): alerts-state.json, the alert policy's snapshot.
 * History is never fatal: a folder that cannot be written makes the store `available: false`
 * with the reason, keeps events in memory, and writes them once it can.
 */

export type { DeliveryRecord, IncidentEvent, IncidentEventType } from './incident-event.js';
export { actionEvent, type IncidentReading, type IncidentRecord } from './history/journal.js';
export type { MemoryBucket, MemoryPoint, MemorySeries } from './history/series.js';

export interface HistoryOptions {
  /** incidents.jsonl rotates before it would pass this size. */
  maxBytes?: number;
  /** Rotated files kept beside the current one. */
  keep?: number;
  /** Events held in memory while the folder cannot be written; the oldest go first beyond this. */
  maxPending?: number;
  /** An engine's store: take the folder's writer lock, or run read-only when another engine holds it. */
  writer?: boolean;
}

export class HistoryStore {
  private readonly folder: DataFolder;
  private readonly journal: IncidentJournal;
  private readonly series: MemorySeriesFile;
  private readonly snapshot: AlertSnapshotFile;

  private constructor(readonly dir: string, options: HistoryOptions) {
    const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.folder = new DataFolder(dir, maxBytes);
    this.journal = new IncidentJournal(this.folder, { maxBytes, keep: Math.max(0, options.keep ?? 3), maxPending: Math.max(1, options.maxPending ?? 5000) });
    this.series = new MemorySeriesFile(this.folder);
    this.snapshot = new AlertSnapshotFile(this.folder);
  }

  /** Opens (creating) the folder and loads what is there. Never throws. */
  static async open(dir: string, options: HistoryOptions = {}): Promise<HistoryStore> {
    const store = new HistoryStore(dir, options);
    if (await store.folder.create()) {
      await store.journal.load();
      await store.series.load();
    }
    if (options.writer && store.folder.writable) await store.folder.lock();
    return store;
  }

  /** What opening found wrong (torn lines, unreadable series); never fatal. */
  get openProblems(): string[] {
    return this.folder.openProblems;
  }

  /** Gives the writer lock back (the engine stops). */
  close(): Promise<void> {
    return this.folder.close();
  }

  /** Another engine writes this folder; this one only reads it. */
  get readOnly(): boolean {
    return this.folder.readOnly;
  }

  get available(): boolean {
    return !this.folder.readOnly && this.folder.writable && this.journal.unreadableFiles.length === 0;
  }

  get reason(): string | null {
    const other = this.folder.otherWriterReason;
    if (other) return other;
    const unreadable = this.journal.unreadableFiles;
    const unread = unreadable.length > 0 ? `cannot read ${unreadable.join('; ')}: incidents in it are not shown` : null;
    return [this.folder.writeProblem, unread].filter((r) => r !== null).join('; ') || null;
  }

  /** Events waiting in memory for the folder to become writable. */
  get pendingCount(): number {
    return this.journal.pendingCount;
  }

  // ---------------------------------------------------------------- incident journal

  /** Appends events not written before; while the folder cannot be written they wait in memory. */
  append(events: IncidentEvent[]): Promise<void> {
    return this.journal.append(events);
  }

  /** Retries writing what waits in memory. */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  /** Every incident on disk and in memory, events folded in order, repeats dropped by id. */
  readIncidents(): Promise<IncidentReading> {
    return this.journal.readIncidents();
  }

  /** Closes the incidents the journal holds open that the resumed policy does not (see IncidentJournal). */
  closeForgotten(stillOpen: ReadonlySet<string>, at: number): Promise<string[]> {
    return this.journal.closeForgotten(stillOpen, at);
  }

  // ---------------------------------------------------------------- memory series

  addMemorySample(sample: MemorySample | MemoryView): void {
    this.series.addMemorySample(sample);
  }

  memorySeries(): MemorySeries {
    return this.series.memorySeries();
  }

  saveSeries(): Promise<void> {
    return this.series.saveSeries();
  }

  // ---------------------------------------------------------------- alert snapshot

  saveAlertSnapshot(snapshot: AlertSnapshot): Promise<void> {
    return this.snapshot.saveAlertSnapshot(snapshot);
  }

  /** The saved snapshot, or null (none, unreadable, or from another version: start fresh). */
  loadAlertSnapshot(): Promise<AlertSnapshot | null> {
    return this.snapshot.loadAlertSnapshot();
  }

  // ---------------------------------------------------------------- other documents

  /** A small JSON document of another part (the channels' outbox) kept in the folder, written atomically. */
  saveDocument(name: string, value: unknown): Promise<void> {
    return this.folder.serial(() => this.folder.writeAtomic(name, JSON.stringify(value)));
  }

  /** The document, or undefined when absent or unreadable (noted in openProblems). */
  loadDocument(name: string): Promise<unknown> {
    return this.folder.serial(() => this.folder.readJson(name));
  }
}
