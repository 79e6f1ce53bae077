import type { HostInfo } from '../common/state.js';
import type { Clock } from '../platform/clock.js';
import type { Effects } from '../platform/effects.js';
import type { Facts } from '../platform/facts.js';
import type { ProbeCadence } from '../platform/capture.js';
import type { LoadedConfig } from './config.js';
import type { HistoryStore } from './history.js';
import type { ChannelHub } from './channels/hub.js';
import type { HostIdentity } from '../common/host-identity.js';
import type { Part } from '../common/result.js';

/** What an Engine is built from (create.ts builds it for the app, the CLI and replays). */
export interface EngineDeps {
  facts: Facts;
  effects: Effects;
  clock: Clock;
  platform: 'darwin' | 'linux';
  host: HostInfo;
  home: string;
  config: LoadedConfig;
  /** The file setConfig writes and reloads; null for a replay. */
  configPath: string | null;
  history: HistoryStore | null;
  /** Replays and captures wait for every part to finish; live cycles have a deadline. */
  settleParts: boolean;
  replay: boolean;
  /**
   * Read the process table less often while green and steady (cadence.ts). On by default where
   * the facts can look pids up one by one (live hosts); false: the table every cycle.
   */
  adaptiveCadence?: boolean;
  /** Called at the start of every sample, before anything is read (captures file facts by sample). */
  onSampleStart?: (at: number) => void;
  log?: (line: string) => void;
  ownPid?: number;
  /** `warden watch --interval S`: wins over the config file's intervalSeconds, at every reload. */
  intervalSeconds?: number;
  /** Where actions.jsonl goes; null: actions are not logged to disk. */
  dataDir: string | null;
  /** IANA zone for schedules, quiet hours and snoozes (a replay: the recording host's); this machine's when absent. */
  timeZone?: string;
  /** Probe intervals by service name that win over the config's (a replay: what the recording engine used). */
  probeCadence?: Record<string, ProbeCadence>;
  /** What the operator should know about this engine's input (a replay of an old capture), shown in State.notes. */
  notes?: string[];
  /** Webhook, ntfy and Slack channels; null where nothing is delivered (status, capture, replay). */
  channels?: ChannelHub | null;
  /** Reads the host's identity (systeminformation): called at the first cycle and after a wake, never awaited by a cycle. */
  readIdentity?: () => Promise<Part<HostIdentity>>;
}
