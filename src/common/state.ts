import type { Severity } from './severity.js';
import type { MemoryView } from './memory.js';
import type { Thief } from './processes.js';
import type { JobView, LockView, ServiceView } from './services.js';
import type { Finding, IncidentView } from './findings.js';
import type { ModelServerView } from './models.js';

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

export interface HostInfo {
  platform: string;
  arch: string;
  hostname: string;
  uid: number;
  cpuCount: number;
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
}
