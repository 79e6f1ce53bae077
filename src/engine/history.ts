import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Diagnosis, Notification } from '../common/findings.js';
import type { MemorySample, MemoryView, PressureLevel } from '../common/memory.js';
import type { ActionResult } from '../common/services.js';
import type { Severity } from '../common/severity.js';
import { errorText } from '../common/result.js';
import { readFileBounded } from '../platform/read-file.js';
import { parseAlertSnapshot, type AlertSnapshot } from './alerts.js';
import { acquireWriterLock, ownStart, releaseWriterLock, type LockHolder } from './writer-lock.js';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

/**
 * Warden's memory across restarts, in one data folder:
 * - incidents.jsonl: append-only events, rotated to incidents.1.jsonl … incidents.<keep>.jsonl;
 * - series.json: host memory, the last hour per sample and 24 h per minute;
 * - alerts-state.json: the alert policy's snapshot.
 * History is never fatal: a folder that cannot be written makes the store `available: false`
 * with the reason, keeps events in memory, and writes them once it can.
 */

import type { DeliveryRecord, IncidentEvent } from './incident-event.js';
export type { DeliveryRecord, IncidentEvent, IncidentEventType } from './incident-event.js';

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

export interface MemoryPoint {
  at: number;
  availableBytes: number;
  freeBytes: number;
  swapUsedBytes: number;
  pressure: PressureLevel | null;
  swapOutBytesPerSec: number | null;
}

/** One minute of samples; `at` is the minute's start. */
export interface MemoryBucket {
  at: number;
  samples: number;
  availableAvgBytes: number;
  availableMinBytes: number;
  swapUsedMaxBytes: number;
  swapOutMaxBytesPerSec: number | null;
  pressureMax: PressureLevel | null;
}

export interface MemorySeries {
  recent: MemoryPoint[];
  minutes: MemoryBucket[];
}

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

export function actionEvent(incidentId: string, result: ActionResult): IncidentEvent {
  return { id: `${incidentId}/action/${result.id}@${result.startedAt}`, incidentId, type: 'action', at: result.finishedAt, action: result };
}

const INCIDENTS = 'incidents.jsonl';
const SERIES = 'series.json';
const ALERTS = 'alerts-state.json';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;
const PRESSURE_RANK: Record<PressureLevel, number> = { normal: 0, warn: 1, critical: 2 };

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a parent of the path is not a folder',
  EISDIR: 'is a folder',
  EIO: 'input/output error',
};

function errno(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function problemText(what: string, error: unknown): string {
  const code = errno(error);
  return code ? `cannot ${what}: ${code} (${ERRNO_TEXT[code] ?? errorText(error)})` : `cannot ${what}: ${errorText(error)}`;
}

/**
 * mkdir -p that reports the kernel's reason. Node's recursive mkdir turns EROFS, ENOSPC and
 * EACCES on a missing folder into ENOENT (nodejs/node#47098), which would tell the operator the
 * folder is missing when its disk is read-only or full; a plain mkdir of the first missing
 * folder gets the true error.
 */
async function makeDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    return;
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
    let missing = dir;
    for (let parent = path.dirname(missing); parent !== missing; parent = path.dirname(missing)) {
      if (await fs.stat(parent).then(() => true, () => false)) break;
      missing = parent;
    }
    try {
      await fs.mkdir(missing);
    } catch (plain) {
      if (errno(plain) !== 'EEXIST') throw plain;
    }
    await fs.mkdir(dir, { recursive: true });
  }
}

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

