import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Diagnosis, Notification } from '../../common/findings.js';
import type { ActionResult } from '../../common/services.js';
import type { Severity } from '../../common/severity.js';
import { readFileBounded } from '../../platform/read-file.js';
import type { DeliveryRecord, IncidentEvent } from '../incident-event.js';
import { errno, makeDir, type DataFolder } from './folder.js';

/**
 * The incident journal: incidents.jsonl, append-only events, rotated to incidents.1.jsonl …
 * incidents.<keep>.jsonl. Events the folder cannot take wait in memory and are written once it can.
 */

export interface IncidentRecord {
  id: string;
  openedAt: number | null;
  closedAt: number | null;
  severity: Severity | null;
  title: string | null;
  findingKeys: string[];
  diagnosis: Diagnosis | null;
  notifications: Notification[];
  actions: ActionResult[];
  /** Notices delivered to channels, or given up on. */
  deliveries: DeliveryRecord[];
  events: number;
  /** The title and cause when it paged (its first notification); title and diagnosis are the latest. */
  pagedTitle: string | null;
  pagedCause: string | null;
}

export interface IncidentReading {
  incidents: IncidentRecord[];
  /** Lines that could not be read (torn by a crash, or not an event). */
  skipped: number;
  problems: string[];
  /** Files not read at all (too big, not a regular file, no answer): the incidents shown are not all there are. */
  unreadable: string[];
}

export interface JournalOptions {
  /** incidents.jsonl rotates before it would pass this size. */
  maxBytes: number;
  /** Rotated files kept beside the current one. */
  keep: number;
  /** Events held in memory while the folder cannot be written; the oldest go first beyond this. */
  maxPending: number;
}

export function actionEvent(incidentId: string, result: ActionResult): IncidentEvent {
  return { id: `${incidentId}/action/${result.id}@${result.startedAt}`, incidentId, type: 'action', at: result.finishedAt, action: result };
}

const INCIDENTS = 'incidents.jsonl';

function isEvent(value: unknown): value is IncidentEvent {
  const e = value as Partial<IncidentEvent> | null;
  return (
    typeof e === 'object' && e !== null &&
    typeof e.id === 'string' && typeof e.incidentId === 'string' && typeof e.at === 'number' &&
    (e.type === 'open' || e.type === 'update' || e.type === 'notify' || e.type === 'action' || e.type === 'close' || e.type === 'delivery')
  );
}

interface ParsedFile {
  events: IncidentEvent[];
  skipped: number;
  problems: string[];
  endsWithNewline: boolean;
}

function parseLines(name: string, text: string): ParsedFile {
  const out: ParsedFile = { events: [], skipped: 0, problems: [], endsWithNewline: text.length === 0 || text.endsWith('\n') };
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const last = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.skipped += 1;
      out.problems.push(last ? `${name} line ${index + 1}: torn (cut off mid-write, probably a crash); skipped` : `${name} line ${index + 1}: not JSON; skipped`);
      return;
    }
    if (!isEvent(value)) {
      out.skipped += 1;
      out.problems.push(`${name} line ${index + 1}: not an incident event; skipped`);
      return;
    }
    out.events.push(value);
  });
  return out;
}

export class IncidentJournal {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly maxPending: number;
  private seen = new Set<string>();
  private pending: IncidentEvent[] = [];
  private dropped = 0;
  private size = 0;
  private needsNewline = false;
  /** History files that could not be read at the last scan: the history shown is not the whole of it. */
  private unreadable: string[] = [];

  constructor(private readonly folder: DataFolder, options: JournalOptions) {
    this.maxBytes = options.maxBytes;
    this.keep = options.keep;
    this.maxPending = options.maxPending;
    folder.backlog = () => ({ pending: this.pending.length, dropped: this.dropped });
  }

  /** Files that could not be read at the last scan, each with its reason. */
  get unreadableFiles(): readonly string[] {
    return this.unreadable;
  }

  /** Events waiting in memory for the folder to become writable. */
  get pendingCount(): number {
    return this.pending.length;
  }

  private rotated(n: number): string {
    return this.folder.file(n === 0 ? INCIDENTS : `incidents.${n}.jsonl`);
  }

  /** Reads what is on disk: the ids written, where the current file ends. */
  async load(): Promise<void> {
    const scan = await this.scan();
    this.unreadable = scan.unreadable;
    this.folder.openProblems.push(...scan.problems, ...scan.unreadable);
    for (const e of scan.events) this.seen.add(e.id);
    this.needsNewline = !scan.currentEndsWithNewline;
    this.size = scan.currentSize;
  }

  /** Reads every incidents file, oldest first. Files that are not regular files are not read. */
  private async scan(): Promise<{ events: IncidentEvent[]; skipped: number; problems: string[]; unreadable: string[]; currentSize: number; currentEndsWithNewline: boolean }> {
    const out = { events: [] as IncidentEvent[], skipped: 0, problems: [] as string[], unreadable: [] as string[], currentSize: 0, currentEndsWithNewline: true };
    for (let n = this.keep; n >= 0; n -= 1) {
      const file = this.rotated(n);
      const name = path.basename(file);
      // Bounded: a FIFO, a 1 GB file or a hung disk is a reason shown in the State, never a hang or "No incidents".
      const read = await readFileBounded(file, { maxBytes: this.folder.maxReadBytes, refuseOver: this.folder.maxReadBytes });
      if (read.content === null) {
        // Not there (or its folder is not: ENOTDIR) is no history; not a regular file (a device
        // put there on purpose, a FIFO) is noted, as before; one that is there and cannot be
        // read (too big, EACCES, EIO, no answer) means the history shown is not all of it.
        if (read.code === 'ENOTREG') out.problems.push(`${name}: not a regular file; not read`);
        else if (read.code !== 'ENOENT' && read.code !== 'ENOTDIR') out.unreadable.push(`${name} ${read.error ?? 'could not be read'}`);
        continue;
      }
      const text = read.content;
      const parsed = parseLines(name, text);
      out.events.push(...parsed.events);
      out.skipped += parsed.skipped;
      out.problems.push(...parsed.problems);
      if (n === 0) {
        out.currentSize = Buffer.byteLength(text);
        out.currentEndsWithNewline = parsed.endsWithNewline;
      }
    }
    return out;
  }

