/**
 * The config file's one schema. From it come the TypeScript types (common/config.ts), the
 * validator ajv compiles at build time (scripts/build.mjs), electron-store's schema, the IPC and
 * HTTP argument checks (common/schema-check.ts), the defaults, and the settings form's labels,
 * units and limits. Annotations the form reads: `title` (the label), `unit`, `scale` (the unit's
 * size in the stored value's), `allowControls` (a string that may hold newlines and tabs).
 * The build replaces this module by its values as JSON (scripts/build.mjs), so no bundle loads
 * TypeBox: it holds data only, and its readers live beside their users.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const GB = 1e9;

/** Built-in log patterns for servers whose logs print timings. */
export const LOG_BUILTINS = {
  /** llama.cpp (llama-server, llama_perf_context_print): "prompt eval time =    2441.22 ms /   161 tokens". */
  'llama.cpp': { name: 'prompt eval', pattern: 'prompt eval time =\\s*(?<v>[\\d.]+) ms', unit: 'ms' },
} as const;
export type LogBuiltin = keyof typeof LOG_BUILTINS;

/** Annotations the settings form reads; ajv (strict: false) passes over them. */
interface Annotations {
  title?: string;
  unit?: string;
  scale?: number;
  description?: string;
}

// `enum` and `const` as JSON Schema writes them (TypeBox's unions of literals would be anyOf).
const values = <const T extends string>(list: readonly T[], opts: Annotations = {}) => Type.Unsafe<T>({ enum: [...list], ...opts });
const tag = <const T extends string>(value: T) => Type.Unsafe<T>({ const: value });
/** Objects told apart by one tag field (supervisor.kind, schedule.every). */
const tagged = <T extends TSchema[]>(tagName: string, branches: [...T]) =>
  Type.Unsafe<Static<T[number]>>({ type: 'object', required: [tagName], oneOf: branches });
const closed = <P extends Record<string, TSchema>>(properties: P, opts: Annotations = {}) => Type.Object(properties, { additionalProperties: false, ...opts });
const nullable = <T extends TSchema>(schema: T, opts: Record<string, unknown> = {}) => Type.Union([Type.Null(), schema], opts);
const { Optional: optional } = Type;

const absolutePath = (opts: Annotations = {}) => Type.String({ minLength: 1, maxLength: 4096, description: 'An absolute path; "~/" means the home folder. No ".." segments.', ...opts });
const argv = Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 64 });
const seconds = (minimum: number, maximum: number, opts: Annotations & { default?: number } = {}) => Type.Number({ minimum, maximum, ...opts });
const name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$', patternText: 'must not contain control characters', title: 'Name' });
const httpUrl = (opts: Annotations = {}) => Type.String({ maxLength: 2048, pattern: '^https?://', patternText: 'must be an http:// or https:// URL', ...opts });
const port = (opts: Annotations = {}) => Type.Integer({ minimum: 1, maximum: 65535, ...opts });
const hourMinute = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const hour = Type.Integer({ minimum: 0, maximum: 23 });
const minute = Type.Integer({ minimum: 0, maximum: 59 });

// A supervisor, written once: services take all three kinds (a launchd one may name its plist), jobs launchd or systemd.
const launchdFields = {
  kind: tag('launchd'),
  label: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._-]+$', patternText: 'may hold only letters, digits, ".", "_" and "-"', title: 'launchd label' }),
  /** Default gui/<uid>. */
  domain: optional(Type.String({ pattern: '^(gui|user)/[0-9]+$|^system$' })),
};
const systemdSupervisor = closed({
  kind: tag('systemd'),
  unit: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9:_.@\\\\-]+$', patternText: 'is not a systemd unit name', title: 'systemd unit' }),
  scope: optional(values(['user', 'system'])),
});
const commandSupervisor = closed({
  kind: tag('command'),
  start: argv,
  stop: optional(argv),
  cwd: optional(absolutePath()),
  pidfile: optional(absolutePath()),
  port: optional(port()),
});
export const SupervisorSchema = tagged('kind', [closed({ ...launchdFields, plist: optional(absolutePath()) }), systemdSupervisor, commandSupervisor]);
export const JobSupervisorSchema = tagged('kind', [closed(launchdFields), systemdSupervisor]);

/**
 * One number from a service's log: `pattern` is a regular expression with one named group `v`
 * (digits; thousands commas allowed), e.g. `prefill_us=(?<v>[\d,]+)` with unit "us". Or
 * `builtin` names a known server's pattern (name and unit come with it).
 */
export const ServiceLogSchema = closed({
  path: absolutePath(),
  name: optional(Type.String({ minLength: 1, maxLength: 60 })),
  pattern: optional(Type.String({ minLength: 1, maxLength: 500 })),
  /** "us", "ms" or "s" are times (shown as durations); anything else is shown after the number. */
  unit: optional(Type.String({ minLength: 1, maxLength: 20 })),
  builtin: optional(values(Object.keys(LOG_BUILTINS) as LogBuiltin[])),
});

