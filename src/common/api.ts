import type { State } from './state.js';
import type { ActionResult, ProbeView } from './services.js';
import type { ServiceConfig, WardenConfigInput } from './config.js';
import type { Notification } from './findings.js';
import type { ConfigFacts } from './config-facts.js';

/** One point of host memory history, for the popover's sparklines. */
export interface MemoryHistoryPoint {
  at: number;
  availableBytes: number;
  swapUsedBytes: number;
  totalBytes: number;
}

export type SnoozeTarget = { scope: 'all' } | { scope: 'service'; name: string };
export type SnoozeFor = '1h' | 'tomorrow' | 'off';

export interface ConfigProblem {
  /** Dotted path of the field, e.g. "services.0.url". */
  field: string;
  message: string;
}

export type ConfigSaveResult = { ok: true } | { ok: false; problems: ConfigProblem[] };

/**
 * What every view may ask of the engine. The preload exposes it as `window.warden` over IPC;
 * `warden serve` exposes the same over HTTP + Server-Sent Events.
 */
export interface WardenApi {
  getState(): Promise<State>;
  /** Calls back with every new State; returns the unsubscribe function. */
  subscribe(listener: (state: State) => void): () => void;
  /** Only actions offered in the current State run. */
  runAction(actionId: string): Promise<ActionResult>;
  snooze(target: SnoozeTarget, duration: SnoozeFor): Promise<void>;
  getConfig(): Promise<WardenConfigInput>;
  setConfig(config: WardenConfigInput): Promise<ConfigSaveResult>;
  /** Probes a service once with the given settings, without saving them. */
  testProbe(service: ServiceConfig): Promise<ProbeView>;
  /** The last hour of host memory, from the history kept across restarts (empty without one). */
  memoryHistory(): Promise<MemoryHistoryPoint[]>;
}

/** The engine as the shells (Electron main, CLI serve) hold it: the API plus notifications. */
export interface EngineHandle extends WardenApi {
  currentState(): State;
  onNotification(listener: (notification: Notification) => void): () => void;
}

/**
 * What a page asks of the shell around it rather than of the engine: the settings form's facts
 * and its windows. Electron answers over IPC; `warden serve` reads the facts over HTTP and moves
 * between its pages.
 */
export interface ShellApi {
  configFacts(): Promise<ConfigFacts>;
  openSettings(): Promise<void>;
  /** The popover hides, the settings window closes (the settings page goes back to the popover). */
  closeWindow(): Promise<void>;
}