  /** Appends events not written before; while the folder cannot be written they wait in memory. */
  append(events: IncidentEvent[]): Promise<void> {
    if (this.folder.readOnly) return Promise.resolve();
    return this.folder.serial(async () => {
      const waiting = new Set(this.pending.map((e) => e.id));
      for (const e of events) {
        if (this.seen.has(e.id) || waiting.has(e.id)) continue;
        waiting.add(e.id);
        this.pending.push(e);
      }
      if (this.pending.length > this.maxPending) {
        this.dropped += this.pending.length - this.maxPending;
        this.pending = this.pending.slice(-this.maxPending);
      }
      await this.flushNow();
    });
  }

  /** Retries writing what waits in memory. */
  flush(): Promise<void> {
    if (this.folder.readOnly) return Promise.resolve();
    return this.folder.serial(() => this.flushNow());
  }

  private async flushNow(): Promise<void> {
    if (this.pending.length === 0) return;
    try {
      await makeDir(this.folder.dir);
      const body = this.pending.map((e) => JSON.stringify(e)).join('\n') + '\n';
      if (this.size > 0 && this.size + Buffer.byteLength(body) > this.maxBytes) await this.rotate();
      // A torn last line from a crash must not swallow the first new event.
      const text = (this.needsNewline ? '\n' : '') + body;
      await fs.appendFile(this.folder.file(INCIDENTS), text);
      this.size += Buffer.byteLength(text);
      this.needsNewline = false;
      for (const e of this.pending) this.seen.add(e.id);
      this.pending = [];
      this.dropped = 0;
      this.folder.ok();
    } catch (error) {
      // Part of the text may have landed: start the retry on a fresh line; readers drop repeats by id.
      this.needsNewline = true;
      this.folder.fail(`write ${this.folder.file(INCIDENTS)}`, error);
    }
  }

  private async rotate(): Promise<void> {
    if (this.keep === 0) {
      await fs.rm(this.rotated(0), { force: true });
    } else {
      for (let n = this.keep - 1; n >= 0; n -= 1) {
        try {
          await fs.rename(this.rotated(n), this.rotated(n + 1));
        } catch (error) {
          if (errno(error) !== 'ENOENT') throw error;
        }
      }
    }
    this.size = 0;
    this.needsNewline = false;
    // Ids of the file that fell off the end are gone for good; keep the set to what exists.
    const scan = await this.scan();
    this.seen = new Set(scan.events.map((e) => e.id));
  }

  /** Every incident on disk and in memory, events folded in order, repeats dropped by id. */
  readIncidents(): Promise<IncidentReading> {
    return this.folder.serial(async () => {
      const scan = await this.scan();
      this.unreadable = scan.unreadable;
      const byId = new Map<string, IncidentEvent>();
      for (const e of [...scan.events, ...this.pending]) if (!byId.has(e.id)) byId.set(e.id, e);
      const records = new Map<string, IncidentRecord>();
      for (const e of byId.values()) {
        const r = records.get(e.incidentId) ?? {
          id: e.incidentId, openedAt: null, closedAt: null, severity: null, title: null,
          findingKeys: [], diagnosis: null, notifications: [], actions: [], deliveries: [], events: 0, pagedTitle: null, pagedCause: null,
        };
        records.set(e.incidentId, r);
        r.events += 1;
        if (e.type === 'open') r.openedAt = e.at;
        if (e.type === 'close') r.closedAt = e.at;
        if (e.severity) r.severity = e.severity;
        if (e.title !== undefined) r.title = e.title;
        if (e.findingKeys) r.findingKeys = [...e.findingKeys];
        if (e.diagnosis !== undefined) r.diagnosis = e.diagnosis;
        if (e.notification) {
          r.notifications.push(e.notification);
          // What the operator was told, with the cause as it stood then: later updates do not rewrite it.
          if (e.notification.kind === 'incident' && r.pagedTitle === null) {
            r.pagedTitle = e.notification.title;
            r.pagedCause = r.diagnosis?.cause ?? null;
          }
        }
        if (e.action) r.actions.push(e.action);
        if (e.delivery) r.deliveries.push(e.delivery);
      }
      const incidents = [...records.values()].sort((a, b) => (a.openedAt ?? 0) - (b.openedAt ?? 0));
      return { incidents, skipped: scan.skipped, problems: scan.problems, unreadable: scan.unreadable };
    });
  }

  /**
   * Closes the incidents the file holds open that `stillOpen` (the resumed alert policy's open
   * incidents) does not. Events are appended before the alert snapshot is saved, so that a page
   * is never lost; a crash between the two leaves an incident open on disk that the restarted
   * policy never heard of, and without this it would stay open in the history for ever.
   * Returns the ids it closed.
   */
  async closeForgotten(stillOpen: ReadonlySet<string>, at: number): Promise<string[]> {
    const reading = await this.readIncidents();
    const forgotten = reading.incidents.filter((i) => i.closedAt === null && !stillOpen.has(i.id));
    await this.append(forgotten.map((i) => ({ id: `${i.id}/closed-at-restart`, incidentId: i.id, type: 'close' as const, at: Math.max(at, i.openedAt ?? at) })));
    return forgotten.map((i) => i.id);
  }
}
