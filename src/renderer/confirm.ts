/**
 * The confirmation before any repair: it shows the engine's own sentence of exactly what will
 * happen, Cancel has the focus, Escape cancels. Then the outcome, step by step.
 */
import type { WardenApi } from '../common/api.js';
import { formatDuration } from '../common/format.js';
import type { ActionOffer, ActionResult } from '../common/services.js';
import { errorText } from '../common/result.js';
import { fileNameOf, plainText } from '../common/text.js';
import { button, clear, el, hostText } from './dom.js';

export class ConfirmDialog {
  private readonly dialog: HTMLDialogElement;
  private running = false;

  constructor(private readonly api: WardenApi) {
    this.dialog = el('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' });
    this.dialog.addEventListener('cancel', (event) => {
      // Escape while an action runs would hide its outcome; it closes once the result is shown.
      if (this.running) event.preventDefault();
    });
    document.body.appendChild(this.dialog);
  }

  isOpen(): boolean {
    return this.dialog.open;
  }

  open(offer: ActionOffer): void {
    const target = fileNameOf(offer.target);
    const cancel = button('Cancel', () => this.dialog.close(), { kind: 'plain' });
    const confirm = button('Confirm', () => void this.run(offer), { kind: offer.kind === 'release' ? 'danger' : 'primary' });
    this.fill(
      el('h2', { id: 'confirm-title' }, `${offer.label} `, hostText(target, 40)),
      el('p', { id: 'confirm-text', class: 'confirm-text' }, plainText(offer.confirm, 2000)),
      el('div', { class: 'dialog-buttons' }, cancel, confirm),
    );
    if (!this.dialog.open) this.dialog.showModal();
    cancel.focus();
  }

  private async run(offer: ActionOffer): Promise<void> {
    this.running = true;
    this.fill(el('h2', { id: 'confirm-title' }, `${offer.label}…`), el('p', { id: 'confirm-text', class: 'muted', role: 'status' }, 'Working. This can take half a minute; nothing else is touched.'));
    let result: ActionResult | null = null;
    let failure: string | null = null;
    try {
      result = await this.api.runAction(offer.id);
    } catch (error) {
      failure = errorText(error).replace(/^Error invoking remote method '[^']+': (Ipc)?(Rejection|Error): /, '');
    }
    this.running = false;
    const close = button('Close', () => this.dialog.close(), { kind: 'primary' });
    if (result) {
      this.fill(
        el('h2', { id: 'confirm-title', class: result.ok ? 'ok-text' : 'crit-text' }, result.ok ? `${offer.label}: done` : `${offer.label}: failed`),
        el('p', { id: 'confirm-text', role: 'status' }, plainText(result.message, 600)),
        result.steps.length > 0 ? el('ol', { class: 'steps' }, ...result.steps.slice(0, 20).map((step) => el('li', {}, hostText(step, 200)))) : null,
        result.downtimeSeconds !== null ? el('p', { class: 'muted' }, `Downtime ${formatDuration(result.downtimeSeconds)}`) : null,
        el('div', { class: 'dialog-buttons' }, close),
      );
    } else {
      this.fill(
        el('h2', { id: 'confirm-title', class: 'crit-text' }, `${offer.label}: not done`),
        el('p', { id: 'confirm-text', role: 'status' }, plainText(failure ?? 'unknown error', 600)),
        el('div', { class: 'dialog-buttons' }, close),
      );
    }
    close.focus();
  }

  private fill(...children: (Node | null)[]): void {
    clear(this.dialog);
    for (const child of children) if (child) this.dialog.appendChild(child);
  }
}
