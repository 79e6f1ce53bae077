/**
 * Shows what the engine decided to notify (the engine already grouped, delayed and muted) and
 * the outcome of actions the popover is no longer there to show. A notification that macOS
 * refuses (unsigned builds on recent macOS fail with `failed`) is logged; the tray colour still
 * carries the state.
 */
import type { Notification as WardenNotification } from '../common/findings.js';
import type { ActionOffer, ActionResult } from '../common/services.js';
import { notificationBody } from './notification-text.js';

export interface NotificationOptions {
  title: string;
  body: string;
  silent: boolean;
  urgency: 'low' | 'normal' | 'critical';
  /** One group per incident: macOS stacks an incident's notices (its threadIdentifier). */
  groupId?: string;
  id?: string;
  /** macOS only: buttons; pressing one raises 'action' with its index. */
  actions?: Array<{ type: 'button'; text: string }>;
}

/** The part of Electron's Notification this module uses. */
export interface NotificationLike {
  show(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  on(event: 'action', listener: (event: unknown, index?: number) => void): unknown;
}

export type NotificationCtor = new (options: NotificationOptions) => NotificationLike;

export interface NotificationCenterOptions {
  Notification: NotificationCtor;
  isSupported(): boolean;
  /** Opens the popover, at the incident when there is one. */
  open(incidentId: string | null): void;
  /**
   * The action a notification's button offers for an incident, if any ({ id, label }), and what
   * pressing it does: open the popover at that action's confirm step. Nothing runs from a
   * notification without the confirm step.
   */
  offerFor?(incidentId: string): { id: string; label: string } | null;
  confirm?(incidentId: string, actionId: string): void;
  /** Action buttons are shown on macOS only. */
  platform: NodeJS.Platform;
  log(line: string): void;
}

export class NotificationCenter {
  /** Held until closed: an Electron Notification that is garbage-collected loses its click handler. */
  private readonly live = new Set<NotificationLike>();
  private failures = 0;

  constructor(private readonly opts: NotificationCenterOptions) {}

  show(notification: WardenNotification): void {
    const incidentId = notification.kind === 'action' ? null : notification.incidentId;
    const offer = incidentId !== null && notification.kind !== 'recovery' && this.opts.platform === 'darwin' ? (this.opts.offerFor?.(incidentId) ?? null) : null;
    this.post(
      {
        title: notification.title,
        body: notification.body,
        silent: notification.severity !== 'crit',
        urgency: notification.severity === 'crit' ? 'critical' : 'normal',
        groupId: `incident-${notification.incidentId}`,
        id: `${notification.incidentId}/${notification.kind}-${notification.at}`,
        ...(offer ? { actions: [{ type: 'button' as const, text: `${offer.label}…` }] } : {}),
      },
      incidentId,
      offer,
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

  private post(options: NotificationOptions, incidentId: string | null, offer: { id: string; label: string } | null = null): void {
    if (!this.opts.isSupported()) {
      this.opts.log(`notification not shown (not supported here): ${options.title}`);
      return;
    }
    const note = new this.opts.Notification({ ...options, body: notificationBody(options.body) });
    const release = () => this.live.delete(note);
    note.on('click', () => {
      release();
      this.opts.open(incidentId);
    });
    note.on('close', release);
    note.on('action', (event, index) => {
      const pressed = (event as { actionIndex?: number } | null)?.actionIndex ?? index ?? 0;
      release();
      if (offer && incidentId !== null && pressed === 0) this.opts.confirm?.(incidentId, offer.id);
    });
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
