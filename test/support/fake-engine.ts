/**
 * A scripted EngineHandle for the shells' tests: answers with fixture States, records every
 * call, and pushes a new State when told.
 */
import type { ConfigSaveResult, EngineHandle, MemoryHistoryPoint, SnoozeFor, SnoozeTarget } from '../../src/common/api.js';
import type { ServiceConfig, WardenConfigInput } from '../../src/common/config.js';
import type { Notification } from '../../src/common/findings.js';
import type { ActionResult, ProbeView } from '../../src/common/services.js';
import type { State } from '../../src/common/state.js';

export type EngineCall =
  | { method: 'runAction'; actionId: string }
  | { method: 'snooze'; target: SnoozeTarget; duration: SnoozeFor }
  | { method: 'setConfig'; config: WardenConfigInput }
  | { method: 'testProbe'; service: ServiceConfig }
  | { method: 'getConfig' }
  | { method: 'getState' }
  | { method: 'memoryHistory' };

export class FakeEngine implements EngineHandle {
  readonly calls: EngineCall[] = [];
  private readonly stateListeners = new Set<(state: State) => void>();
  private readonly noteListeners = new Set<(n: Notification) => void>();
  config: WardenConfigInput = { intervalSeconds: 5, services: [{ name: 'cathedral', url: 'http://127.0.0.1:1337/v1/models' }] };
  /** What setConfig answers; set it to script a refusal. */
  configAnswer: ConfigSaveResult = { ok: true };
  actionAnswer: (actionId: string) => ActionResult = (id) => ({
    id,
    ok: true,
    steps: ['step one', 'step two'],
    message: `done: ${id}`,
    downtimeSeconds: 27,
    startedAt: 1000,
    finishedAt: 28_000,
  });

  constructor(private state: State) {}

  /** Calls that would change something (everything but reads). */
  mutations(): EngineCall[] {
    return this.calls.filter((c) => c.method !== 'getConfig' && c.method !== 'getState' && c.method !== 'memoryHistory');
  }

  subscriberCount(): number {
    return this.stateListeners.size;
  }

  push(state: State): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  notify(notification: Notification): void {
    for (const listener of this.noteListeners) listener(notification);
  }

  currentState(): State {
    return this.state;
  }

  async getState(): Promise<State> {
    this.calls.push({ method: 'getState' });
    return this.state;
  }

  subscribe(listener: (state: State) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.noteListeners.add(listener);
    return () => this.noteListeners.delete(listener);
  }

  async runAction(actionId: string): Promise<ActionResult> {
    this.calls.push({ method: 'runAction', actionId });
    return this.actionAnswer(actionId);
  }

  async snooze(target: SnoozeTarget, duration: SnoozeFor): Promise<void> {
    this.calls.push({ method: 'snooze', target, duration });
  }

  async getConfig(): Promise<WardenConfigInput> {
    this.calls.push({ method: 'getConfig' });
    return structuredClone(this.config);
  }

  async setConfig(config: WardenConfigInput): Promise<ConfigSaveResult> {
    this.calls.push({ method: 'setConfig', config });
    if (this.configAnswer.ok) this.config = structuredClone(config);
    return this.configAnswer;
  }

  /** Points a test sets to stand for the history kept across restarts. */
  history: MemoryHistoryPoint[] = [];

  async memoryHistory(): Promise<MemoryHistoryPoint[]> {
    this.calls.push({ method: 'memoryHistory' });
    return this.history;
  }

  async testProbe(service: ServiceConfig): Promise<ProbeView> {
    this.calls.push({ method: 'testProbe', service });
    return {
      url: service.url ?? `http://127.0.0.1:${service.port ?? 80}/`,
      tier: 'healthy',
      ok: true,
      status: 200,
      latencyMs: 41,
      measured: '200 in 41 ms',
      at: 0,
      baselineMs: null,
      availability1h: null,
      samples1h: 0,
      availability24h: null,
      consecutiveFailures: 0,
      recentFailures: 0,
      recentCount: 1,
      recent: [],
      probesTotal: 1,
      failuresTotal: 0,
    };
  }
}
