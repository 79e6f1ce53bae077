// Over 350 lines: one state machine (pending → firing → recovery → notify) over shared trackers and incidents; its texts, records, clock and snoozes are in alert-*.ts.
import type { NotificationConfig } from '../common/config.js';
import type { Diagnosis, Finding, FindingAbout, IncidentView, Notification } from '../common/findings.js';
import type { SnoozeTarget } from '../common/api.js';
import { SEVERITY_RANK, worst, type Severity } from '../common/severity.js';
import { CAUSE_OBSERVATION_SECONDS, CAUSE_PAGES_ALONE_AFTER_MINUTES, MIN_REMINDER_HOURS } from './defaults.js';
import type { IncidentEvent } from './incident-event.js';
import type { AlertSnapshot, IncidentState, Tracker } from './alert-snapshot.js';
import { CycleGaps, inQuietHours, systemLocalMinutes } from './alert-clock.js';
import { AlertSnoozes } from './alert-snoozes.js';
import { incidentEvent, incidentViews, newIncident, signature } from './alert-incidents.js';
import { byImportance, composeNotification, recoveryNotice } from './alert-notices.js';

export { parseAlertSnapshot, type AlertSnapshot } from './alert-snapshot.js';
export { systemLocalMinutes } from './alert-clock.js';

/**
 * The notification policy: pending (N of M observations) → firing, incidents grouped by cause,
 * subject and time, one notification per incident, one recovery notice, quiet hours, snoozes,
 * restart limits. Time comes in as numbers; nothing here reads the clock.
 *
 * An observation is a new input a finding is judged from: a probe result for a probe's
 * findings (see Observations), a cycle for the rest. Pending and recovery count observations,
 * so they mean the same at any engine and probe interval, and a finding judged from probes
 * keeps its state between probes. A member that fired stays "red" until it has been clear for
 * recoveryAfterCycles observations in a row: a flap neither drops it from the group window nor
 * closes its incident, and the incident pages once and recovers once. Memory and process
 * findings, judged afresh from every sample, count an observation per CAUSE_OBSERVATION_SECONDS.
 * The group window only collects what fails together: an incident that met the paging bar and
 * recovers inside it still pages, then recovers (docs/judgement.md says why).
 */

export interface AlertPolicyOptions {
  /** The engine's cycle, to tell a clock jump from a slow cycle; learned from the gaps when absent. */
  intervalSeconds?: number;
  /** Minutes since local midnight at `now`; the system time zone by default. */
  localMinutes?: (now: number) => number;
}

/** Where the policy learns what an observation is, and what a recovery measured. */
export interface Observations {
  /** When the newest input a finding about `about` is judged from was taken (a probe's time); null: each cycle is one. */
  at(about: FindingAbout): number | null;
  /** What shows `about` is well again ("5 probes answered, 36 ms"); null: nothing measured. */
  recovered(about: FindingAbout): string | null;
}

const EACH_CYCLE: Observations = { at: () => null, recovered: () => null };

export interface AlertStep {
  notifications: Notification[];
  incidents: IncidentView[];
  /** History events, ids deterministic: append them before saving the snapshot. */
  events: IncidentEvent[];
}

const KEEP_CLOSED = 20;

export class AlertPolicy {
  private config: NotificationConfig;
  private readonly localMinutes: (now: number) => number;
  private readonly cycles: CycleGaps;
  private seq = 0;
  private trackers = new Map<string, Tracker>();
  private incidents: IncidentState[] = [];
  private readonly snoozes = new AlertSnoozes();
  private held: Notification[] = [];
  private observations: Observations = EACH_CYCLE;

  constructor(config: NotificationConfig, persisted?: AlertSnapshot | null, options: AlertPolicyOptions = {}) {
    this.config = config;
    this.cycles = new CycleGaps(options.intervalSeconds ?? null);
    this.localMinutes = options.localMinutes ?? systemLocalMinutes;
    if (persisted) this.restore(persisted);
  }

  setConfig(config: NotificationConfig): void {
    this.config = config;
  }

  /** Snoozes a service, or everything, until `until`; null lifts the snooze. */
  snooze(target: SnoozeTarget, until: number | null): void {
    this.snoozes.set(target, until);
  }

  /** When the snooze of everything ends, for State.snoozedUntil. */
  snoozedUntil(now: number): number | null {
    return this.snoozes.allUntil(now);
  }

  /** When the snooze of this one service ends, for ServiceView.snoozedUntil. */
  serviceSnoozedUntil(name: string, now: number): number | null {
    return this.snoozes.serviceUntil(name, now);
  }

