import type { Severity } from '../common/severity.js';
import type { Diagnosis, Notification } from '../common/findings.js';
import type { ActionResult } from '../common/services.js';

/** One line of incidents.jsonl: what happened to an incident, when. */
export type IncidentEventType = 'open' | 'update' | 'notify' | 'action' | 'close';

export interface IncidentEvent {
  /** Unique and deterministic, so an event replayed after a restart is written once. */
  id: string;
  incidentId: string;
  type: IncidentEventType;
  at: number;
  severity?: Severity;
  title?: string;
  findingKeys?: string[];
  diagnosis?: Diagnosis | null;
  notification?: Notification;
  action?: ActionResult;
}
