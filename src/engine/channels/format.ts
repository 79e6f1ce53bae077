/**
 * What each kind of channel is sent for one notice: pure, so the bodies are tested as text. The
 * title and body are the native notification's, word for word; remote channels add the host's
 * name, since the operator reading them is not at that Mac. The webhook body's schema is
 * docs/webhook.md (version 1).
 */
import type { ChannelConfig } from '../../common/config.js';
import type { Notification } from '../../common/findings.js';
import type { Severity } from '../../common/severity.js';
import { WARDEN_VERSION } from '../../common/version.js';

export const WEBHOOK_VERSION = 1;

/** A notice as a channel carries it: the engine's, or the one `warden notify-test` sends. */
export interface Notice extends Omit<Notification, 'kind'> {
  kind: Notification['kind'] | 'test';
}

export interface OutgoingRequest {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookBody {
  version: typeof WEBHOOK_VERSION;
  /** Unique per notice and channel; a receiver that sees it twice (a retry after a lost answer) drops the second. */
  deliveryId: string;
  kind: Notice['kind'];
  severity: Severity;
  title: string;
  body: string;
  incidentId: string;
  /** ISO 8601, UTC. */
  at: string;
  atMs: number;
  host: { hostname: string; platform: string };
  warden: { version: string };
}

/** ntfy's priorities: 5 max/urgent, 4 high, 3 default. */
const NTFY_PRIORITY: Record<Severity, number> = { crit: 5, warn: 4, unknown: 3, ok: 3 };
const NTFY_TAGS: Record<Severity, string> = { crit: 'rotating_light', warn: 'warning', unknown: 'grey_question', ok: 'white_check_mark' };

export function deliveryId(notice: Notice, channel: string): string {
  return `${notice.incidentId}/${notice.kind}-${notice.at}@${channel}`;
}

/** Header values must be Latin-1 on the wire; anything else goes as RFC 2047 UTF-8, which ntfy decodes. */
export function headerText(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ').trim();
  return /^[\x20-\x7e]*$/.test(line) ? line : `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

export function formatRequest(channel: ChannelConfig, name: string, notice: Notice, host: { hostname: string; platform: string }): OutgoingRequest {
  const auth: Record<string, string> = channel.bearer ? { authorization: `Bearer ${channel.bearer}` } : {};
  const footer = `— Warden on ${host.hostname}`;
  switch (channel.kind) {
    case 'webhook': {
      const body: WebhookBody = {
        version: WEBHOOK_VERSION,
        deliveryId: deliveryId(notice, name),
        kind: notice.kind,
        severity: notice.severity,
        title: notice.title,
        body: notice.body,
        incidentId: notice.incidentId,
        at: new Date(notice.at).toISOString(),
        atMs: notice.at,
        host: { hostname: host.hostname, platform: host.platform },
        warden: { version: WARDEN_VERSION },
      };
      return { headers: { 'content-type': 'application/json', 'x-warden-delivery': body.deliveryId, ...auth }, body: JSON.stringify(body) };
    }
    case 'ntfy': {
      const tags = notice.kind === 'test' ? 'test_tube' : NTFY_TAGS[notice.severity];
      return {
        headers: {
          'content-type': 'text/plain; charset=utf-8',
          title: headerText(notice.title),
          priority: String(notice.kind === 'test' ? 3 : NTFY_PRIORITY[notice.severity]),
          tags,
          ...auth,
        },
        body: [notice.body, footer].filter((line) => line !== '').join('\n'),
      };
    }
    case 'slack': {
      // Slack's incoming webhooks read `text`; Discord reads the same body at its URL + "/slack".
      const text = [`*${slackEscape(notice.title)}*`, slackEscape(notice.body), `_${slackEscape(footer)}_`].filter((line) => line !== '').join('\n');
      return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) };
    }
  }
}

/** Slack's three control characters; the rest of the text is shown as written. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Removes a channel's secrets from a text that might echo them (an error message, a log line). */
export function scrubSecrets(text: string, channel: ChannelConfig): string {
  const secrets = [channel.url, channel.bearer];
  try {
    const url = new URL(channel.url);
    secrets.push(url.pathname.length > 1 ? url.pathname : undefined, url.search || undefined, url.password || undefined, url.username || undefined);
  } catch {
    // not a URL: the whole string is scrubbed above
  }
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('…');
  return out;
}
