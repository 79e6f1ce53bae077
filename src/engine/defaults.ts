import { CONFIG_SCHEMA, type SchemaNode } from '../common/config-schema.js';
import type { AppConfig, NotificationConfig, Thresholds } from '../common/config.js';

/** The `default` of every property that has one; an object without its own default gives its properties'. */
function defaultsOf(schema: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    if ('default' in node) out[key] = structuredClone(node.default);
    else if (node.type === 'object' && node.properties) out[key] = defaultsOf(node);
  }
  return out;
}

/** The defaults the schema carries (common/config-schema.ts); docs/judgement.md gives the reason for each threshold. */
const SCHEMA_DEFAULTS = defaultsOf(CONFIG_SCHEMA as SchemaNode) as {
  intervalSeconds: number;
  discovery: boolean;
  launchAtLogin: boolean;
  app: AppConfig;
  thresholds: Thresholds;
  notifications: NotificationConfig;
};

export const DEFAULT_THRESHOLDS: Thresholds = SCHEMA_DEFAULTS.thresholds;
export const DEFAULT_NOTIFICATIONS: NotificationConfig = SCHEMA_DEFAULTS.notifications;
/** The top-level scalars and the app's: what resolveConfig fills when the file leaves them out. */
export const DEFAULT_SETTINGS = { intervalSeconds: SCHEMA_DEFAULTS.intervalSeconds, discovery: SCHEMA_DEFAULTS.discovery, launchAtLogin: SCHEMA_DEFAULTS.launchAtLogin, app: SCHEMA_DEFAULTS.app };

/** Reminders more often than this are the nagging that trains operators to ignore Warden. */
export const MIN_REMINDER_HOURS = 4;

/** Probe samples taken this soon after wake from sleep do not count: Wi-Fi, DNS and swapped-out servers are still waking. */
export const WAKE_GRACE_SECONDS = 180;

/** A latency below this is never "slow", whatever the ratio: 2 ms → 11 ms on loopback is noise. */
export const SLOW_MIN_MS = 250;

/**
 * Memory and process findings are causes: they turn the tray red at once, but page on their own
 * only after this long. A symptom they explain (a service not answering) pages at once with them
 * as its cause; a host that stays exhausted with no service to show it still pages, as itself.
 */
export const CAUSE_PAGES_ALONE_AFTER_MINUTES = 30;

/**
 * A memory or process finding is judged afresh from every sample; for pending and recovery one
 * observation of it is a stretch this long (the default cycle), so at a 1 s cycle it takes 5
 * samples. A two-sample spike at 1 s then confirms no more than a one-sample one at 5 s.
 */
export const CAUSE_OBSERVATION_SECONDS = 5;
