import { worst, type Severity } from './severity.js';
import type { ActionOffer } from './services.js';

export interface Evidence {
  label: string;
  /** Human text with units, e.g. "10.1 GiB". */
  text: string;
  value?: number;
  unit?: 'bytes' | 'bytes/s' | 'seconds' | 'percent' | 'count' | 'ms' | 'pid' | 'exit' | 'bytes/h';
}

/** One judged signal. Findings are values; the State holds the current set. */
export interface Finding {
  /** Stable across cycles, e.g. "service:cathedral:down", "memory:pressure". */
  key: string;
  severity: Severity;
  title: string;
  evidence: Evidence[];
  since: number;
  /** Keys of findings that explain this one. */
  causes: string[];
  actions: ActionOffer[];
  /** What the finding is about, for grouping and snoozing. */
  subject: { kind: 'memory' | 'process' | 'service' | 'lock' | 'job' | 'host' | 'warden'; id: string };
  /**
   * True: it already holds over its own window (N of the last M probes failed) or is a certain
   * fact (the service's process is gone), so it fires at once rather than after pendingCycles.
   */
  settled?: boolean;
  /** True: shown (amber) but never paged, whatever onWarn says: a discovered server that stopped. */
  quiet?: boolean;
  /** A service symptom's candidate causes, each in, out or unknown (the State's copy of its diagnosis's). */
  differential?: Candidate[];
  /**
   * The engine's typed link to what was judged (never in the State: its `key` and `subject` say
   * it there). Set on every finding `assess` makes; absent from findings built elsewhere.
   */
  about?: FindingAbout;
}

/**
 * What a finding judged, typed, so the engine never parses a key back: the service and which of
 * its signals, the process by PID and start, the lock's path, the job's name, the part not read.
 */
export type FindingAbout =
  | { kind: 'memory'; signal: 'pressure' | 'swap' | 'available' }
  | { kind: 'process'; pid: number; startedAt: number; signal: 'growth' | 'cpu' }
  | { kind: 'service'; name: string; signal: ServiceSignal }
  | { kind: 'lock'; path: string; signal: 'held' }
  | { kind: 'job'; name: string; signal: 'failed' | 'overdue' }
  | { kind: 'disk'; path: string; holdsSwap: boolean; signal: 'low' }
  | { kind: 'thermal'; signal: 'throttled' }
  | { kind: 'unread'; part: string };

/** `down`, `canary` and `slow` are judged from probes; `unknown`: its state could not be read. */
export type ServiceSignal = 'down' | 'canary' | 'slow' | 'stopped' | 'orphaned' | 'plist' | 'unknown';

/** The probe signals of a service: the symptoms diagnose explains and probes observe. */
export type ProbeSignal = Extract<ServiceSignal, 'down' | 'canary' | 'slow'>;

export function isProbeSymptom(about: FindingAbout | undefined): about is { kind: 'service'; name: string; signal: ProbeSignal } {
  return about?.kind === 'service' && (about.signal === 'down' || about.signal === 'canary' || about.signal === 'slow');
}

/** A finding as `assess` makes it: always with its typed link. */
export type JudgedFinding = Finding & { about: FindingAbout };

/**
 * A service's colour: the worst of the findings about it (a quiet one too: shown amber, never
 * paged), `ok` when there are none. Views read this; they do not judge a service's state again.
 */
export function serviceLevel(findings: readonly Finding[], name: string): Severity {
  return worst(findings.filter((f) => f.subject.kind === 'service' && f.subject.id === name).map((f) => f.severity));
}

/** A usual suspect behind a symptom, and what Warden measured of it. */
export type CandidateName = 'memory' | 'cpu' | 'thermal' | 'disk' | 'log' | 'network';

/**
 * `in`: measured and bad enough to explain the symptom (its numbers); `out`: measured and
 * ruled out (the number that rules it out); `unknown`: not measured (why).
 */
export interface Candidate {
  name: CandidateName;
  verdict: 'in' | 'out' | 'unknown';
  /** Short, with units: "load 8.0 / 16", "62 % free", "no warning". */
  text: string;
}

/** The operator's note for a symptom: what was measured, why, what to do. */
export interface Diagnosis {
  symptom: string;
  cause: string | null;
  causeEvidence: string[];
  thieves: string[];
  suggestion: string | null;
  /**
   * The offer that carries out the suggestion (an Unload), when there is one: the popover shows
   * it as a button. Always set by the engine; absent from records written before it existed.
   */
  actionId?: string | null;
  /** Every candidate cause measured in or out (a service symptom); absent from records written before it existed. */
  differential?: Candidate[];
}

export interface Notification {
  incidentId: string;
  kind: 'incident' | 'recovery' | 'reminder' | 'gave-up' | 'action';
  severity: Severity;
  title: string;
  body: string;
  at: number;
}

export interface IncidentView {
  id: string;
  openedAt: number;
  closedAt: number | null;
  severity: Severity;
  title: string;
  findingKeys: string[];
  diagnosis: Diagnosis | null;
  notified: boolean;
}
