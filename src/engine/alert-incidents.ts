import type { IncidentView } from '../common/findings.js';
import type { Severity } from '../common/severity.js';
import type { IncidentEvent } from './incident-event.js';
import type { IncidentState, Tracker } from './alert-snapshot.js';

/** An incident's record: opened from its first member, its history events, and its view in the State. */

export function newIncident(t: Tracker, now: number, seq: number): IncidentState {
  return {
    id: `inc-${now}-${seq}`,
    openedAt: now,
    closedAt: null,
    groupStart: now,
    notifiableSince: null,
    everNotifiable: false,
    severity: t.severity,
    peak: t.severity,
    title: t.title,
    primaryKey: t.key,
    findingKeys: [],
    diagnosis: null,
    notified: false,
    lastNotifiedAt: null,
    clearCycles: 0,
    eventSeq: 0,
    recorded: '',
  };
}

/** The incident's next history event; ids count per incident, so a replay writes the same ones. */
export function incidentEvent(incident: IncidentState, type: IncidentEvent['type'], at: number, extra: Partial<IncidentEvent>): IncidentEvent {
  incident.eventSeq += 1;
  return { id: `${incident.id}/${incident.eventSeq}`, incidentId: incident.id, type, at, ...extra };
}

/** What an open/update event says, so an unchanged incident writes nothing. */
export function signature(severity: Severity, title: string, keys: string[]): string {
  return JSON.stringify([severity, title, [...keys].sort()]);
}

export function incidentViews(incidents: IncidentState[]): IncidentView[] {
  return incidents.map((i) => ({
    id: i.id,
    openedAt: i.openedAt,
    closedAt: i.closedAt,
    severity: i.closedAt === null ? i.severity : i.peak,
    title: i.title,
    findingKeys: [...i.findingKeys],
    diagnosis: i.diagnosis,
    notified: i.notified,
  }));
}