  snapshot(): AlertSnapshot {
    return structuredClone({
      version: 1,
      lastNow: this.cycles.lastNow,
      gaps: this.cycles.gaps,
      seq: this.seq,
      trackers: [...this.trackers.values()],
      incidents: this.incidents,
      snoozes: this.snoozes.list,
      held: this.held,
    });
  }


  step(findings: Finding[], diagnoses: Map<string, Diagnosis>, now: number, observations: Observations = EACH_CYCLE): AlertStep {
    const notifications: Notification[] = [];
    const events: IncidentEvent[] = [];
    const jumped = this.cycles.jumped(now);
    this.snoozes.expire(now);
    this.observations = observations;

    const alerting = new Map<string, Finding>();
    const unknownSubjects = new Set<string>();
    for (const f of findings) {
      if (f.quiet) continue;
      if (f.severity === 'warn' || f.severity === 'crit') alerting.set(f.key, f);
      else if (f.severity === 'unknown') unknownSubjects.add(subjectId(f.subject));
    }
    for (const f of alerting.values()) {
      const t = this.trackers.get(f.key) ?? { key: f.key, hits: [], present: false, severity: f.severity, title: f.title, subject: f.subject, causes: [], firstSeen: now, incidentId: null };
      Object.assign(t, { present: true, severity: f.severity, title: f.title, subject: f.subject, causes: f.causes, settled: f.settled === true });
      if (f.about) t.about = f.about;
      this.trackers.set(f.key, t);
    }
    for (const t of this.trackers.values()) if (!alerting.has(t.key)) t.present = false;

    // The first cycle after sleep or a changed clock neither fires nor clears anything.
    if (!jumped) {
      this.countObservations(now);
      this.assignFiring(now, events);
      for (const incident of this.open()) this.judgeRecovery(incident, unknownSubjects, diagnoses, now, notifications, events);
      this.assignFiring(now, events);
      this.notify(diagnoses, now, notifications, events);
    }
    for (const incident of this.open()) this.refresh(incident, diagnoses, now, events);
    return { notifications, incidents: incidentViews(this.incidents), events };
  }

  // ---------------------------------------------------------------- cycles and the clock

  /**
   * Counts a tracker's observation when there is a new one: its input is newer than the last
   * counted, or its presence changed (something was seen). Between probes nothing is counted,
   * so a probe's finding neither piles up hits nor clears.
   */
  private countObservations(now: number): void {
    for (const t of [...this.trackers.values()]) {
      const window = Math.max(1, this.config.pendingWindow) * this.cyclesPerObservation(t);
      const at = (t.about ? this.observations.at(t.about) : null) ?? now;
      const changed = t.hits.length === 0 || t.hits[t.hits.length - 1] !== t.present;
      if (at === t.observedAt && !changed) continue;
      t.observedAt = at;
      t.hits = [...t.hits, t.present].slice(-window);
      t.clearRun = t.present ? 0 : (t.clearRun ?? 0) + 1;
      if (t.incidentId === null && !t.hits.some(Boolean)) this.trackers.delete(t.key);
    }
  }

  /** Not yet clear for recoveryAfterCycles observations in a row. */
  private recovering(t: Tracker): boolean {
    return t.present || (t.clearRun ?? 0) < Math.max(1, this.config.recoveryAfterCycles) * this.cyclesPerObservation(t);
  }

  /**
   * Cycles that make one observation of `t`. A memory or process finding is judged afresh from
   * each sample, so its observation is a stretch of CAUSE_OBSERVATION_SECONDS: at a 1 s cycle,
   * 2 of 3 means 10 of the last 15 samples, and recovery 15 clear ones. Pending and recovery
   * then span the same seconds at 1 s as at 5 s; from 5 s up one cycle is one observation.
   */
  private cyclesPerObservation(t: Tracker): number {
    if (t.subject.kind !== 'memory' && t.subject.kind !== 'process') return 1;
    const interval = this.cycles.expectedMs();
    if (interval === null || interval <= 0) return 1;
    return Math.max(1, Math.ceil((CAUSE_OBSERVATION_SECONDS * 1000) / interval - 0.05));
  }

  /** Fired at a paging severity and not recovered: still failing, though a flap may hide it this cycle. */
  private red(t: Tracker): boolean {
    return t.incidentId !== null && this.notifiable(t.severity) && this.recovering(t);
  }

  private open(): IncidentState[] {
    return this.incidents.filter((i) => i.closedAt === null);
  }

  private notifiable(severity: Severity): boolean {
    return severity === 'crit' || (severity === 'warn' && this.config.onWarn);
  }

  /** Whether this member may send the incident's notification now (causes wait; see defaults). */
  private pages(t: Tracker, now: number): boolean {
    return this.red(t) && this.pagesAlone(t, now);
  }

