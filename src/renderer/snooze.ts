/** The snooze menu: mute notifications for an hour or until tomorrow; the tray and popover keep showing the truth. */
import type { SnoozeFor, WardenApi } from '../common/api.js';
import { errorText } from '../common/result.js';
import { button, clear, el } from './dom.js';

export class SnoozeMenu {
  private readonly menu: HTMLElement;
  /** The header is re-rendered on every State, so the opener is found again by its focus key. */
  private readonly openerSelector = '[data-focus="snooze"]';

  constructor(
    private readonly api: WardenApi,
    private readonly report: (message: string) => void,
  ) {
    this.menu = el('div', { class: 'menu', role: 'menu', 'aria-label': 'Snooze alerts', hidden: true });
    this.menu.addEventListener('keydown', (event) => this.onKey(event));
    document.addEventListener('mousedown', (event) => {
      const target = event.target as Element;
      if (!this.menu.hidden && !this.menu.contains(target) && !target.closest(this.openerSelector)) this.close(false);
    });
    document.body.appendChild(this.menu);
  }

  isOpen(): boolean {
    return !this.menu.hidden;
  }

  toggle(snoozed: boolean): void {
    if (!this.menu.hidden) {
      this.close(true);
      return;
    }
    this.opener()?.setAttribute('aria-expanded', 'true');
    clear(this.menu);
    const item = (label: string, duration: SnoozeFor) => {
      const node = button(label, () => void this.choose(duration), { kind: 'plain' });
      node.setAttribute('role', 'menuitem');
      node.className = 'menu-item';
      return node;
    };
    this.menu.appendChild(item('For 1 hour', '1h'));
    this.menu.appendChild(item('Until tomorrow', 'tomorrow'));
    if (snoozed) this.menu.appendChild(item('Resume alerts now', 'off'));
    this.menu.hidden = false;
    this.items()[0]?.focus();
  }

  private async choose(duration: SnoozeFor): Promise<void> {
    this.close(true);
    try {
      await this.api.snooze({ scope: 'all' }, duration);
    } catch (error) {
      this.report(`Snooze failed: ${errorText(error)}`);
    }
  }

  private items(): HTMLElement[] {
    return [...this.menu.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  }

  private onKey(event: KeyboardEvent): void {
    const items = this.items();
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      this.close(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = (at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    } else if (event.key === 'Tab') {
      this.close(false);
    }
  }

  private opener(): HTMLElement | null {
    return document.querySelector<HTMLElement>(this.openerSelector);
  }

  private close(returnFocus: boolean): void {
    this.menu.hidden = true;
    this.opener()?.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.opener()?.focus();
  }
}
