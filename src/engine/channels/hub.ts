/**
 * Delivers the engine's notices to the configured channels, beside the engine's cycle and never
 * inside it: the cycle only queues (a small file write), and every attempt runs on its own
 * timer with its own deadline, so a receiver that hangs holds up nothing but its own queue.
 *
 * Each channel is a queue in order (an incident's open notice before its recovery). A failed
 * attempt is retried with backoff until `retryMinutes` after the notice was queued; a receiver
 * that refuses the request (4xx other than 408 and 429) is not retried. What was delivered and
 * what was given up on goes to the incident history and the State, never silently dropped.
 *
 * The queue lives in the data folder beside the journal (outbox.json) and survives a restart. A
 * notice is removed once its receiver answered 2xx; a crash between that answer and the write
 * can send it once more after the restart, with the same delivery id (receivers can drop it).
 */
import type { ChannelConfig, ChannelKind } from '../../common/config.js';
import type { Notification } from '../../common/findings.js';
import type { ChannelView } from '../../common/state.js';
import { plainText } from '../../common/text.js';
import { formatDuration } from '../../common/format.js';
import type { HttpRequest, HttpResult } from '../../platform/facts.js';
import { httpRequest } from '../../platform/http.js';
import type { HistoryStore } from '../history.js';
import type { IncidentEvent } from '../incident-event.js';
import { deliveryId, type Notice } from './format.js';
import { nameChannels, type NamedChannel } from './names.js';
import { attemptDelivery, type AttemptResult } from './attempt.js';

export { nameChannels, type NamedChannel } from './names.js';
export { DEFAULT_TIMEOUT_SECONDS, type AttemptResult } from './attempt.js';

export const OUTBOX = 'outbox.json';
export const DEFAULT_RETRY_MINUTES = 30;
const FIRST_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Notices kept per channel; past this the oldest is given up on (a receiver down for days). */
const MAX_QUEUED = 200;
/** How long stop() waits for attempts in flight before it writes the queue and returns. */
const STOP_WAIT_MS = 2_000;

interface Queued {
  id: string;
  channel: string;
  notice: Notice;
  queuedAt: number;
  attempts: number;
  nextAt: number;
  firstFailedAt: number | null;
  lastError: string | null;
}

interface Outbox {
  version: 1;
  queued: Queued[];
}

interface Stats {
  sentTotal: number;
  failedTotal: number;
  lastSentAt: number | null;
  lastFailure: ChannelView['lastFailure'];
}

export interface ChannelHubOptions {
  history: HistoryStore | null;
  host: { hostname: string; platform: string };
  now?: () => number;
  log?: (line: string) => void;
  /** The HTTP client; the platform's, with its deadline, by default. */
  send?: (request: HttpRequest) => Promise<HttpResult>;
  firstBackoffMs?: number;
}

export class ChannelHub {
  private channels: NamedChannel[] = [];
  private queue: Queued[] = [];
  private readonly stats = new Map<string, Stats>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private stopped = false;
  private readonly now: () => number;
  private readonly send: (request: HttpRequest) => Promise<HttpResult>;
  private readonly firstBackoffMs: number;

  private constructor(private readonly opts: ChannelHubOptions) {
    this.now = opts.now ?? Date.now;
    this.send = opts.send ?? httpRequest;
    this.firstBackoffMs = opts.firstBackoffMs ?? FIRST_BACKOFF_MS;
  }

  /** Loads the queue a previous run left in the data folder. Sending starts at configure(). */
  static async open(opts: ChannelHubOptions): Promise<ChannelHub> {
    const hub = new ChannelHub(opts);
    const saved = opts.history ? await opts.history.loadDocument(OUTBOX) : undefined;
    const outbox = saved as Partial<Outbox> | undefined;
    if (outbox?.version === 1 && Array.isArray(outbox.queued)) {
      hub.queue = outbox.queued.filter((q) => typeof q?.id === 'string' && typeof q.channel === 'string' && typeof q.notice?.title === 'string');
    }
    return hub;
  }