export class HistoryStore {
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly maxPending: number;
  private state: { available: boolean; reason: string | null } = { available: true, reason: null };
  private seen = new Set<string>();
  private pending: IncidentEvent[] = [];
  private dropped = 0;
  private size = 0;
  private needsNewline = false;
  private recent: MemoryPoint[] = [];
  private minutes: MemoryBucket[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when another engine writes this folder: nothing is written here. */
  private otherWriter: LockHolder | null = null;
  private lockedBy: LockHolder | null = null;
  /** What opening found wrong (torn lines, unreadable series); never fatal. */
  readonly openProblems: string[] = [];
  /** History files that could not be read at the last scan: the history shown is not the whole of it. */
  private unreadable: string[] = [];
  /** Rotation keeps files under maxBytes; one far bigger is not Warden's and is not read. */
  private get maxReadBytes(): number {
    return Math.max(64 * 1024 * 1024, 4 * this.maxBytes);
  }

  private constructor(readonly dir: string, options: HistoryOptions) {
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = Math.max(0, options.keep ?? 3);
    this.maxPending = Math.max(1, options.maxPending ?? 5000);
  }

  /** Opens (creating) the folder and loads what is there. Never throws. */
  static async open(dir: string, options: HistoryOptions = {}): Promise<HistoryStore> {
    const store = new HistoryStore(dir, options);
    await store.load();
    if (options.writer && store.state.available) await store.lock();
    return store;
  }

  private async lock(): Promise<void> {
    const me: LockHolder = { pid: process.pid, startedAt: ownStart(), hostname: os.hostname(), token: randomUUID() };
    try {
      const outcome = await acquireWriterLock(this.dir, me);
      if (outcome.writer) this.lockedBy = me;
      else this.otherWriter = outcome.holder;
    } catch (error) {
      this.fail(`take the writer lock in ${this.dir}`, error);
    }
  }

  /** Gives the writer lock back (the engine stops). */
  async close(): Promise<void> {
    const me = this.lockedBy;
    this.lockedBy = null;
    if (me) await this.serial(() => releaseWriterLock(this.dir, me)).catch(() => undefined);
  }

  /** Another engine writes this folder; this one only reads it. */
  get readOnly(): boolean {
    return this.otherWriter !== null;
  }

  get available(): boolean {
    return this.otherWriter === null && this.state.available && this.unreadable.length === 0;
  }

  get reason(): string | null {
    const other = this.otherWriter;
    if (other) {
      const since = new Date(other.startedAt).toISOString().replace('T', ' ').slice(0, 16);
      return `read-only: another Warden (PID ${other.pid}, started ${since} UTC) writes ${this.dir}; this one records no incidents`;
    }
    const unread = this.unreadable.length > 0 ? `cannot read ${this.unreadable.join('; ')}: incidents in it are not shown` : null;
    return [this.state.reason, unread].filter((r) => r !== null).join('; ') || null;
  }

  /** Events waiting in memory for the folder to become writable. */
  get pendingCount(): number {
    return this.pending.length;
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  private rotated(n: number): string {
    return this.file(n === 0 ? INCIDENTS : `incidents.${n}.jsonl`);
  }

  /** Operations run one at a time, in order: an append never interleaves with a rotation. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private fail(what: string, error: unknown): void {
    const dropped = this.dropped > 0 ? `; ${this.dropped} oldest events not kept` : '';
    this.state = { available: false, reason: problemText(what, error) + dropped };
  }

  private ok(): void {
    this.state = { available: true, reason: null };
  }

  private async load(): Promise<void> {
    try {
      await makeDir(this.dir);
    } catch (error) {
      this.fail(`create ${this.dir}`, error);
      return;
    }
    const scan = await this.scan();
    this.unreadable = scan.unreadable;
    this.openProblems.push(...scan.problems, ...scan.unreadable);
    for (const e of scan.events) this.seen.add(e.id);
    this.needsNewline = !scan.currentEndsWithNewline;
    this.size = scan.currentSize;
    await this.loadSeries();
  }

  /** Reads every incidents file, oldest first. Files that are not regular files are not read. */
  private async scan(): Promise<{ events: IncidentEvent[]; skipped: number; problems: string[]; unreadable: string[]; currentSize: number; currentEndsWithNewline: boolean }> {
    const out = { events: [] as IncidentEvent[], skipped: 0, problems: [] as string[], unreadable: [] as string[], currentSize: 0, currentEndsWithNewline: true };
    for (let n = this.keep; n >= 0; n -= 1) {
      const file = this.rotated(n);
      const name = path.basename(file);
      // Bounded: a FIFO, a 1 GB file or a hung disk is a reason shown in the State, never a hang or "No incidents".
      const read = await readFileBounded(file, { maxBytes: this.maxReadBytes, refuseOver: this.maxReadBytes });
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
    if (this.readOnly) return Promise.resolve();
    return this.serial(async () => {
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
    if (this.readOnly) return Promise.resolve();
    return this.serial(() => this.flushNow());
  }

  private async flushNow(): Promise<void> {
    if (this.pending.length === 0) return;
    try {
      await makeDir(this.dir);
      const body = this.pending.map((e) => JSON.stringify(e)).join('\n') + '\n';
      if (this.size > 0 && this.size + Buffer.byteLength(body) > this.maxBytes) await this.rotate();
      // A torn last line from a crash must not swallow the first new event.
      const text = (this.needsNewline ? '\n' : '') + body;
      await fs.appendFile(this.file(INCIDENTS), text);
      this.size += Buffer.byteLength(text);
      this.needsNewline = false;
      for (const e of this.pending) this.seen.add(e.id);
      this.pending = [];
      this.dropped = 0;
      this.ok();
    } catch (error) {
      // Part of the text may have landed: start the retry on a fresh line; readers drop repeats by id.
      this.needsNewline = true;
      this.fail(`write ${this.file(INCIDENTS)}`, error);
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
    return this.serial(async () => {
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

  // ---------------------------------------------------------------- memory series

  addMemorySample(sample: MemorySample | MemoryView): void {
    const rates = 'rates' in sample ? sample.rates : null;
    const point: MemoryPoint = {
      at: sample.at,
      availableBytes: sample.availableBytes,
      freeBytes: sample.freeBytes,
      swapUsedBytes: sample.swapUsedBytes,
      pressure: sample.pressure,
      swapOutBytesPerSec: rates ? rates.swapOutBytesPerSec : null,
    };
    const last = this.recent[this.recent.length - 1];
    if (last && point.at < last.at) {
      // The clock went back: what lies "ahead" of now would never age out on time.
      this.recent = this.recent.filter((p) => p.at <= point.at);
      this.minutes = this.minutes.filter((b) => b.at <= point.at);
    }
    this.recent.push(point);
    this.recent = this.recent.filter((p) => p.at > point.at - HOUR_MS);

    const minute = Math.floor(point.at / MINUTE_MS) * MINUTE_MS;
    let bucket = this.minutes[this.minutes.length - 1];
    if (!bucket || bucket.at !== minute) {
      bucket = {
        at: minute, samples: 0, availableAvgBytes: 0, availableMinBytes: point.availableBytes,
        swapUsedMaxBytes: point.swapUsedBytes, swapOutMaxBytesPerSec: null, pressureMax: null,
      };
      this.minutes.push(bucket);
    }
    bucket.samples += 1;
    bucket.availableAvgBytes += (point.availableBytes - bucket.availableAvgBytes) / bucket.samples;
    bucket.availableMinBytes = Math.min(bucket.availableMinBytes, point.availableBytes);
    bucket.swapUsedMaxBytes = Math.max(bucket.swapUsedMaxBytes, point.swapUsedBytes);
    if (point.swapOutBytesPerSec !== null) bucket.swapOutMaxBytesPerSec = Math.max(bucket.swapOutMaxBytesPerSec ?? 0, point.swapOutBytesPerSec);
    if (point.pressure && (!bucket.pressureMax || PRESSURE_RANK[point.pressure] > PRESSURE_RANK[bucket.pressureMax])) bucket.pressureMax = point.pressure;
    this.minutes = this.minutes.filter((b) => b.at > point.at - DAY_MS);
  }

  memorySeries(): MemorySeries {
    return structuredClone({ recent: this.recent, minutes: this.minutes });
  }

  saveSeries(): Promise<void> {
    if (this.readOnly) return Promise.resolve();
    return this.serial(() => this.writeAtomic(SERIES, JSON.stringify({ version: 1, recent: this.recent, minutes: this.minutes })));
  }

  private async loadSeries(): Promise<void> {
    const value = await this.readJson(SERIES);
    if (value === undefined) return;
    const v = value as { version?: unknown; recent?: unknown; minutes?: unknown } | null;
    const pointsOk = (list: unknown): boolean => Array.isArray(list) && list.every((p) => typeof (p as { at?: unknown })?.at === 'number');
    if (v?.version !== 1 || !pointsOk(v.recent) || !pointsOk(v.minutes)) {
      this.openProblems.push(`${SERIES}: not a memory series; starting a new one`);
      return;
    }
    this.recent = v.recent as MemoryPoint[];
    this.minutes = v.minutes as MemoryBucket[];
  }

  // ---------------------------------------------------------------- alert snapshot

  /**
   * `durable: false` when only the snapshot's clock fields moved: replaced by rename as always,
   * but not fsynced, since losing it to a power cut loses a minute of "last seen" and nothing the
   * policy holds.
   */
  saveAlertSnapshot(snapshot: AlertSnapshot, options: { durable?: boolean } = {}): Promise<void> {
    if (this.readOnly) return Promise.resolve();
    return this.serial(() => this.writeAtomic(ALERTS, JSON.stringify(snapshot), options.durable !== false));
  }

  /** The saved snapshot, or null (none, unreadable, or from another version: start fresh). */
  loadAlertSnapshot(): Promise<AlertSnapshot | null> {
    return this.serial(async () => {
      const value = await this.readJson(ALERTS);
      if (value === undefined) return null;
      const snapshot = parseAlertSnapshot(value);
      if (!snapshot) this.openProblems.push(`${ALERTS}: not a snapshot this version can resume; starting fresh`);
      return snapshot;
    });
  }

  // ---------------------------------------------------------------- other documents

  /** A small JSON document of another part (the channels' outbox) kept in the folder, written atomically. */
  saveDocument(name: string, value: unknown): Promise<void> {
    return this.serial(() => this.writeAtomic(name, JSON.stringify(value)));
  }

  /** The document, or undefined when absent or unreadable (noted in openProblems). */
  loadDocument(name: string): Promise<unknown> {
    return this.serial(() => this.readJson(name));
  }

  // ---------------------------------------------------------------- files

  /** undefined when absent or unreadable (the problem is noted); JSON otherwise. */
  private async readJson(name: string): Promise<unknown> {
    const read = await readFileBounded(this.file(name), { maxBytes: this.maxReadBytes, refuseOver: this.maxReadBytes });
    if (read.content === null) {
      if (read.code !== 'ENOENT') this.openProblems.push(`${name} ${read.error ?? 'could not be read'}`);
      return undefined;
    }
    const text = read.content;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.openProblems.push(`${name}: not JSON; ignored`);
      return undefined;
    }
  }

  /** Write a temporary file, sync it (unless told not to), rename it over: a crash leaves the old file or the new one. */
  private async writeAtomic(name: string, text: string, sync = true): Promise<void> {
    const target = this.file(name);
    const temp = `${target}.${process.pid}.tmp`;
    try {
      await makeDir(this.dir);
      const handle = await fs.open(temp, 'w');
      try {
        await handle.writeFile(text);
        if (sync) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
      if (this.pending.length === 0) this.ok();
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      this.fail(`write ${target}`, error);
    }
  }
}
