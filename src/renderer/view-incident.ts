/** The top of the popover: what is wrong now (the symptom), and beside it what was measured as its cause. */
import { formatDuration } from '../common/format.js';
import type { Finding, IncidentView } from '../common/findings.js';
import type { State } from '../common/state.js';
import { SEVERITY_RANK } from '../common/severity.js';
import { clockTime, type ViewContext } from './context.js';
import { el, hostText } from './dom.js';
import { LEVEL_CLASS, actionButtons } from './ui.js';
import { findOffer } from '../common/ipc.js';
import { viewDifferential } from './view-differential.js';

/** The open incidents, and the warnings and alerts no incident covers: what the top block shows. */
function shown(state: State): { open: IncidentView[]; others: Finding[] } {
  const open = state.incidents.filter((incident) => incident.closedAt === null);
  const covered = new Set(open.flatMap((incident) => incident.findingKeys));
  const others = state.findings.filter((f) => !covered.has(f.key) && (f.severity === 'warn' || f.severity === 'crit'));
  return { open, others };
}

/** True when the headline is word for word a title the top block shows; the header then leaves it out. */
export function headlineShownBelow(state: State): boolean {
  const { open, others } = shown(state);
  return open.some((i) => i.title === state.headline) || others.some((f) => f.title === state.headline);
}

export function viewIncidents(ctx: ViewContext): HTMLElement | null {
  const { open, others } = shown(ctx.state);
  if (open.length === 0 && others.length === 0) return null;
  const ordered = [...open].sort((a, b) => Number(b.id === ctx.focusIncident) - Number(a.id === ctx.focusIncident));
  return el(
    'div',
    { class: 'incidents' },
    ...ordered.map((incident) => incidentCard(incident, ctx)),
    others.length > 0 ? findingList(open.length > 0 ? 'Also' : 'Needs attention', others, ctx) : null,
  );
}

function incidentCard(incident: IncidentView, ctx: ViewContext): HTMLElement {
  const d = incident.diagnosis;
  const since = `since ${clockTime(incident.openedAt)} · ${formatDuration(ctx.ago(incident.openedAt))}`;
  return el(
    'article',
    { class: `incident level-${LEVEL_CLASS[incident.severity]}`, id: `incident-${incident.id}`, 'aria-label': 'Active incident', 'data-focused': incident.id === ctx.focusIncident },
    el('h2', { class: 'incident-title' }, hostText(incident.title, 160)),
    el('div', { class: 'incident-since muted' }, since, incident.notified ? ' · notified' : ''),
    // The card's title is the symptom: the diagnosis does not say it again in other words.
    d === null ? null : diagnosis(d, d.symptom, ctx),
  );
}

function diagnosis(d: NonNullable<IncidentView['diagnosis']>, title: string, ctx: ViewContext): HTMLElement | null {
  // The suggestion that is one offered action (an Unload) is that action's button.
  const offer = d.actionId ? findOffer(ctx.state, d.actionId) : null;
  // A symptom that only repeats the title above it is left out.
  const symptom = d.symptom !== title;
  if (!symptom && d.cause === null && d.thieves.length === 0 && d.suggestion === null && !d.differential?.length) return null;
  return el(
    'dl',
    { class: 'diagnosis' },
    symptom ? el('dt', {}, 'Symptom') : null,
    symptom ? el('dd', {}, hostText(d.symptom, 300)) : null,
    d.cause === null ? null : el('dt', {}, 'Cause'),
    d.cause === null ? null : el('dd', {}, hostText(d.cause, 300), list(d.causeEvidence)),
    d.thieves.length === 0 ? null : el('dt', {}, 'Thieves'),
    d.thieves.length === 0 ? null : el('dd', {}, list(d.thieves)),
    d.differential?.length ? el('dt', {}, 'Measured') : null,
    d.differential?.length ? el('dd', {}, viewDifferential(d.differential)) : null,
    d.suggestion === null ? null : el('dt', {}, 'Try'),
    d.suggestion === null ? null : el('dd', {}, hostText(d.suggestion, 300), offer ? el('div', { class: 'actions' }, ...actionButtons([offer], ctx)) : null),
  );
}

/** Lists shown at a glance this long; the rest behind a disclosure. */
const GLANCE_ITEMS = 2;

function list(items: string[]): HTMLElement | null {
  if (items.length === 0) return null;
  const shown = items.slice(0, GLANCE_ITEMS);
  const rest = items.slice(GLANCE_ITEMS, 8);
  const line = (item: string) => el('li', {}, hostText(item, 160));
  return el(
    'div',
    {},
    el('ul', { class: 'evidence' }, ...shown.map(line)),
    rest.length === 0 ? null : disclosure(`${items.length}:${items[0]!.slice(0, 24)}`, `${rest.length} more`, el('ul', { class: 'evidence' }, ...rest.map(line))),
  );
}

/** Disclosures the operator opened, kept open across the re-render every few seconds. */
const opened = new Set<string>();

function disclosure(key: string, summary: string, content: HTMLElement): HTMLElement {
  const node = el('details', { class: 'evidence-more' }, el('summary', {}, summary), content);
  node.open = opened.has(key);
  node.addEventListener('toggle', () => (node.open ? opened.add(key) : opened.delete(key)));
  return node;
}

/** Symptoms before causes: what the user feels (services, memory) first, then who is responsible. */
const KIND = { service: 0, memory: 1, process: 2, lock: 3, job: 4, host: 5, warden: 6 } as const;

function findingList(title: string, findings: Finding[], ctx: ViewContext): HTMLElement {
  const sorted = [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || KIND[a.subject.kind] - KIND[b.subject.kind] || b.since - a.since);
  return el(
    'div',
    { class: 'findings' },
    el('h2', { class: 'findings-title' }, title),
    el(
      'ul',
      {},
      ...sorted.slice(0, 12).map((f) =>
        el(
          'li',
          { class: `finding level-${LEVEL_CLASS[f.severity]}` },
          el('span', { class: 'dot', 'aria-hidden': 'true' }),
          hostText(f.title, 120, 'span', 'finding-title'),
          el('span', { class: 'num muted finding-age', title: `since ${clockTime(f.since)}` }, formatDuration(ctx.ago(f.since))),
        ),
      ),
    ),
  );
}
