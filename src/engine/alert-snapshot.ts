import type { Diagnosis, Finding, FindingAbout, Notification } from '../common/findings.js';
import type { SnoozeTarget } from '../common/api.js';
import type { Severity } from '../common/severity.js';

/** What the alert policy keeps between cycles and across a restart: its trackers, incidents and snoozes. */

/** One finding's presence over its observations, and the incident it fired into. */
export interface Tracker {
  key: string;
  /** Presence over the last pendingWindow observations, newest last. */
  hits: boolean[];
  present: boolean;
  /** The time of the last observation counted; a cycle's time for findings judged each cycle. */
  observedAt?: number | null;
  /** Observations in a row without the finding, since it was last present. */
  clearRun?: number;
  /** The finding holds over its own window (N of M probes) or is a certain fact: no pending. */
  settled?: boolean;
  /** Shown, never paged. */
  quiet?: boolean;
  severity: Severity;
  title: string;
  subject: Finding['subject'];
  /** What the finding judged; absent from a snapshot written before it was kept (each cycle is an observation). */
  about?: FindingAbout;
  causes: string[];
  firstSeen: number;
  incidentId: string | null;
}

export interface IncidentState {
  id: string;
  openedAt: number;
  closedAt: number | null;
  /** Findings that start to fire within groupSeconds of this join the incident. */
  groupStart: number;
  notifiableSince: number | null;
  everNotifiable: boolean;
  severity: Severity;
  peak: Severity;
  title: string;
  primaryKey: string;
  findingKeys: string[];
  diagnosis: Diagnosis | null;
  notified: boolean;
  lastNotifiedAt: number | null;
  /** Title and cause when it paged, kept apart from the latest (history stores both). */
  pagedTitle?: string | null;
  clearCycles: number;
  eventSeq: number;
  /** What the last open/update event said, so an unchanged incident writes nothing. */
  recorded: string;
}

/** Everything the policy needs to resume after a restart; plain JSON. */
export interface AlertSnapshot {
  version: 1;
  lastNow: number | null;
  gaps: number[];
  seq: number;
  trackers: Tracker[];
  incidents: IncidentState[];
  snoozes: Array<{ target: SnoozeTarget; until: number }>;
  /** Notices held back (quiet hours) until they may be delivered. */
  held: Notification[];
}

/** A persisted snapshot, or null when it is not one this version can resume from. */
export function parseAlertSnapshot(value: unknown): AlertSnapshot | null {
  if (typeof value !== 'object' || value === null) return null;
  const s = value as Partial<AlertSnapshot>;
  const arrays = [s.gaps, s.trackers, s.incidents, s.snoozes, s.held];
  if (s.version !== 1 || !arrays.every(Array.isArray) || typeof s.seq !== 'number') return null;
  if (s.lastNow !== null && typeof s.lastNow !== 'number') return null;
  const trackersOk = s.trackers!.every((t) => typeof t?.key === 'string' && Array.isArray(t.hits) && Array.isArray(t.causes) && typeof t.subject?.kind === 'string');
  const incidentsOk = s.incidents!.every((i) => typeof i?.id === 'string' && typeof i.openedAt === 'number' && Array.isArray(i.findingKeys));
  return trackersOk && incidentsOk ? (value as AlertSnapshot) : null;
}
