/** Services: are they answering, are they supervised, and the repair each one offers. */
import { formatDuration } from '../common/format.js';
import { serviceLevel } from '../common/findings.js';
import type { ProbeView, ServiceView } from '../common/services.js';
import { baseName, plainText } from '../common/text.js';
import { clockTime, type ViewContext } from './context.js';
import { button, el, hostText } from './dom.js';
import { actionButtons, badge, muted, num, rowsSection } from './ui.js';

/** The badge's colour is the findings' level; a service stopped with nothing found about it is grey, not green. */
function stateTone(s: ServiceView, ctx: ViewContext): 'ok' | 'warn' | 'crit' | 'unknown' | 'neutral' {
  const level = serviceLevel(ctx.state.findings, s.name);
  return level === 'ok' && s.state === 'stopped' ? 'neutral' : level;
}

/** Availability with tenths: 99% and 99.9% are different services. */
export function availabilityText(ratio: number): string {
  const percent = Math.floor(ratio * 1000) / 10;
  return `${percent.toFixed(percent === 100 ? 0 : 1)}%`;
}

export function viewServices(ctx: ViewContext): HTMLElement | null {
  return rowsSection('services', 'Services', ctx.state.services, (s) => serviceRow(s, ctx));
}

function serviceRow(s: ServiceView, ctx: ViewContext): HTMLElement {
  const probe = s.probe;
  const latency = probe?.ok && probe.latencyMs !== null ? num(formatDuration(probe.latencyMs / 1000)) : null;
  const availability = probe?.availability24h ?? probe?.availability1h ?? null;
  const window = probe?.availability24h !== null && probe?.availability24h !== undefined ? '24 h' : '1 h';
  const mutedUntil = s.snoozedUntil !== null && ctx.until(s.snoozedUntil) > 0 ? s.snoozedUntil : null;
  return el(
    'li',
    { class: 'row service', 'data-service': s.name },
    el(
      'div',
      { class: 'row-main' },
      el('span', { class: 'row-name' }, hostText(s.name, 30, 'span', 'name'), ' ', badge(s.state, stateTone(s, ctx))),
      el(
        'span',
        { class: 'row-value' },
        latency,
        latency && availability !== null ? muted(' · ') : null,
        availability === null ? null : el('span', { class: 'num', title: `share of probes that passed in the last ${window}` }, availabilityText(availability)),
        availability === null ? null : muted(` ${window}`),
      ),
    ),
    el('div', { class: 'row-sub muted' }, hostText(s.stateReason, 160)),
    probe ? probeLine('Health', probe) : null,
    s.canary ? probeLine('Canary', s.canary) : null,
    s.orphan?.matchingBackup ? el('div', { class: 'row-sub' }, muted('Backup matches the running command: '), hostText(baseName(s.orphan.matchingBackup), 60, 'code')) : null,
    s.supervision?.note ? el('div', { class: 'row-sub muted' }, hostText(s.supervision.note, 160)) : null,
    mutedUntil === null ? null : el('div', { class: 'row-sub muted' }, `Notifications muted until ${clockTime(mutedUntil)}; its colour still shows.`),
    el('div', { class: 'actions' }, ...actionButtons(s.actions, ctx), muteButton(s.name, mutedUntil !== null, ctx)),
  );
}

/** Mutes one flapping service without snoozing the rest; the same focus key keeps focus on Mute → Unmute. */
function muteButton(name: string, isMuted: boolean, ctx: ViewContext): HTMLElement {
  const target = { scope: 'service' as const, name };
  const shown = plainText(name, 80);
  const node = isMuted
    ? button('Unmute', () => ctx.snooze(target, 'off'), { focusKey: `mute:${name}`, title: `Notify about ${shown} again` })
    : button('Mute 1 h', () => ctx.snooze(target, '1h'), { focusKey: `mute:${name}`, title: `No notifications about ${shown} for an hour; its colour still shows` });
  node.classList.add('btn-mute');
  return node;
}

function probeLine(label: string, probe: ProbeView): HTMLElement {
  const failures = probe.recentFailures > 0 ? ` · ${probe.recentFailures} of last ${probe.recentCount} failed` : '';
  return el('div', { class: `row-sub ${probe.ok ? '' : 'crit-text'}`.trim(), title: probe.url }, `${label}: `, hostText(probe.measured, 80), failures);
}