export const ServiceSchema = closed({
  name,
  /** Health URL, e.g. http://127.0.0.1:1337/v1/models. Loopback or any host the user names. */
  url: optional(httpUrl({ title: 'Health URL' })),
  port: optional(port({ title: 'Port', unit: '' })),
  expect: optional(closed({
    status: optional(Type.Integer({ minimum: 100, maximum: 599 })),
    jsonField: optional(Type.String({ minLength: 1, maxLength: 200 })),
    keyword: optional(Type.String({ minLength: 1, maxLength: 200 })),
  })),
  timeoutSeconds: optional(seconds(0.1, 300, { title: 'Answer within', unit: 's' })),
  intervalSeconds: optional(seconds(1, 86400)),
  /** Opt-in deep probe; may load a model on the server. */
  canary: optional(closed({
    url: httpUrl(),
    method: optional(values(['GET', 'POST'])),
    body: optional(Type.String({ maxLength: 65536, allowControls: true })),
    timeoutSeconds: optional(seconds(0.1, 600)),
    intervalSeconds: optional(seconds(5, 86400)),
  })),
  supervisor: optional(SupervisorSchema),
  /** Substring of the command line that identifies the server's process. */
  match: optional(Type.String({ minLength: 1, maxLength: 1000, title: 'Process command line contains' })),
  /** Numbers the server prints in its own log, tailed each cycle (opt in). */
  logs: optional(Type.Array(ServiceLogSchema, { maxItems: 20 })),
});

export const WatchedFileSchema = closed({
  path: absolutePath({ title: 'Path' }),
  name: optional(name),
  maxHeldMinutes: optional(seconds(0.05, 525600, { title: 'Held too long after', unit: 'min' })),
});

export const JobScheduleSchema = tagged('every', [
  closed({ every: tag('week'), weekday: Type.Integer({ minimum: 0, maximum: 6, description: '0 = Sunday, as launchd counts' }), hour, minute }),
  closed({ every: tag('day'), hour, minute }),
  closed({ every: tag('interval'), seconds: Type.Integer({ minimum: 1 }) }),
]);

export const JobSchema = closed({
  name,
  supervisor: JobSupervisorSchema,
  schedule: optional(JobScheduleSchema),
  graceMinutes: optional(seconds(0, 10080, { title: 'Overdue after', unit: 'min' })),
  logPath: optional(absolutePath({ title: 'Log file' })),
});

/** A threshold: at least 0, its default, and how the form shows it. docs/judgement.md gives the reason for each number. */
const threshold = (value: number, title: string, unit = '', scale?: number) => optional(Type.Number({ minimum: 0, default: value, title, unit, ...(scale ? { scale } : {}) }));

// Key order is the resolved config's; the form lists them in its own order (renderer/settings.ts).
export const ThresholdsSchema = closed({
  /** A process this big that appeared inside the window is an arrival. In GiB as memory is shown; rates stay in decimal GB/h. */
  arrivalMinBytes: threshold(2 * GiB, 'Arrival: at least', 'GiB', GiB),
  arrivalWindowMinutes: threshold(30, 'Arrival: within', 'min'),
  growthMinWindowMinutes: threshold(20, 'Growth: measured over at least', 'min'),
  growthMinR2: threshold(0.8, 'Growth: fit at least (R²)'),
  /** 0.5 GB/h, in the decimal GB that rates are shown in (512 MiB/h is 0.537 GB/h and let a 0.52 GB/h leak pass). */
  growthMinBytesPerHour: threshold(0.5e9, 'Growth: at least', 'GB/h', GB),
  /** A thief whose growth exhausts available memory within this many hours → warn. */
  growthExhaustWarnHours: threshold(2, 'Warn when memory runs out within', 'h'),
  sustainedCpuPercent: threshold(150, 'CPU thief above', '%'),
  sustainedCpuMinutes: threshold(10, 'CPU thief for at least', 'min'),
  topByMemory: threshold(5, 'Processes listed by memory'),
  swapOutWarnBytesPerSec: threshold(1 * MiB, 'Swap-out warning above', 'MiB/s', MiB),
  availableCritPercent: threshold(5, 'Available memory critical below', '%'),
  probeFailuresN: threshold(3, 'Probe failures (N)'),
  probeWindowM: threshold(5, '… within probes (M)'),
  latencyWarnFactor: threshold(5, 'Slow at baseline ×'),
  lockMaxHeldMinutes: threshold(30, 'Lock held longer than', 'min'),
  jobGraceMinutes: threshold(60, 'Job overdue after', 'min'),
});

/**
 * Where notices go besides the native notification. The URL and the bearer are secrets (a
 * Slack or ntfy URL is itself the credential): they never appear in the State, logs, captures
 * or /metrics; the channel is known there by its name.
 */