  configure(channels: readonly ChannelConfig[]): void {
    this.channels = nameChannels(channels);
    const known = new Set(this.channels.map((c) => c.name));
    const orphaned = this.queue.filter((q) => !known.has(q.channel));
    if (orphaned.length > 0) {
      this.queue = this.queue.filter((q) => known.has(q.channel));
      for (const q of orphaned) this.opts.log?.(`channel ${q.channel} is no longer configured: "${plainText(q.notice.title, 80)}" not delivered`);
      void this.persist();
    }
    this.kick();
  }

  /** Queues each notice on every channel and writes the queue; sending happens beside the cycle. */
  async enqueue(notices: readonly Notification[]): Promise<void> {
    if (notices.length === 0 || this.channels.length === 0 || this.stopped) return;
    const now = this.now();
    const events: IncidentEvent[] = [];
    for (const notice of notices) {
      for (const { name } of this.channels) {
        const id = deliveryId(notice, name);
        if (this.queue.some((q) => q.id === id)) continue;
        this.queue.push({ id, channel: name, notice, queuedAt: now, attempts: 0, nextAt: now, firstFailedAt: null, lastError: null });
        const mine = this.queue.filter((q) => q.channel === name);
        if (mine.length > MAX_QUEUED) {
          // The oldest not being sent right now: an attempt in flight finishes on its own.
          const oldest = (this.inFlight.has(name) ? mine[1] : mine[0]) as Queued;
          this.queue = this.queue.filter((q) => q !== oldest);
          events.push(this.gaveUp(oldest, `dropped: more than ${MAX_QUEUED} notices waiting for this channel`, now));
        }
      }
    }
    await this.persist();
    if (events.length > 0) await this.opts.history?.append(events);
    this.kick();
  }

  views(now = this.now()): ChannelView[] {
    return this.channels.map(({ name, config }) => {
      const mine = this.queue.filter((q) => q.channel === name);
      const head = mine[0];
      const stats = this.statsOf(name);
      const retrying =
        head && head.attempts > 0 && head.lastError !== null
          ? {
              title: head.notice.title,
              attempts: head.attempts,
              since: head.firstFailedAt ?? head.queuedAt,
              error: head.lastError,
              nextAttemptAt: Math.max(now, head.nextAt),
              givesUpAt: head.queuedAt + retryMs(config),
            }
          : null;
      return {
        name,
        kind: config.kind,
        queued: mine.length,
        sentTotal: stats.sentTotal,
        failedTotal: stats.failedTotal,
        lastSentAt: stats.lastSentAt,
        retrying,
        lastFailure: stats.lastFailure,
      };
    });
  }

  /** Names of the configured channels, for the CLI. */
  names(): string[] {
    return this.channels.map((c) => c.name);
  }

