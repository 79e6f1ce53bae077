/** The one config file shared by the app and the CLI. Zero config is a valid config. */

export type SupervisorConfig =
  | { kind: 'launchd'; label: string; /** default gui/<uid> */ domain?: string; plist?: string }
  | { kind: 'systemd'; unit: string; scope?: 'user' | 'system' }
  | {
      kind: 'command';
      start: string[];
      stop?: string[];
      cwd?: string;
      pidfile?: string;
      port?: number;
    };

export interface ServiceConfig {
  name: string;
  /** Health URL, e.g. http://127.0.0.1:1337/v1/models. Loopback or any host the user names. */
  url?: string;
  port?: number;
  expect?: { status?: number; jsonField?: string; keyword?: string };
  timeoutSeconds?: number;
  intervalSeconds?: number;
  /** Opt-in deep probe; may load a model on the server. */
  canary?: {
    url: string;
    method?: 'GET' | 'POST';
    body?: string;
    timeoutSeconds?: number;
    intervalSeconds?: number;
  };
  supervisor?: SupervisorConfig;
  /** Substring of the command line that identifies the server's process. */
  match?: string;
  /** Numbers the server prints in its own log, tailed each cycle (opt in). */
  logs?: ServiceLogConfig[];
}

/** Built-in log patterns for servers whose logs print timings. */
export const LOG_BUILTINS = {
  /** llama.cpp (llama-server, llama_perf_context_print): "prompt eval time =    2441.22 ms /   161 tokens". */
  'llama.cpp': { name: 'prompt eval', pattern: 'prompt eval time =\\s*(?<v>[\\d.]+) ms', unit: 'ms' },
} as const;
export type LogBuiltin = keyof typeof LOG_BUILTINS;

/**
 * One number from a service's log: `pattern` is a regular expression with one named group `v`
 * (digits; thousands commas allowed), e.g. `prefill_us=(?<v>[\d,]+)` with unit "us". Or
 * `builtin` names a known server's pattern (name and unit come with it).
 */
export interface ServiceLogConfig {
  path: string;
  name?: string;
  pattern?: string;
  /** "us", "ms" or "s" are times (shown as durations); anything else is shown after the number. */
  unit?: string;
  builtin?: LogBuiltin;
}

export interface WatchedFileConfig {
  path: string;
  name?: string;
  maxHeldMinutes?: number;
}

export type JobSchedule =
  | { every: 'week'; weekday: number; hour: number; minute: number }
  | { every: 'day'; hour: number; minute: number }
  | { every: 'interval'; seconds: number };

export interface JobConfig {
  name: string;
  supervisor: { kind: 'launchd'; label: string; domain?: string } | { kind: 'systemd'; unit: string; scope?: 'user' | 'system' };
  schedule?: JobSchedule;
  graceMinutes?: number;
  logPath?: string;
}

export interface Thresholds {
  /** A process this big that appeared inside the window is an arrival. */
  arrivalMinBytes: number;
  arrivalWindowMinutes: number;
  growthMinWindowMinutes: number;
  growthMinR2: number;
  growthMinBytesPerHour: number;
  /** A thief whose growth exhausts available memory within this many hours → warn. */
  growthExhaustWarnHours: number;
  sustainedCpuPercent: number;
  sustainedCpuMinutes: number;
  topByMemory: number;
  swapOutWarnBytesPerSec: number;
  availableCritPercent: number;
  probeFailuresN: number;
  probeWindowM: number;
  latencyWarnFactor: number;
  lockMaxHeldMinutes: number;
  jobGraceMinutes: number;
}

export type ChannelKind = 'webhook' | 'ntfy' | 'slack';

/**
 * Where notices go besides the native notification. The URL and the bearer are secrets (a
 * Slack or ntfy URL is itself the credential): they never appear in the State, logs, captures
 * or /metrics; the channel is known there by its name.
 */
export interface ChannelConfig {
  kind: ChannelKind;
  url: string;
  /** How the CLI, the State and /metrics name it; default the kind (kind-2, kind-3… when repeated). */
  name?: string;
  /** webhook and ntfy: sent as `Authorization: Bearer …`. */
  bearer?: string;
  /** Deadline of one attempt; default 10. */
  timeoutSeconds?: number;
  /** Retries with backoff stop this long after the notice was queued; default 30. */
  retryMinutes?: number;
}

export interface NotificationConfig {
  onWarn: boolean;
  recovery: boolean;
  recoveryAfterCycles: number;
  /** null = off (the default); otherwise at least 4. */
  reminderHours: number | null;
  quietHours: { start: string; end: string } | null;
  pendingCycles: number;
  pendingWindow: number;
  groupSeconds: number;
  channels: ChannelConfig[];
}

/** /metrics from the app or `warden watch` (opt in): loopback unless `listen` says otherwise. */
export interface MetricsConfig {
  port: number;
  /** Address to bind; default 127.0.0.1. Any other needs `tokenFile`. */
  listen?: string;
  /** A file (mode 0600) holding the bearer token every request must carry. */
  tokenFile?: string;
}

/** The app's own behaviour (Electron only; the CLI ignores it). */
export interface AppConfig {
  /** An Electron accelerator that opens the popover from anywhere (e.g. "CmdOrCtrl+Shift+M"); null: none, the default. */
  globalShortcut: string | null;
}

export interface WardenConfig {
  intervalSeconds: number;
  discovery: boolean;
  services: ServiceConfig[];
  watchedFiles: WatchedFileConfig[];
  jobs: JobConfig[];
  thresholds: Thresholds;
  notifications: NotificationConfig;
  launchAtLogin: boolean;
  app: AppConfig;
  /** null: no /metrics of its own (warden serve has one on its page's port). */
  metrics: MetricsConfig | null;
  /** Folders holding models besides the known servers' own (their free space is a candidate cause). */
  modelFolders?: string[];
}

/** What a config file may hold: every field optional, defaults fill the rest. */
export type WardenConfigInput = Partial<Omit<WardenConfig, 'thresholds' | 'notifications' | 'metrics' | 'app'>> & {
  app?: Partial<AppConfig>;
  metrics?: MetricsConfig;
  thresholds?: Partial<Thresholds>;
  notifications?: Partial<NotificationConfig>;
};
