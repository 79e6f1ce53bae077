import { alsoInLine, ruledOutLine } from './differential.js';
import type { Diagnosis, FindingAbout, Notification } from '../common/findings.js';
import { SEVERITY_RANK } from '../common/severity.js';
import { formatDuration, plural } from '../common/format.js';
import { capitalise } from '../common/text.js';
import type { IncidentState, Tracker } from './alert-snapshot.js';

/** The words of the alert policy's notifications: an incident, a reminder, a recovery. */

const MAX_ALSO_LINES = 4;
const KIND_ORDER: Record<Tracker['subject']['kind'], number> = { service: 0, lock: 1, job: 2, memory: 3, process: 4, host: 5, warden: 6 };

/** Title: the symptom. Body: the measured cause, the thieves, then what else is wrong. */
export function composeNotification(
  incident: IncidentState,
  members: Tracker[],
  kind: 'incident' | 'reminder',
  diagnoses: Map<string, Diagnosis>,
  now: number,
): Notification {
  const primary = members.find((m) => m.key === incident.primaryKey);
  const diagnosis = diagnoses.get(incident.primaryKey) ?? incident.diagnosis;
  const explained = causeClosure(incident.primaryKey, members);
  const lines: string[] = [];
  if (diagnosis?.cause) lines.push(capitalise(diagnosis.cause));
  if (diagnosis) lines.push(...diagnosis.thieves);
  if (diagnosis?.differential) {
    // The cause line already names memory when memory is in.
    const named = diagnosis.cause?.startsWith('memory pressure') ? 'memory' : null;
    for (const line of [alsoInLine(diagnosis.differential, named), ruledOutLine(diagnosis.differential)]) if (line) lines.push(line);
  }
  const also = members
    .filter((m) => m.present && m !== primary && !explained.has(m.key))
    .filter((m) => !(m.subject.kind === 'process' && (diagnosis?.thieves.length ?? 0) > 0))
    .sort(byImportance(members));
  lines.push(...also.slice(0, MAX_ALSO_LINES).map((m) => `Also: ${m.title}`));
  if (also.length > MAX_ALSO_LINES) lines.push(`…and ${also.length - MAX_ALSO_LINES} more`);
  if (diagnosis?.suggestion) lines.push(`Next: ${diagnosis.suggestion}`);
  if (kind === 'reminder') lines.unshift(`Still open after ${formatDuration((now - incident.openedAt) / 1000)}.`);
  return {
    incidentId: incident.id,
    kind,
    severity: incident.severity,
    title: kind === 'reminder' ? `Still: ${incident.title}` : incident.title,
    body: lines.join('\n'),
    at: now,
  };
}

/**
 * Says what the recovery measured, not the last failure: "cathedral recovered: 5 probes
 * answered, 36 ms". Without a measurement, what paged and how long it has been clear.
 */
export function recoveryNotice(
  incident: IncidentState,
  members: Tracker[],
  present: Tracker[],
  recovered: (about: FindingAbout) => string | null,
  now: number,
): Notification {
  const primary = members.find((m) => m.key === incident.primaryKey) ?? members[0];
  const measured = primary?.about ? recovered(primary.about) : null;
  const paged = incident.pagedTitle ?? incident.title;
  const name = primary?.subject.kind === 'service' ? primary.subject.id : null;
  const title = measured && name ? `${name} recovered: ${measured}` : `Recovered: ${paged}`;
  const open = `open ${formatDuration((now - incident.openedAt) / 1000)}`;
  const body = [
    measured && name ? `${capitalise(open)}.` : `Clear for ${plural(incident.clearCycles, 'check')}; ${open}.`,
    ...(title.includes(paged) ? [] : [`Paged for: ${paged}`]),
    ...present.map((m) => `Still: ${m.title}`),
  ];
  return { incidentId: incident.id, kind: 'recovery', severity: 'ok', title, body: body.join('\n'), at: now };
}

/** Keys that explain `key`, transitively: the cause is carried in the notification, not repeated. */
function causeClosure(key: string, members: Tracker[]): Set<string> {
  const byKey = new Map(members.map((m) => [m.key, m]));
  const out = new Set<string>();
  const queue = [...(byKey.get(key)?.causes ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (out.has(next)) continue;
    out.add(next);
    queue.push(...(byKey.get(next)?.causes ?? []));
  }
  return out;
}

/** Worst first; a symptom before the cause that explains it; services before hosts; oldest first. */
export function byImportance(members: Tracker[]): (a: Tracker, b: Tracker) => number {
  const causes = new Set(members.flatMap((m) => m.causes));
  return (a, b) =>
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    Number(causes.has(a.key)) - Number(causes.has(b.key)) ||
    KIND_ORDER[a.subject.kind] - KIND_ORDER[b.subject.kind] ||
    a.firstSeen - b.firstSeen ||
    a.key.localeCompare(b.key);
}