  /** A symptom may page at once; a cause (memory, a process, a host sense) only once it has shown this long. */
  private pagesAlone(t: Tracker, now: number): boolean {
    if (t.subject.kind === 'memory' || t.subject.kind === 'process' || t.subject.kind === 'host') return now - t.firstSeen >= CAUSE_PAGES_ALONE_AFTER_MINUTES * 60_000;
    return true;
  }

  // ---------------------------------------------------------------- pending → firing, grouping

  private assignFiring(now: number, events: IncidentEvent[]): void {
    const needed = Math.min(Math.max(1, this.config.pendingCycles), Math.max(1, this.config.pendingWindow));
    const starting = [...this.trackers.values()]
      .filter((t) => t.present && t.incidentId === null && (t.settled === true || t.hits.filter(Boolean).length >= needed * this.cyclesPerObservation(t)))
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.key.localeCompare(b.key));
    for (const t of starting) {
      const incident = this.incidentFor(t, now) ?? this.openIncident(t, now, events);
      t.incidentId = incident.id;
      if (!incident.findingKeys.includes(t.key)) incident.findingKeys.push(t.key);
      if (this.notifiable(t.severity) && incident.notifiableSince === null) {
        incident.notifiableSince = now;
        // A quiet incident turning red starts a fresh group window, so what fires with it joins it.
        if (!incident.notified) incident.groupStart = now;
      }
    }
  }

  /** Cause or symptom of a member, the same subject, or starting within the group window. */
  private incidentFor(t: Tracker, now: number): IncidentState | null {
    const open = this.open();
    const members = (i: IncidentState) => this.members(i);
    const linked = open.find((i) => members(i).some((m) => t.causes.includes(m.key) || m.causes.includes(t.key)));
    if (linked) return linked;
    const sameSubject = open.find((i) => members(i).some((m) => subjectId(m.subject) === subjectId(t.subject)));
    if (sameSubject) return sameSubject;
    const groupMs = Math.max(0, this.config.groupSeconds) * 1000;
    return open.find((i) => now - i.groupStart >= 0 && now - i.groupStart <= groupMs) ?? null;
  }

  private openIncident(t: Tracker, now: number, events: IncidentEvent[]): IncidentState {
    this.seq += 1;
    const incident = newIncident(t, now, this.seq);
    this.incidents.push(incident);
    events.push(incidentEvent(incident, 'open', now, { severity: t.severity, title: t.title, findingKeys: [t.key] }));
    incident.recorded = signature(incident.severity, incident.title, [t.key]);
    return incident;
  }

  // ---------------------------------------------------------------- recovery

  private members(incident: IncidentState): Tracker[] {
    return [...this.trackers.values()].filter((t) => t.incidentId === incident.id);
  }

  private judgeRecovery(incident: IncidentState, unknownSubjects: Set<string>, diagnoses: Map<string, Diagnosis>, now: number, out: Notification[], events: IncidentEvent[]): void {
    const members = this.members(incident);
    const present = members.filter((m) => m.present);
    if (members.some((m) => this.red(m))) {
      incident.everNotifiable = true;
      incident.clearCycles = 0;
      incident.notifiableSince ??= now;
      return;
    }
    // A member whose subject could not be read this cycle is not known to be clear.
    if (members.some((m) => unknownSubjects.has(subjectId(m.subject)))) return;
    // A quiet incident (warnings only) closes once none of it has shown for the recovery count.
    if (!incident.everNotifiable && members.some((m) => this.recovering(m))) return;
    const cleared = members.filter((m) => !m.present).map((m) => m.clearRun ?? 0);
    incident.clearCycles = cleared.length > 0 ? Math.min(...cleared) : 0;

    // It met the paging bar and recovers before its group window ended: it still pages, then recovers.
    if (!incident.notified && incident.everNotifiable) this.pageBeforeClosing(incident, members, diagnoses, now, out, events);
    incident.closedAt = now;
    events.push(incidentEvent(incident, 'close', now, {}));
    if (incident.notified && this.config.recovery && !this.snoozes.cover(members, members)) {
      const notice = recoveryNotice(incident, members, present, (about) => this.observations.recovered(about), now);
      if (this.quiet(now)) this.held.push(notice);
      else {
        out.push(notice);
        events.push(incidentEvent(incident, 'notify', now, { notification: notice }));
      }
    }
    // What still shows at warn starts over in an incident of its own, quiet unless onWarn.
    for (const m of members) m.incidentId = null;
    this.incidents = [...this.open(), ...this.incidents.filter((i) => i.closedAt !== null).slice(-KEEP_CLOSED)];
  }

  /**
   * The notification an incident owed when it recovers inside its group window: the window
   * only waits to collect what fails together, it is not a second bar. Sent when a member
   * could have paged while red (a cause only after its own wait) and it is not snoozed. In
   * quiet hours nothing is sent: an incident over before morning is in the history, not a page.
   */
  private pageBeforeClosing(incident: IncidentState, members: Tracker[], diagnoses: Map<string, Diagnosis>, now: number, out: Notification[], events: IncidentEvent[]): void {
    const paging = members.filter((m) => this.notifiable(m.severity) && this.pagesAlone(m, now));
    if (paging.length === 0 || this.quiet(now) || this.snoozes.cover(paging, members)) return;
    const notification = composeNotification(incident, this.members(incident), 'incident', diagnoses, now);
    incident.pagedTitle = incident.title;
    incident.notified = true;
    incident.lastNotifiedAt = now;
    out.push(notification);
    events.push(incidentEvent(incident, 'notify', now, { notification }));
  }

  // ---------------------------------------------------------------- notifying

  private quiet(now: number): boolean {
    return inQuietHours(this.config.quietHours, this.localMinutes(now));
  }

  private groupWaitOver(incident: IncidentState, now: number): boolean {
    const since = incident.notifiableSince;
    if (since === null) return false;
    const groupMs = Math.max(0, this.config.groupSeconds) * 1000;
    if (now - since >= groupMs) return true;
    // No later cycle can fall inside the window: waiting longer would collect nothing.
    const expected = this.cycles.expectedMs();
    return expected !== null && now + expected > since + groupMs;
  }

  private notify(diagnoses: Map<string, Diagnosis>, now: number, out: Notification[], events: IncidentEvent[]): void {
    const quiet = this.quiet(now);
    for (const incident of this.open()) {
      const members = this.members(incident);
      const red = members.filter((m) => this.pages(m, now));
      if (red.length === 0 || quiet || this.snoozes.cover(red, members)) continue;
      let kind: Notification['kind'] | null = null;
      if (!incident.notified && this.groupWaitOver(incident, now)) kind = 'incident';
      else if (incident.notified && this.reminderDue(incident, now)) kind = 'reminder';
      if (!kind) continue;
      this.refresh(incident, diagnoses, now, events);
      const notification = composeNotification(incident, members, kind, diagnoses, now);
      if (!incident.notified) incident.pagedTitle = incident.title;
      incident.notified = true;
      incident.lastNotifiedAt = now;
      out.push(notification);
      events.push(incidentEvent(incident, 'notify', now, { notification }));
    }
    if (!quiet && this.held.length > 0) {
      for (const n of this.held) {
        out.push(n);
        const incident = this.incidents.find((i) => i.id === n.incidentId);
        events.push(incident ? incidentEvent(incident, 'notify', now, { notification: n }) : { id: `${n.incidentId}/${n.kind}-${n.at}`, incidentId: n.incidentId, type: 'notify', at: now, notification: n });
      }
      this.held = [];
    }
  }

  private reminderDue(incident: IncidentState, now: number): boolean {
    const hours = this.config.reminderHours;
    if (hours === null || incident.lastNotifiedAt === null) return false;
    return now - incident.lastNotifiedAt >= Math.max(MIN_REMINDER_HOURS, hours) * 3_600_000;
  }

  // ---------------------------------------------------------------- views and events

  private refresh(incident: IncidentState, diagnoses: Map<string, Diagnosis>, now: number, events: IncidentEvent[]): void {
    const members = this.members(incident);
    const present = members.filter((m) => m.present);
    const ranked = [...(present.length > 0 ? present : members)].sort(byImportance(members));
    const primary = ranked[0];
    if (primary) {
      incident.primaryKey = primary.key;
      incident.title = primary.title;
      incident.diagnosis = diagnoses.get(primary.key) ?? incident.diagnosis;
    }
    if (present.length > 0) incident.severity = worst(present.map((m) => m.severity));
    incident.peak = worst([incident.peak, incident.severity]);
    const sig = signature(incident.severity, incident.title, incident.findingKeys);
    if (sig !== incident.recorded) {
      incident.recorded = sig;
      events.push(incidentEvent(incident, 'update', now, { severity: incident.severity, title: incident.title, findingKeys: [...incident.findingKeys], diagnosis: incident.diagnosis }));
    }
  }

  private restore(s: AlertSnapshot): void {
    const copy = structuredClone(s);
    this.cycles.lastNow = copy.lastNow;
    this.cycles.gaps = copy.gaps;
    this.seq = copy.seq;
    this.trackers = new Map(copy.trackers.map((t) => [t.key, t]));
    this.incidents = copy.incidents;
    this.snoozes.list = copy.snoozes;
    this.held = copy.held;
  }
}

function subjectId(subject: Finding['subject']): string {
  return `${subject.kind}:${subject.id}`;
}