export const ChannelSchema = closed({
  kind: values(['webhook', 'ntfy', 'slack']),
  url: httpUrl(),
  /** How the CLI, the State and /metrics name it; default the kind (kind-2, kind-3… when repeated). */
  name: optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' })),
  /** webhook and ntfy: sent as `Authorization: Bearer …`. */
  bearer: optional(Type.String({ minLength: 1, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$' })),
  /** Deadline of one attempt; default 10. */
  timeoutSeconds: optional(seconds(1, 60)),
  /** Retries with backoff stop this long after the notice was queued; default 30. */
  retryMinutes: optional(seconds(0, 1440)),
});

export const NotificationsSchema = closed({
  onWarn: optional(Type.Boolean({ default: false, title: 'Notify on amber, not only red' })),
  recovery: optional(Type.Boolean({ default: true, title: 'Say when it recovers' })),
  recoveryAfterCycles: optional(Type.Integer({ minimum: 1, maximum: 1000, default: 3 })),
  /** null = off (the default); otherwise at least 4. */
  reminderHours: optional(nullable(Type.Number({ minimum: 4, maximum: 720 }), { default: null, title: 'Remind while red, every', unit: 'h' })),
  quietHours: optional(nullable(closed({ start: hourMinute, end: hourMinute }), { default: null, title: 'Quiet hours' })),
  pendingCycles: optional(Type.Integer({ minimum: 1, maximum: 100, default: 2 })),
  pendingWindow: optional(Type.Integer({ minimum: 1, maximum: 100, default: 3 })),
  groupSeconds: optional(Type.Number({ minimum: 0, maximum: 3600, default: 30 })),
  channels: optional(Type.Array(ChannelSchema, {
    maxItems: 20,
    default: [],
    description: 'Where notices go besides the native notification: a webhook (JSON, docs/webhook.md), ntfy, or a Slack/Discord incoming webhook.',
  })),
});

/** /metrics from the app or `warden watch` (opt in): loopback unless `listen` says otherwise. */
export const MetricsSchema = Type.Object({
  port: port(),
  /** Address to bind; default 127.0.0.1. Any other needs `tokenFile`. */
  listen: optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[0-9A-Za-z.:\\[\\]-]+$' })),
  /** A file (mode 0600) holding the bearer token every request must carry. */
  tokenFile: optional(absolutePath()),
}, { additionalProperties: false, description: 'Serve Prometheus /metrics from the app and `warden watch` (docs/metrics.md).' });

/** The app's own behaviour (Electron only; the CLI ignores it). */
export const AppSchema = closed({
  globalShortcut: optional(Type.Union([
    Type.Null(),
    Type.String({
      maxLength: 80,
      // At least one modifier: a bare key taken system-wide would be lost to every other app.
      pattern: '^((CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|Shift|Super|Meta)\\+){1,4}([A-Z0-9]|F([1-9]|1[0-9]|2[0-4])|Space|[,./;=`-])$',
    }),
  ], {
    default: null,
    title: 'Shortcut to open Warden from any app',
    description: 'Opens the popover from any app, e.g. "CmdOrCtrl+Shift+M" (Electron accelerator, at least one modifier). Off unless set.',
  })),
});

/** The config file: every field optional, defaults fill the rest (engine/config.ts resolveConfig). */
export const CONFIG_SCHEMA = Type.Object({
  $schema: optional(Type.String({ maxLength: 2048 })),
  intervalSeconds: optional(seconds(1, 3600, { default: 5, description: 'How often memory and processes are sampled.', title: 'Sample every', unit: 's' })),
  discovery: optional(Type.Boolean({ default: true, description: 'Find local LLM servers on their default ports.', title: 'Find local LLM servers on their usual ports' })),
  launchAtLogin: optional(Type.Boolean({ default: false, title: 'Launch at login' })),
  app: optional(AppSchema),
  metrics: optional(MetricsSchema),
  services: optional(Type.Array(ServiceSchema, { maxItems: 500 })),
  /** Folders holding models besides the known servers' own (their free space is a candidate cause). */
  modelFolders: optional(Type.Array(absolutePath(), { maxItems: 50 })),
  watchedFiles: optional(Type.Array(WatchedFileSchema, { maxItems: 500 })),
  jobs: optional(Type.Array(JobSchema, { maxItems: 500 })),
  thresholds: optional(ThresholdsSchema),
  notifications: optional(NotificationsSchema),
}, { $schema: 'http://json-schema.org/draft-07/schema#', title: 'Warden config', additionalProperties: false });

/** A schema node as the readers here walk it (plain JSON Schema). */
export interface SchemaNode {
  type?: string;
  title?: string;
  unit?: string;
  scale?: number;
  default?: unknown;
  const?: unknown;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}
