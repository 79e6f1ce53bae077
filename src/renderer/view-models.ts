/** Models: what each local LLM server has loaded, what it takes, when it unloads, and Unload. */
import { formatDecimalGB, formatDuration } from '../common/format.js';
import { SERVER_LABEL, type LoadedModelView, type ModelServerView } from '../common/models.js';
import type { ViewContext } from './context.js';
import { el, hostText } from './dom.js';
import { actionButtons, muted, num, rowsSection } from './ui.js';

/** What the server's own number is, said beside it: a file size is not memory in use. */
const SIZE_LABEL = { 'at-load': 'at load', file: 'file', live: 'now' } as const;

export function viewModels(ctx: ViewContext): HTMLElement | null {
  return rowsSection('models', 'Models', ctx.state.models, (s) => serverRow(s, ctx));
}

function serverRow(s: ModelServerView, ctx: ViewContext): HTMLElement {
  const p = s.process;
  const memory = p ? num(`${formatDecimalGB(p.memoryBytes)} ${p.memoryMetric === 'footprint' ? 'footprint' : 'RSS'}`) : null;
  const title = p ? `PID ${p.pid} and ${p.pids.length - 1} child process(es), measured from the OS` : undefined;
  const loaded = s.models.filter((m) => m.state !== 'served').length;
  return el(
    'li',
    { class: 'row model-server', 'data-server': s.service },
    el(
      'div',
      { class: 'row-main' },
      el('span', { class: 'row-name' }, hostText(s.service, 30, 'span', 'name'), muted(` ${SERVER_LABEL[s.kind]}`)),
      el('span', { class: 'row-value', title }, memory),
    ),
    s.read === 'ok' ? null : el('div', { class: `row-sub ${s.read === 'unknown' ? 'crit-text' : 'muted'}`.trim(), title: s.source }, `Models ${s.read === 'unknown' ? 'unknown' : 'not read'}: `, hostText(s.reason ?? '', 160)),
    s.read === 'ok' && s.models.length === 0 ? el('div', { class: 'row-sub muted' }, 'Nothing loaded') : null,
    s.read === 'ok' && loaded === 0 && s.models.length > 0 ? el('div', { class: 'row-sub muted' }, 'Served (what it answers for, not what is in memory):') : null,
    ...s.models.map((m) => modelLine(m, ctx)),
    s.omitted > 0 ? el('div', { class: 'row-sub muted' }, `and ${s.omitted} more`) : null,
  );
}

function modelLine(m: LoadedModelView, ctx: ViewContext): HTMLElement {
  const facts: string[] = [];
  if (m.state !== 'loaded' && m.state !== 'served') facts.push(m.state);
  if (m.sizeBytes !== null && m.sizeMeaning !== null) facts.push(`${formatDecimalGB(m.sizeBytes)} ${SIZE_LABEL[m.sizeMeaning]}`);
  if (m.loadedAt !== null) facts.push(`loaded ${formatDuration(ctx.ago(m.loadedAt))} ago`);
  if (m.expiresAt !== null) facts.push(ctx.until(m.expiresAt) > 0 ? `unloads in ${formatDuration(ctx.until(m.expiresAt))}` : 'unloading now');
  return el(
    'div',
    { class: 'row-sub model', 'data-model': m.name },
    hostText(m.name, 60, 'span', 'name'),
    facts.length > 0 ? muted(` · ${facts.join(' · ')}`) : null,
    m.actions.length > 0 ? el('span', { class: 'actions inline' }, ...actionButtons(m.actions, ctx)) : null,
  );
}
