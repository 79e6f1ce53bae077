/** Building blocks shared by the views: sections, label/value pairs, badges, action buttons. */
import type { Severity } from '../common/severity.js';
import type { ActionOffer } from '../common/services.js';
import type { ViewContext } from './context.js';
import { button, el } from './dom.js';

export function section(id: string, title: string, aside: Node | string | null, ...children: (Node | null | false)[]): HTMLElement {
  return el(
    'section',
    { class: 'section', id: `section-${id}`, 'aria-labelledby': `h-${id}` },
    el('div', { class: 'section-head' }, el('h2', { id: `h-${id}` }, title), aside === null ? null : el('span', { class: 'section-aside' }, aside)),
    ...children,
  );
}

/** A section of one row per item, or nothing when there are none. */
export function rowsSection<T>(id: string, title: string, items: readonly T[], row: (item: T) => HTMLElement): HTMLElement | null {
  if (items.length === 0) return null;
  return section(id, title, null, el('ul', { class: 'rows' }, ...items.map(row)));
}

export const LEVEL_CLASS: Record<Severity, string> = { ok: 'ok', warn: 'warn', crit: 'crit', unknown: 'unknown' };

export function badge(text: string, tone: 'ok' | 'warn' | 'crit' | 'unknown' | 'neutral'): HTMLElement {
  return el('span', { class: `badge badge-${tone}` }, text);
}

/** A right-aligned number with its unit; tabular figures keep columns straight. */
export function num(text: string, className = ''): HTMLElement {
  return el('span', { class: `num ${className}`.trim() }, text);
}

export function pair(label: string, value: Node | string, title?: string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { title }, value)];
}

export function actions(offers: readonly ActionOffer[], ctx: ViewContext): HTMLElement | null {
  if (offers.length === 0) return null;
  return el('div', { class: 'actions' }, ...actionButtons(offers, ctx));
}

/** One button per offered action; each asks for confirmation with the offer's exact text. */
export function actionButtons(offers: readonly ActionOffer[], ctx: ViewContext): HTMLElement[] {
  return offers.map((offer) => button(offer.label, () => ctx.ask(offer), { focusKey: `action:${offer.id}`, title: offer.confirm }));
}

export function muted(text: Node | string): HTMLElement {
  return el('span', { class: 'muted' }, text);
}
