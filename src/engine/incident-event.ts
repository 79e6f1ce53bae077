import type { Severity } from '../common/severity.js';
import type { Diagnosis, Notification } from '../common/findings.js';
import type { ActionResult } from '../common/services.js';

/** One line of incidents.jsonl: what happened to an incident, when. */
export type IncidentEventType = 'open' | 'update' | 'notify' | 'action' | 'close' | 'delivery';

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
  delivery?: DeliveryRecord;
}

/** What became of one notice on one channel: delivered, or given up on (never silent). */
export interface DeliveryRecord {
  channel: string;
  kind: Notification['kind'];
  title: string;
  ok: boolean;
  attempts: number;
  /** Why it was given up on; null when delivered. Never the channel's URL or bearer. */
  error: string | null;
}
