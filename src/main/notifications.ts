/**
 * Shows what the engine decided to notify (the engine already grouped, delayed and muted) and
 * the outcome of actions the popover is no longer there to show. A notification that macOS
 * refuses (unsigned builds on recent macOS fail with `failed`) is logged; the tray colour still
 * carries the state.
 */
import type { Notification as WardenNotification } from '../common/findings.js';
import type { ActionOffer, ActionResult } from '../common/services.js';

export interface NotificationOptions {
  title: string;
  body: string;
  silent: boolean;
  urgency: 'low' | 'normal' | 'critical';
}

/** The part of Electron's Notification this module uses. */
export interface NotificationLike {
  show(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
}

export type NotificationCtor = new (options: NotificationOptions) => NotificationLike;

export interface NotificationCenterOptions {
  Notification: NotificationCtor;
  isSupported(): boolean;
  /** Opens the popover, at the incident when there is one. */
  open(incidentId: string | null): void;
  log(line: string): void;
}

/** macOS shows about this much of a body; past it the rest is cut with an ellipsis of our own. */
const BODY_MAX = 400;

export class NotificationCenter {
  /** Held until closed: an Electron Notification that is garbage-collected loses its click handler. */
  private readonly live = new Set<NotificationLike>();
  private failures = 0;

  constructor(private readonly opts: NotificationCenterOptions) {}

  show(notification: WardenNotification): void {
    const incidentId = notification.kind === 'action' ? null : notification.incidentId;
    this.post(
      {
        title: notification.title,
        body: notification.body,
        silent: notification.severity !== 'crit',
        urgency: notification.severity === 'crit' ? 'critical' : 'normal',
      },
      incidentId,
    );
  }

  /** An action's outcome, shown when the popover that asked for it is gone. */
  actionOutcome(result: ActionResult, offer: ActionOffer): void {
    const title = result.ok ? `${offer.label}: done` : `${offer.label}: failed`;
    const downtime = result.downtimeSeconds === null ? '' : ` Downtime ${Math.round(result.downtimeSeconds)} s.`;
    this.post({ title, body: `${result.message}${downtime}`, silent: result.ok, urgency: result.ok ? 'normal' : 'critical' }, null);
  }

  failedCount(): number {
    return this.failures;
  }

  private post(options: NotificationOptions, incidentId: string | null): void {
    if (!this.opts.isSupported()) {
      this.opts.log(`notification not shown (not supported here): ${options.title}`);
      return;
    }
    const body = options.body.length > BODY_MAX ? `${options.body.slice(0, BODY_MAX - 1)}…` : options.body;
    const note = new this.opts.Notification({ ...options, body });
    const release = () => this.live.delete(note);
    note.on('click', () => {
      release();
      this.opts.open(incidentId);
    });
    note.on('close', release);
    note.on('failed', (_event, error) => {
      release();
      this.failures += 1;
      this.opts.log(
        `notification failed (${String(error).slice(0, 200)}): "${options.title}". ` +
          'Unsigned builds cannot notify on recent macOS; the menu-bar colour still shows the state.',
      );
    });
    this.live.add(note);
    note.show();
  }
}
