import type { Severity } from './severity.js';
import type { MemoryView } from './memory.js';
import type { Thief } from './processes.js';
import type { JobView, LockView, ServiceView } from './services.js';
import type { Finding, IncidentView } from './findings.js';
import type { ModelServerView } from './models.js';
import type { SensesView } from './senses.js';
import type { HostIdentity } from './host-identity.js';

export interface UnknownPart {
  part: string;
  reason: string;
}

/** One part of a cycle: read cleanly or not, and the time the cycle spent on it. */
export interface PartView {
  name: string;
  ok: boolean;
  /** null: not run this cycle (config, or a replay's clock standing still is 0). */
  seconds: number | null;
}

/** A notification channel (webhook, ntfy, Slack): what it delivered and what it could not. Never its URL. */
export interface ChannelView {
  name: string;
  kind: 'webhook' | 'ntfy' | 'slack';
  /** Notices waiting to be delivered, the one being retried included. */
  queued: number;
  /** Since this process started. */
  sentTotal: number;
  failedTotal: number;
  lastSentAt: number | null;
  /** The notice at the head of the queue is failing and being retried. */
  retrying: { title: string; attempts: number; since: number; error: string; nextAttemptAt: number; givesUpAt: number } | null;
  /** The last notice given up on (retries exhausted or refused by the receiver). */
  lastFailure: { at: number; title: string; attempts: number; error: string } | null;
}

export interface HostInfo {
  platform: string;
  arch: string;
  hostname: string;
  uid: number;
  cpuCount: number;
  /** OS, model, chip, cores, memory, GPU, read once at start and on wake (off the cycle); null until read. */
  identity?: HostIdentity | null;
}

/** The one object the tray, the popover, the CLI and /metrics all render. */
export interface State {
  version: 1;
  level: Severity;
  /** One line for the tray tooltip and the CLI's first line. */
  headline: string;
  generatedAt: number;
  /** When the last complete sample was taken; null before the first. */
  sampledAt: number | null;
  stale: boolean;
  intervalSeconds: number;
  host: HostInfo;
  memory: MemoryView | null;
  thieves: Thief[];
  services: ServiceView[];
  locks: LockView[];
  jobs: JobView[];
  /** What each local LLM server has loaded, one entry per server of a known kind. */
  models: ModelServerView[];
  findings: Finding[];
  incidents: IncidentView[];
  unknowns: UnknownPart[];
  snoozedUntil: number | null;
  /** Replay of a capture, not the live host. */
  replay: boolean;
  /** readOnly: another engine writes the data folder; this one records nothing there. */
  history: { available: boolean; reason: string | null; readOnly: boolean };
  /** What the operator should know that is neither a finding nor an unknown part (e.g. a replay of an old capture). */
  notes: string[];
  /** Each part of the last cycle: ok, and seconds spent on it. */
  parts: PartView[];
  /** Notification channels besides the native one, in config order. */
  channels: ChannelView[];
  /** Thermal, disk, load and the services' logs as read this cycle; null before the first cycle. */
  senses: SensesView | null;
}
