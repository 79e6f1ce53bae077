import type { State } from '../common/state.js';
import type { ActionOffer } from '../common/services.js';
import { findOffer } from '../common/ipc.js';

/**
 * The one action a notification offers for an incident: its diagnosis's next step when that is
 * an action on offer (an Unload), else the first action offered on one of its findings. Null
 * when nothing is offered now.
 */
export function incidentOffer(state: State, incidentId: string): ActionOffer | null {
  const incident = state.incidents.find((i) => i.id === incidentId && i.closedAt === null);
  if (!incident) return null;
  const next = incident.diagnosis?.actionId;
  if (next) {
    const offer = findOffer(state, next);
    if (offer) return offer;
  }
  for (const key of incident.findingKeys) {
    const finding = state.findings.find((f) => f.key === key);
    const offer = finding?.actions.find((a) => findOffer(state, a.id));
    if (offer) return offer;
  }
  return null;
}
