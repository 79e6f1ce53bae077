import type { ConfigSaveResult, EngineHandle, MemoryHistoryPoint, SnoozeFor, SnoozeTarget } from '../common/api.js';
import type { ServiceConfig, WardenConfig, WardenConfigInput } from '../common/config.js';
import type { Notification } from '../common/findings.js';
import type { ActionResult, ProbeView } from '../common/services.js';
import type { HostInfo, State } from '../common/state.js';
import { errorText } from '../common/result.js';
import { instantOf, localMinutesIn, wallClock } from '../common/zoned-time.js';
import type { CaptureCadence } from '../platform/capture.js';
import { checkConfig, ConfigError, resolveConfig } from './config.js';
import { ConfigWatch } from './config-watch.js';
import { SaveCadence } from './save-cadence.js';
import { ThiefTracker } from './thieves.js';
import { ServiceMonitor } from './services/monitor.js';
import { probeOnce, probeSpecOf, probeViewOf } from './services/probes.js';
import { ModelMonitor } from './models.js';
import { LockMonitor } from './locks.js';
import { JobMonitor } from './jobs.js';
import { ActionRunner } from './actions/runner.js';
import { AlertPolicy } from './alerts.js';
import { watchDiscovered } from './actions/watch-discovered.js';
import { withFreshness } from './state.js';
import { SenseMonitor } from './senses.js';
import { IdentityReader, WakeWatch } from './host-watch.js';
import { Sampler } from './tick/sample.js';
import { Judge } from './tick/judge.js';
import { firstState, Publisher, type StateFrame } from './tick/publish.js';
import type { HostIdentity } from '../common/host-identity.js';
import type { AppThermalState } from '../common/senses.js';
import type { EngineDeps } from './engine-deps.js';

export type { EngineDeps };
export { serviceObservations } from './tick/judge.js';

/**
 * The one engine behind the app, the CLI and `warden serve`: each cycle samples (tick/sample.ts),
 * judges (tick/judge.ts) and publishes (tick/publish.ts) a State. Time, facts and effects are
 * injected; nothing here knows Electron.
 */