  /** One attempt now on each channel (or the one named), outside the queue: `warden notify-test`. */
  async test(only: string | null): Promise<Array<{ name: string; kind: ChannelKind; result: AttemptResult }>> {
    const chosen = this.channels.filter((c) => only === null || c.name === only);
    const now = this.now();
    const notice: Notice = {
      incidentId: `test-${now}`,
      kind: 'test',
      severity: 'ok',
      title: 'Warden test notice',
      body: `If you can read this, Warden on ${this.opts.host.hostname} can reach you here.`,
      at: now,
    };
    return Promise.all(chosen.map(async (c) => ({ name: c.name, kind: c.config.kind, result: await attemptDelivery(this.send, c, notice, this.opts.host) })));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let timer: NodeJS.Timeout | undefined;
    const wait = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_WAIT_MS);
    });
    await Promise.race([Promise.allSettled([...this.inFlight.values()]), wait]);
    clearTimeout(timer);
    await this.persist();
  }

  // ---------------------------------------------------------------- sending

  /** Starts every due head of queue that is not in flight, then sleeps until the next one is due. */
  private kick(): void {
    if (this.stopped) return;
    const now = this.now();
    let nextDue = Infinity;
    for (const channel of this.channels) {
      if (this.inFlight.has(channel.name)) continue;
      const head = this.queue.find((q) => q.channel === channel.name);
      if (!head) continue;
      if (head.nextAt <= now) {
        const run = this.deliver(channel, head).finally(() => {
          this.inFlight.delete(channel.name);
          this.kick();
        });
        this.inFlight.set(channel.name, run);
      } else {
        nextDue = Math.min(nextDue, head.nextAt);
      }
    }
    if (nextDue === Infinity || nextDue >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = nextDue;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, nextDue - now));
    // The hub never keeps a process alive by itself: the engine's loop does, while it runs.
    this.timer.unref();
  }

  private async deliver(channel: NamedChannel, item: Queued): Promise<void> {
    const result = await attemptDelivery(this.send, channel, item.notice, this.opts.host);
    const now = this.now();
    item.attempts += 1;
    const stats = this.statsOf(channel.name);
    let event: IncidentEvent | null = null;
    if (result.ok) {
      this.queue = this.queue.filter((q) => q !== item);
      stats.sentTotal += 1;
      stats.lastSentAt = now;
      event = this.record(item, true, null, now);
    } else {
      item.lastError = result.text;
      item.firstFailedAt ??= now;
      const backoff = Math.min(MAX_BACKOFF_MS, this.firstBackoffMs * 2 ** (item.attempts - 1));
      const next = now + Math.max(backoff, Math.min(MAX_BACKOFF_MS, result.retryAfterMs ?? 0));
      const deadline = item.queuedAt + retryMs(channel.config);
      if (result.permanent || next > deadline) {
        this.queue = this.queue.filter((q) => q !== item);
        const why = result.permanent ? `${result.text} (refused: not retried)` : `${result.text}; gave up after ${item.attempts} attempts in ${formatDuration((now - item.queuedAt) / 1000)}`;
        event = this.gaveUp(item, why, now);
      } else {
        item.nextAt = next;
        this.opts.log?.(`channel ${channel.name}: "${plainText(item.notice.title, 80)}" not delivered (${result.text}); attempt ${item.attempts + 1} in ${formatDuration((next - now) / 1000)}`);
      }
    }
    await this.persist();
    if (event) await this.opts.history?.append([event]);
  }

  private gaveUp(item: Queued, why: string, now: number): IncidentEvent {
    const stats = this.statsOf(item.channel);
    stats.failedTotal += 1;
    stats.lastFailure = { at: now, title: item.notice.title, attempts: item.attempts, error: why };
    this.opts.log?.(`channel ${item.channel}: "${plainText(item.notice.title, 80)}" NOT DELIVERED: ${why}`);
    return this.record(item, false, why, now);
  }

  private record(item: Queued, ok: boolean, error: string | null, now: number): IncidentEvent {
    return {
      id: `${item.notice.incidentId}/delivery/${item.id}`,
      incidentId: item.notice.incidentId,
      type: 'delivery',
      at: now,
      delivery: { channel: item.channel, kind: item.notice.kind as Notification['kind'], title: item.notice.title, ok, attempts: item.attempts, error },
    };
  }

  private statsOf(name: string): Stats {
    let stats = this.stats.get(name);
    if (!stats) {
      stats = { sentTotal: 0, failedTotal: 0, lastSentAt: null, lastFailure: null };
      this.stats.set(name, stats);
    }
    return stats;
  }

  private async persist(): Promise<void> {
    const outbox: Outbox = { version: 1, queued: this.queue };
    await this.opts.history?.saveDocument(OUTBOX, outbox);
  }
}

function retryMs(config: ChannelConfig): number {
  return (config.retryMinutes ?? DEFAULT_RETRY_MINUTES) * 60_000;
}
