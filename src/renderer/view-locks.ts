/** Watched files: who holds each one, for how long, and the release that frees it. */
import { formatDuration } from '../common/format.js';
import { holderKindText, type LockView } from '../common/services.js';
import { fileNameOf } from '../common/text.js';
import type { ViewContext } from './context.js';
import { el, hostText } from './dom.js';
import { actions, muted, num, rowsSection } from './ui.js';

export function viewLocks(ctx: ViewContext): HTMLElement | null {
  return rowsSection('locks', 'Locks', ctx.state.locks, (l) => lockRow(l, ctx));
}

function lockRow(lock: LockView, ctx: ViewContext): HTMLElement {
  const name = fileNameOf(lock.path);
  const over = lock.heldSeconds !== null && lock.heldSeconds > lock.limitSeconds;
  const value = !lock.exists
    ? muted('file missing')
    : lock.heldSeconds === null
      ? muted('free')
      : el('span', { class: over ? 'warn-text' : '' }, 'held ', num(formatDuration(lock.heldSeconds)));
  return el(
    'li',
    { class: 'row lock' },
    el('div', { class: 'row-main' }, el('span', { class: 'row-name', title: lock.path }, hostText(name, 40, 'span', 'name')), el('span', { class: 'row-value' }, value)),
    ...lock.holders.slice(0, 4).map((h) =>
      el('div', { class: 'row-sub' }, muted(`PID ${h.pid} `), hostText(h.command || h.name, 70, 'code'), muted(` · ${holderKindText(h.kind)}`)),
    ),
    lock.holders.length > 0 ? el('div', { class: 'row-sub muted' }, `Limit ${formatDuration(lock.limitSeconds)}`) : null,
    lock.readerError ? el('div', { class: 'row-sub crit-text' }, hostText(lock.readerError, 120)) : null,
    // The engine's notes explain the holders (how held time is measured, what macOS can see); a free file needs none.
    lock.note && (lock.holders.length > 0 || lock.readerError) ? el('div', { class: 'row-sub muted' }, hostText(lock.note, 240)) : null,
    actions(lock.actions, ctx),
  );
}