export class Engine implements EngineHandle {
  private config: WardenConfig;
  private input: WardenConfigInput;
  private readonly configWatch: ConfigWatch;
  private readonly thieves: ThiefTracker;
  private readonly services: ServiceMonitor;
  private readonly models: ModelMonitor;
  private readonly locks: LockMonitor;
  private readonly jobs: JobMonitor;
  private readonly actions: ActionRunner;
  private readonly alerts: AlertPolicy;
  private readonly senses = new SenseMonitor();
  private readonly sampler: Sampler;
  private readonly judge: Judge;
  private readonly publisher: Publisher;
  private readonly saves: SaveCadence;
  private readonly identity: IdentityReader;
  private readonly wake = new WakeWatch();
  private state: State;
  private ticking: Promise<State> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: EngineDeps, alertSnapshot: ReturnType<AlertPolicy['snapshot']> | null = null) {
    this.config = this.withOverrides(deps.config.config);
    this.input = deps.config.input;
    this.configWatch = new ConfigWatch(deps.configPath, deps.home);
    this.identity = new IdentityReader(deps.host.identity ?? null, deps.readIdentity, deps.log);
    this.thieves = new ThiefTracker(this.config.thresholds);
    this.services = new ServiceMonitor(deps.facts);
    this.models = new ModelMonitor(deps.facts);
    this.locks = new LockMonitor(deps.facts);
    this.jobs = new JobMonitor(deps.facts);
    this.actions = new ActionRunner({
      facts: deps.facts,
      effects: deps.effects,
      clock: deps.clock,
      uid: deps.host.uid,
      platform: deps.platform,
      dataDir: deps.dataDir,
      services: this.services,
      locks: this.locks,
      watchService: (name) => watchDiscovered(name, { target: this.services.target(name), input: this.input, save: (input) => this.setConfig(input), configPath: deps.configPath }),
      models: this.models,
    });
    const zone = deps.timeZone;
    this.alerts = new AlertPolicy(this.config.notifications, alertSnapshot, {
      intervalSeconds: this.config.intervalSeconds,
      localMinutes: (now) => localMinutesIn(now, zone),
    });
    this.sampler = new Sampler({
      facts: deps.facts,
      clock: deps.clock,
      platform: deps.platform,
      thieves: this.thieves,
      services: this.services,
      locks: this.locks,
      jobs: this.jobs,
      models: this.models,
      senses: this.senses,
      settleParts: deps.settleParts,
      adaptiveCadence: deps.adaptiveCadence !== false,
      serviceSnoozedUntil: (name, now) => this.alerts.serviceSnoozedUntil(name, now),
      followUps: (now) => this.actions.followUps(now),
      ...(deps.timeZone ? { timeZone: deps.timeZone } : {}),
    });
    this.judge = new Judge(this.alerts);
    this.saves = new SaveCadence(deps.history, () => this.alerts.snapshot());
    this.publisher = new Publisher({ clock: deps.clock, history: deps.history, channels: deps.channels ?? null, saves: this.saves, ...(deps.log ? { log: deps.log } : {}) });
    this.applyConfig();
    this.state = firstState(deps.clock.now(), this.frame(deps.clock.now(), null), deps.history);
  }

  /** Cycles that read the table and cycles that used the last one (the bench and tests read them). */
  get tableReads(): { read: number; reused: number } {
    return this.sampler.table.reads;
  }

  /** What the command line set wins over the file, whenever the file is read again. */
  private withOverrides(config: WardenConfig): WardenConfig {
    const interval = this.deps.intervalSeconds;
    return interval === undefined ? config : { ...config, intervalSeconds: interval };
  }

  private applyConfig(): void {
    const c = this.config;
    this.sampler.table.forget();
    this.thieves.setThresholds(c.thresholds);
    this.services.configure(c.services, {
      discovery: c.discovery,
      platform: this.deps.platform,
      uid: this.deps.host.uid,
      thresholds: c.thresholds,
      home: this.deps.home,
      ownPid: this.deps.ownPid ?? process.pid,
      ...(this.deps.probeCadence ? { probeCadence: this.deps.probeCadence } : {}),
      ...(this.deps.timeZone ? { timeZone: this.deps.timeZone } : {}),
    });
    this.locks.configure(c.watchedFiles, { platform: this.deps.platform, uid: this.deps.host.uid, thresholds: c.thresholds });
    this.jobs.configure(c.jobs, { platform: this.deps.platform, uid: this.deps.host.uid, thresholds: c.thresholds, ...(this.deps.timeZone ? { timeZone: this.deps.timeZone } : {}) });
    this.alerts.setConfig(c.notifications);
    this.senses.configure({ platform: this.deps.platform, home: this.deps.home, services: c.services, modelFolders: c.modelFolders ?? [], dataDir: this.deps.dataDir });
    this.deps.channels?.configure(c.notifications.channels);
  }

  /** What the State says besides the cycle: the engine's standing notes (a replay of an old capture) come first. */
  private frame(now: number, snoozedUntil: number | null = this.alerts.snoozedUntil(now)): StateFrame {
    return { intervalSeconds: this.config.intervalSeconds, host: this.host(), snoozedUntil, replay: this.deps.replay, notes: [...(this.deps.notes ?? [])] };
  }

  /** What this engine runs at now: its interval and every watched service's probe intervals (a capture records it). */
  cadence(): CaptureCadence {
    return { intervalSeconds: this.config.intervalSeconds, probes: this.services.cadence() };
  }

  /** One cycle: sample, judge, publish. Cycles never overlap. */
  tick(): Promise<State> {
    if (!this.ticking) {
      this.ticking = this.runTick().finally(() => {
        this.ticking = null;
      });
    }
    return this.ticking;
  }

  private async runTick(): Promise<State> {
    const now = this.deps.clock.now();
    const reloaded = await this.configWatch.changed(now);
    if (reloaded) {
      this.config = this.withOverrides(reloaded.config);
      this.input = reloaded.input;
      this.applyConfig();
    }
    this.deps.onSampleStart?.(now);
    const intervalMs = this.config.intervalSeconds * 1000;
    if (this.wake.cycle(now, intervalMs)) this.identity.start();

    const sampled = await this.sampler.sample({ now, intervalMs, previous: this.state, wokeAt: this.wake.wokeAt, configProblem: this.configWatch.problem });
    const judgement = this.judge.judge(sampled.observation, this.config.thresholds, now);
    this.state = await this.publisher.publish(now, sampled, judgement, () => this.frame(now));
    return this.state;
  }

  /** The app's Electron powerMonitor thermal state (src/main/thermal.ts); read with the next cycle's thermal sense. */
  setAppThermalState(state: AppThermalState | null): void {
    this.senses.setAppThermalState(state);
  }

  /** The host's identity when read (a capture records it). */
  hostIdentity(): HostIdentity | null {
    return this.identity.identity;
  }

  /** Resolves when an identity read under way has finished. */
  async identitySettled(): Promise<void> {
    await this.identity.settled();
  }

  private host(): HostInfo {
    return { ...this.deps.host, identity: this.identity.identity };
  }

  /** Starts the live loop; a cycle that overruns is never doubled, the next waits for it. */
  start(): void {
    if (this.timer || this.stopped) return;
    const loop = async () => {
      const started = this.deps.clock.now();
      try {
        await this.tick();
      } catch (error) {
        this.deps.log?.(`cycle failed: ${errorText(error)}`);
      }
      if (this.stopped) return;
      const wait = Math.max(0, this.config.intervalSeconds * 1000 - (this.deps.clock.now() - started));
      this.timer = setTimeout(loop, wait);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    await Promise.allSettled([this.services.idle(), this.locks.idle(), this.jobs.idle(), this.models.idle()]);
    await this.deps.channels?.stop().catch(() => undefined);
    await this.saves.atStop(this.deps.clock.now(), this.wake.lastCycleAt !== null);
  }

  // --- EngineHandle -------------------------------------------------------------------

  currentState(): State {
    return withFreshness(this.state, this.deps.clock.now());
  }

  async getState(): Promise<State> {
    return this.currentState();
  }

  /** The OS says the host is going to sleep (Electron's powerMonitor 'suspend'). */
  hostSuspended(): void {
    this.wake.suspended(this.deps.clock.now());
  }

  /**
   * The OS says the host woke (powerMonitor 'resume'): the wake grace starts now, told rather
   * than guessed from a gap between cycles (the guess stays for the CLI, which has no such event).
   */
  hostResumed(): void {
    this.wake.resumed(this.deps.clock.now());
  }

  subscribe(listener: (state: State) => void): () => void {
    return this.publisher.subscribe(listener);
  }

  onNotification(listener: (n: Notification) => void): () => void {
    return this.publisher.onNotification(listener);
  }

  async runAction(actionId: string): Promise<ActionResult> {
    const state = this.currentState();
    const result = await this.actions.run(actionId, state);
    // What an action changed is read in full at once.
    this.sampler.table.forget();
    const incident = state.incidents.find((i) => i.closedAt === null);
    if (this.deps.history && incident) {
      const { actionEvent } = await import('./history.js');
      await this.deps.history.append([actionEvent(incident.id, result)]);
    }
    // Show the outcome at once rather than a cycle later.
    void this.tick().catch(() => undefined);
    return result;
  }

  async snooze(target: SnoozeTarget, duration: SnoozeFor): Promise<void> {
    const now = this.deps.clock.now();
    const until = duration === 'off' ? null : duration === '1h' ? now + 3_600_000 : nextMorning(now, this.deps.timeZone);
    this.alerts.snooze(target, until);
    await this.saves.saveAlertSnapshot(now, true);
    const services = this.state.services.map((s) => ({ ...s, snoozedUntil: this.alerts.serviceSnoozedUntil(s.name, now) }));
    this.state = { ...this.state, snoozedUntil: this.alerts.snoozedUntil(now), services };
    this.publisher.publishState(this.state);
  }

  async getConfig(): Promise<WardenConfigInput> {
    return structuredClone(this.input);
  }

  /** Validates and writes the file (config-watch.ts), then runs on it at once. */
  async setConfig(input: WardenConfigInput): Promise<ConfigSaveResult> {
    const saved = await this.configWatch.write(input, this.input);
    if (!saved.ok) return saved;
    this.input = input;
    this.config = this.withOverrides(resolveConfig(input, this.deps.home));
    await this.configWatch.written();
    this.applyConfig();
    return { ok: true };
  }

  async memoryHistory(): Promise<MemoryHistoryPoint[]> {
    const history = this.deps.history;
    const total = this.state.memory?.totalBytes ?? this.sampler.lastMemory?.totalBytes ?? 0;
    if (!history || total === 0) return [];
    return history.memorySeries().recent.map((p) => ({ at: p.at, availableBytes: p.availableBytes, swapUsedBytes: p.swapUsedBytes, totalBytes: total }));
  }

  async testProbe(service: ServiceConfig): Promise<ProbeView> {
    // The check a file's service passes (URLs that parse, paths, log patterns), beside the schema's at the door.
    const problems = checkConfig({ services: [service] }).map((p) => ({ ...p, field: p.field.replace(/^services\.0/, 'service') }));
    if (problems.length > 0) throw new ConfigError(`probe of "${service.name}"`, problems);
    const now = this.deps.clock.now();
    const spec = probeSpecOf(service);
    if (!spec) throw new Error(`${service.name} has no URL to probe`);
    const outcome = await probeOnce(this.deps.facts, spec, now);
    return probeViewOf(spec, outcome, now);
  }
}

/** 08:00 local time tomorrow: "until tomorrow" means the morning, not midnight. */
function nextMorning(now: number, zone?: string): number {
  const today = wallClock(now, zone);
  return instantOf({ year: today.year, month: today.month, day: today.day + 1 }, 8, 0, zone);
}
