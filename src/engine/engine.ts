import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConfigSaveResult, EngineHandle, MemoryHistoryPoint, SnoozeFor, SnoozeTarget } from '../common/api.js';
import type { ServiceConfig, WardenConfig, WardenConfigInput } from '../common/config.js';
import { isProbeSymptom, type Diagnosis, type Finding, type FindingAbout, type Notification } from '../common/findings.js';
import type { MemorySample, MemoryView } from '../common/memory.js';
import type { ProcessTable } from '../common/processes.js';
import type { ActionResult, ProbeView, ServiceView } from '../common/services.js';
import type { HostInfo, State, UnknownPart } from '../common/state.js';
import type { Clock } from '../platform/clock.js';
import type { Effects } from '../platform/effects.js';
import type { Facts } from '../platform/facts.js';
import { readMemory } from '../platform/memory.js';
import { readProcessTable } from '../platform/processes.js';
import { notSteady, tableDue } from './cadence.js';
import { readFootprints } from '../platform/darwin/footprint.js';
import { FootprintCache } from './footprints.js';
import { errorText } from '../common/result.js';
import { plural } from '../common/format.js';
import { instantOf, localMinutesIn, wallClock } from '../common/zoned-time.js';
import type { CaptureCadence, ProbeCadence } from '../platform/capture.js';
import { checkConfig, resolveConfig, type LoadedConfig, loadConfigFile, ConfigError } from './config.js';
import { supervisorChanges } from './config-commands.js';
import { pagingRates } from './rates.js';
import { ThiefTracker } from './thieves.js';
import { ServiceMonitor } from './services/monitor.js';
import { formatLatency, probeOnce, probeSpecOf, probeViewOf } from './services/probes.js';
import { ModelMonitor } from './models.js';
import { LockMonitor } from './locks.js';
import { JobMonitor } from './jobs.js';
import { ActionRunner } from './actions/runner.js';
import { assess, type Observation } from './assess.js';
import { diagnose } from './diagnose.js';
import { AlertPolicy, type Observations } from './alerts.js';
import type { Outcome } from './actions/wait.js';
import type { HistoryStore } from './history.js';
import type { ChannelHub } from './channels/hub.js';
import { buildState, withFreshness } from './state.js';
import { partViews, timed, type PartName } from './parts.js';
import { SenseMonitor } from './senses.js';
import type { HostIdentity } from '../common/host-identity.js';
import type { AppThermalState } from '../common/senses.js';
import type { Part } from '../common/result.js';

/** How many of the biggest processes get their physical footprint read (darwin). */
const FOOTPRINT_TOP = 10;
/** A live cycle waits this long for the services, locks and jobs it started; the rest lands next cycle. */
const PART_WAIT_MS = 3_000;
const CONFIG_CHECK_EVERY_MS = 5_000;
/** The memory series is written this often, so a crash loses at most this much of the sparkline. */
const SERIES_SAVE_EVERY_MS = 5 * 60_000;
/**
 * The alert snapshot is rewritten (fsync and rename) when what it holds changes; when only
 * the clock fields (last cycle, gaps) moved, at most this often, and once more at stop().
 */
const SNAPSHOT_CLOCK_EVERY_MS = 60_000;

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

/**
 * The one engine behind the app, the CLI and `warden serve`: samples, analyses, judges and
 * publishes a State. Time, facts and effects are injected; nothing here knows Electron.
 */
export class Engine implements EngineHandle {
  private config: WardenConfig;
  private input: WardenConfigInput;
  private configProblem: UnknownPart | null = null;
  private configMtime = 0;
  private lastConfigCheck = 0;
  private previousMemory: MemorySample | null = null;
  private readonly thieves: ThiefTracker;
  private readonly services: ServiceMonitor;
  private readonly models: ModelMonitor;
  private readonly locks: LockMonitor;
  private readonly jobs: JobMonitor;
  private readonly actions: ActionRunner;
  private readonly alerts: AlertPolicy;
  private readonly senses = new SenseMonitor();
  private identity: HostIdentity | null;
  private identityRead: Promise<void> | null = null;
  private previousFindings = new Map<string, Finding>();
  private state: State;
  private readonly footprints = new FootprintCache();
  private footprintProblem: string | null = null;
  private lastTickAt: number | null = null;
  private seriesSavedAt: number | null = null;
  private wokeAt: number | null = null;
  private suspendedAt: number | null = null;
  private savedSnapshot: { body: string; at: number } | null = null;
  /** The last process table read ok, when it was read and what the read took (s); null: read it this cycle. */
  private lastTable: { table: ProcessTable; readAt: number; seconds: number } | null = null;
  /** Cycles that read the table and cycles that used the last one (the bench and tests read them). */
  readonly tableReads = { read: 0, reused: 0 };
  private ticking: Promise<State> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly stateListeners = new Set<(state: State) => void>();
  private readonly notificationListeners = new Set<(n: Notification) => void>();

  constructor(private readonly deps: EngineDeps, alertSnapshot: ReturnType<AlertPolicy['snapshot']> | null = null) {
    this.config = this.withOverrides(deps.config.config);
    this.input = deps.config.input;
    this.identity = deps.host.identity ?? null;
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
      watchService: (name) => this.watchDiscovered(name),
      models: this.models,
    });
    const zone = deps.timeZone;
    this.alerts = new AlertPolicy(this.config.notifications, alertSnapshot, {
      intervalSeconds: this.config.intervalSeconds,
      localMinutes: (now) => localMinutesIn(now, zone),
    });
    this.applyConfig();
    this.state = buildState({
      now: deps.clock.now(),
      sampledAt: null,
      intervalSeconds: this.config.intervalSeconds,
      host: this.host(),
      memory: null,
      thieves: [],
      services: [],
      locks: [],
      jobs: [],
      models: [],
      findings: [],
      incidents: [],
      unknowns: [],
      snoozedUntil: null,
      replay: deps.replay,
      history: this.historyStatus(),
      notes: this.notes(),
      parts: [],
      channels: [],
      senses: null,
    });
  }

  /** What the command line set wins over the file, whenever the file is read again. */
  private withOverrides(config: WardenConfig): WardenConfig {
    const interval = this.deps.intervalSeconds;
    return interval === undefined ? config : { ...config, intervalSeconds: interval };
  }

  private applyConfig(): void {
    const c = this.config;
    this.lastTable = null;
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

  /** The engine's standing notes (a replay of an old capture), then this cycle's. */
  private notes(cycle: readonly string[] = []): string[] {
    return [...(this.deps.notes ?? []), ...cycle];
  }

  /** What this engine runs at now: its interval and every watched service's probe intervals (a capture records it). */
  cadence(): CaptureCadence {
    return { intervalSeconds: this.config.intervalSeconds, probes: this.services.cadence() };
  }

  private historyStatus(): State['history'] {
    const h = this.deps.history;
    // No data folder is a choice (one-shot status, replay), not a problem to report.
    if (!h) return { available: false, reason: null, readOnly: false };
    return { available: h.available, reason: h.reason, readOnly: h.readOnly };
  }

  /** One cycle: sample, analyse, judge, publish. Cycles never overlap. */
  tick(): Promise<State> {
    if (!this.ticking) {
      this.ticking = this.runTick().finally(() => {
        this.ticking = null;
      });
    }
    return this.ticking;
  }

  private async runTick(): Promise<State> {
    const { facts, clock, platform } = this.deps;
    const now = clock.now();
    await this.maybeReloadConfig(now);
    this.deps.onSampleStart?.(now);
    const interval = this.config.intervalSeconds * 1000;
    const first = this.lastTickAt === null;
    if (this.lastTickAt !== null && (now - this.lastTickAt > 3 * interval || now < this.lastTickAt)) this.wokeAt = now;
    // A cycle between suspend and resume (a dark wake) sees a host that is not really up.
    if (this.suspendedAt !== null) this.wokeAt = now;
    this.lastTickAt = now;
    if (first || this.wokeAt === now) this.startIdentityRead();

    const took: Partial<Record<PartName, number>> = {};
    const clockNow = () => clock.now();
    const adaptive = this.deps.adaptiveCadence !== false && facts.goneProcesses !== undefined;
    // Green and steady: memory (the first sign) and the watched pids decide whether the table is read.
    const steadyWhy = adaptive ? notSteady(this.state, now, this.wokeAt) : 'full cadence';
    const lastTable = this.lastTable;
    const readTable = () => Promise.all([
      timed(took, 'processes', clockNow, () => readProcessTable(facts, now)),
      platform === 'darwin' && this.footprints.due(now) ? timed(took, 'footprint', clockNow, () => readFootprints(facts, FOOTPRINT_TOP)) : Promise.resolve(null),
    ]);
    const early = steadyWhy !== null || lastTable === null ? readTable() : null;
    const [memoryPart, senses, gone] = await Promise.all([
      timed(took, 'memory', clockNow, () => readMemory(facts, platform, now)),
      timed(took, 'senses', clockNow, () => this.senses.poll(facts, now)),
      early ? Promise.resolve([]) : facts.goneProcesses!(this.services.watchedPids()).catch(() => null),
    ]);
    let tablePart: Awaited<ReturnType<typeof readProcessTable>> | null = null;
    let footprintPart: Awaited<ReturnType<typeof readFootprints>> | null = null;
    if (early) [tablePart, footprintPart] = await early;
    else {
      const decision = tableDue({ now, intervalMs: interval, lastTableAt: lastTable?.readAt ?? null, notSteady: steadyWhy, pressure: memoryPart.ok ? memoryPart.value.pressure : null, gone, adaptive });
      if (decision.due) [tablePart, footprintPart] = await readTable();
    }
    // Memory's failure is the observation's memoryUnknown; every other part not read is here.
    const unknowns: UnknownPart[] = [];
    const cycleNotes: string[] = [];

    let memory: MemoryView | null = null;
    if (memoryPart.ok) {
      const prev = this.previousMemory;
      memory = { ...memoryPart.value, rates: prev ? pagingRates(prev, memoryPart.value) : null };
      this.previousMemory = memoryPart.value;
      this.deps.history?.addMemorySample(memory);
    }
    const memoryUnknown = memoryPart.ok ? null : memoryPart.reason;

    if (footprintPart) {
      if (footprintPart.ok) {
        this.footprints.accept(footprintPart.value, tablePart?.ok ? tablePart.value : null, now);
        this.footprintProblem = null;
      } else {
        this.footprints.clear();
        this.footprintProblem = footprintPart.reason;
      }
    }
    if (this.footprintProblem) unknowns.push({ part: 'footprint', reason: `${this.footprintProblem}; showing RSS instead` });

    let table: ProcessTable | null = null;
    if (tablePart === null && lastTable) {
      // Steady: the last table stands (its pids the services stand on were looked up just now).
      table = lastTable.table;
      took.processes = lastTable.seconds;
      this.tableReads.reused += 1;
      if (table.skipped) cycleNotes.push(`${plural(table.skipped, 'line')} of ps output did not have the expected columns and ${table.skipped === 1 ? 'was' : 'were'} left out`);
    } else if (tablePart?.ok) {
      table = tablePart.value;
      this.tableReads.read += 1;
      this.lastTable = { table, readAt: now, seconds: took.processes ?? 0 };
      this.footprints.apply(table);
      this.thieves.update(table);
      // One odd line is not an unknown host: the rest of the table was read; it is said, not greyed.
      if (table.skipped) cycleNotes.push(`${plural(table.skipped, 'line')} of ps output did not have the expected columns and ${table.skipped === 1 ? 'was' : 'were'} left out`);
    } else {
      this.tableReads.read += 1;
      this.lastTable = null;
      unknowns.push({ part: 'processes', reason: tablePart?.reason ?? 'the process table was not read' });
    }

    const partsStarted = clock.now();
    await Promise.all([this.services.poll(now, table), this.locks.poll(now, table), this.jobs.poll(now)]);
    this.models.poll(now, this.services.modelTargets());
    const settled = Promise.all([
      timed(took, 'services', clockNow, () => this.services.idle(), partsStarted),
      timed(took, 'locks', clockNow, () => this.locks.idle(), partsStarted),
      timed(took, 'jobs', clockNow, () => this.jobs.idle(), partsStarted),
      this.models.idle(),
    ]);
    if (this.deps.settleParts) await settled;
    else await settledWithin(settled, Math.min(PART_WAIT_MS, interval * 0.6));
    // A part the cycle stopped waiting for took at least the wait.
    for (const part of ['services', 'locks', 'jobs'] as const) took[part] ??= Math.max(0, clock.now() - partsStarted) / 1000;
    // Steady, but a part just named a pid the last table does not hold (a new listener, a lock's
    // holder, a reader's error): the views are built from a table read now.
    if (table && tablePart === null && this.namesNewPid(table)) {
      const [fresh] = await readTable();
      if (fresh.ok) {
        table = fresh.value;
        this.tableReads.read += 1;
        this.tableReads.reused -= 1;
        this.lastTable = { table, readAt: now, seconds: took.processes ?? 0 };
        this.footprints.apply(table);
        this.thieves.update(table);
      }
    }

    const services = this.withSnoozes(this.services.views(now, table), now);
    // A release whose SIGTERM did not free the file offers SIGKILL beside it for a while.
    const followUps = this.actions.followUps(now);
    const locks = this.locks.views(now, table).map((lock) => {
      const extra = followUps.filter((a) => a.target === lock.path && !lock.actions.some((b) => b.id === a.id));
      return extra.length > 0 ? { ...lock, actions: [...lock.actions, ...extra] } : lock;
    });
    const jobs = this.jobs.views(now);
    const models = this.models.views(now, table);
    unknowns.push(...this.services.unknowns(), ...this.locks.unknowns(), ...this.jobs.unknowns(), ...this.models.unknowns());
    if (this.configProblem) unknowns.push(this.configProblem);

    const observation: Observation = {
      memory,
      memoryUnknown,
      // No table this cycle: the thieves of the last one would be stale values shown as current.
      thieves: table ? this.thieves.thieves(now, memory) : [],
      services,
      locks,
      jobs,
      unknowns,
      models,
      wokeAt: this.wokeAt,
      processes: table?.rows ?? [],
      cpuNow: (pid) => (table ? this.thieves.cpuNow(pid) : null),
      senses,
      ...(this.deps.timeZone ? { timeZone: this.deps.timeZone } : {}),
    };
    const assessed = assess(observation, this.previousFindings, this.config.thresholds, now);
    const { findings, diagnoses } = diagnose(assessed, observation, now, this.config.thresholds);
    this.previousFindings = new Map(findings.map((f) => [f.key, f]));
    const step = this.alerts.step(findings, diagnoses, now, serviceObservations(services));
    const history = this.deps.history;
    if (history) {
      const historyStarted = clock.now();
      await history.append(step.events);
      await this.saveAlertSnapshot(now, false);
      if (this.seriesSavedAt === null) this.seriesSavedAt = now;
      else if (now - this.seriesSavedAt >= SERIES_SAVE_EVERY_MS) {
        this.seriesSavedAt = now;
        await history.saveSeries();
      }
      took.history = Math.max(0, clock.now() - historyStarted) / 1000;
    }
    // Queued (one small file write), then sent beside the cycle: a hanging receiver never holds it.
    await this.deps.channels?.enqueue(step.notifications);

    const stateUnknowns = memoryUnknown === null ? unknowns : [{ part: 'memory', reason: memoryUnknown }, ...unknowns];
    this.state = buildState({
      now,
      sampledAt: now,
      intervalSeconds: this.config.intervalSeconds,
      host: this.host(),
      memory,
      thieves: observation.thieves,
      services,
      locks,
      jobs,
      models,
      findings: withDifferentials(findings, diagnoses),
      incidents: step.incidents,
      senses,
      unknowns: stateUnknowns,
      snoozedUntil: this.alerts.snoozedUntil(now),
      replay: this.deps.replay,
      history: this.historyStatus(),
      notes: this.notes(cycleNotes),
      parts: partViews(took, stateUnknowns, history ? history.available : null),
      channels: this.deps.channels?.views(now) ?? [],
    });
    this.publish();
    for (const n of step.notifications) for (const listener of this.notificationListeners) listener(n);
    return this.state;
  }

  private namesNewPid(table: ProcessTable): boolean {
    const rows = new Set(table.rows.map((r) => r.pid));
    return [...this.services.watchedPids(), ...this.locks.namedPids()].some((pid) => !rows.has(pid));
  }

  /** The identity is read beside the loop: a slow system_profiler never holds a cycle. */
  private startIdentityRead(): void {
    const read = this.deps.readIdentity;
    if (!read || this.identityRead) return;
    this.identityRead = read()
      .then((part) => {
        if (part.ok) this.identity = part.value;
        else this.deps.log?.(part.reason);
      })
      .catch((error: unknown) => this.deps.log?.(`host identity: ${errorText(error)}`))
      .finally(() => {
        this.identityRead = null;
      });
  }

  /** The app's Electron powerMonitor thermal state (src/main/thermal.ts); read with the next cycle's thermal sense. */
  setAppThermalState(state: AppThermalState | null): void {
    this.senses.setAppThermalState(state);
  }

  /** The host's identity when read (a capture records it). */
  hostIdentity(): HostIdentity | null {
    return this.identity;
  }

  /** Resolves when an identity read under way has finished. */
  async identitySettled(): Promise<void> {
    await this.identityRead;
  }

  private host(): HostInfo {
    return { ...this.deps.host, identity: this.identity };
  }

  private publish(): void {
    for (const listener of this.stateListeners) {
      try {
        listener(this.state);
      } catch (error) {
        this.deps.log?.(`state listener failed: ${errorText(error)}`);
      }
    }
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
    const h = this.deps.history;
    if (h) {
      if (this.lastTickAt !== null) await this.saveAlertSnapshot(this.deps.clock.now(), true).catch(() => undefined);
      await h.saveSeries().catch(() => undefined);
      await h.flush().catch(() => undefined);
      await h.close();
    }
  }

  private async saveAlertSnapshot(now: number, always: boolean): Promise<void> {
    const history = this.deps.history;
    if (!history) return;
    const snapshot = this.alerts.snapshot();
    const { lastNow: _lastNow, gaps: _gaps, ...held } = snapshot;
    const body = JSON.stringify(held);
    const saved = this.savedSnapshot;
    // A failed write (history unavailable) is retried every cycle, as before.
    const fresh = saved !== null && saved.body === body && now >= saved.at && now - saved.at < SNAPSHOT_CLOCK_EVERY_MS;
    if (!always && fresh && history.available) return;
    // Only the clock fields moved: no fsync (what the policy holds is on disk already).
    const changed = saved === null || saved.body !== body || !history.available;
    await history.saveAlertSnapshot(snapshot, { durable: always || changed });
    this.savedSnapshot = { body, at: now };
  }

  private async maybeReloadConfig(now: number): Promise<void> {
    const file = this.deps.configPath;
    if (!file || now - this.lastConfigCheck < CONFIG_CHECK_EVERY_MS) return;
    this.lastConfigCheck = now;
    let mtime = 0;
    try {
      mtime = (await fs.stat(file)).mtimeMs;
    } catch {
      mtime = -1;
    }
    if (mtime === this.configMtime) return;
    const hadFile = this.configMtime > 0;
    this.configMtime = mtime;
    if (mtime === -1 && hadFile) {
      // A file that was applied and is now gone is more likely a slip than a wish for no
      // services at all: keep watching what the operator last configured, and say so.
      this.configProblem = { part: 'config', reason: `${file} is gone; still using the last good config (save settings or restore the file to change it)` };
      return;
    }
    try {
      const loaded = await loadConfigFile(file, this.deps.home);
      this.config = this.withOverrides(loaded.config);
      this.input = loaded.input;
      this.configProblem = null;
      this.applyConfig();
    } catch (error) {
      // Keep watching on the last good config, and say why the new one was refused.
      const why = error instanceof ConfigError ? error.problems.map((p) => `${p.field}: ${p.message}`).join('; ') : errorText(error);
      this.configProblem = { part: 'config', reason: `${file} was not applied (${why}); still using the last good config` };
    }
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
    this.suspendedAt = this.deps.clock.now();
  }

  /**
   * The OS says the host woke (powerMonitor 'resume'): the wake grace starts now, told rather
   * than guessed from a gap between cycles (the guess stays for the CLI, which has no such event).
   */
  hostResumed(): void {
    this.wokeAt = this.deps.clock.now();
    this.suspendedAt = null;
  }

  subscribe(listener: (state: State) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onNotification(listener: (n: Notification) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  async runAction(actionId: string): Promise<ActionResult> {
    const state = this.currentState();
    const result = await this.actions.run(actionId, state);
    // What an action changed is read in full at once.
    this.lastTable = null;
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
    await this.saveAlertSnapshot(now, true);
    this.state = { ...this.state, snoozedUntil: this.alerts.snoozedUntil(now), services: this.withSnoozes(this.state.services, now) };
    this.publish();
  }

  private withSnoozes(services: ServiceView[], now: number): ServiceView[] {
    return services.map((s) => ({ ...s, snoozedUntil: this.alerts.serviceSnoozedUntil(s.name, now) }));
  }

  async getConfig(): Promise<WardenConfigInput> {
    return structuredClone(this.input);
  }

  /**
   * Validates first: a config that fails validation never reaches disk. Comes only from the
   * views (IPC, HTTP), so a supervisor (what Warden may run or signal) must be the file's own.
   */
  async setConfig(input: WardenConfigInput): Promise<ConfigSaveResult> {
    const problems = checkConfig(input);
    if (problems.length > 0) return { ok: false, problems };
    const file = this.deps.configPath;
    if (!file) return { ok: false, problems: [{ field: '(file)', message: 'this engine has no config file (a replay)' }] };
    // The file as it is now: its owner may have edited it since it was last applied.
    const onDisk = await loadConfigFile(file, this.deps.home).then((loaded) => loaded.input, () => this.input);
    const refused = supervisorChanges(onDisk, input, file);
    if (refused.length > 0) return { ok: false, problems: refused };
    try {
      await writeFileAtomic(file, `${JSON.stringify(input, null, 2)}\n`);
    } catch (error) {
      return { ok: false, problems: [{ field: '(file)', message: `could not be written: ${errorText(error)}` }] };
    }
    this.input = input;
    this.config = this.withOverrides(resolveConfig(input, this.deps.home));
    this.configProblem = null;
    this.configMtime = (await fs.stat(file).catch(() => null))?.mtimeMs ?? 0;
    this.applyConfig();
    return { ok: true };
  }

  /** The "Watch from now on" action: a discovered service joins the config file, URL and port only. */
  private async watchDiscovered(name: string): Promise<Outcome> {
    const target = this.services.target(name);
    const refused = (message: string): Outcome => ({ ok: false, steps: [], message, downtimeSeconds: null });
    if (!target || target.view.source !== 'discovered') return refused(`${name} is not a discovered service now; nothing was added`);
    const { url, port, expect } = target.config;
    const service: ServiceConfig = { name, ...(url ? { url } : {}), ...(port !== undefined ? { port } : {}), ...(expect && Object.keys(expect).length > 0 ? { expect } : {}) };
    const input = structuredClone(this.input);
    input.services = [...(input.services ?? []).filter((s) => s.name !== name), service];
    const saved = await this.setConfig(input);
    if (!saved.ok) return refused(`the config was not saved: ${saved.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    return { ok: true, steps: [`added ${name} (${[url, port !== undefined ? `port ${port}` : null].filter(Boolean).join(', ')}) to ${this.deps.configPath}`], message: `${name} is watched from now on`, downtimeSeconds: null };
  }

  async memoryHistory(): Promise<MemoryHistoryPoint[]> {
    const history = this.deps.history;
    const total = this.state.memory?.totalBytes ?? this.previousMemory?.totalBytes ?? 0;
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

/**
 * A service's probe findings are judged from probe results: an observation is a new probe (the
 * health probe for down and slow, the canary for canary), not an engine cycle. The recovery is
 * said from the probes that answered since the last failure.
 */
export function serviceObservations(services: ServiceView[]): Observations {
  const byName = new Map(services.map((s) => [s.name, s]));
  const probedService = (about: FindingAbout) => {
    if (!isProbeSymptom(about)) return null;
    const service = byName.get(about.name);
    return service ? { service, kind: about.signal } : null;
  };
  return {
    at(about) {
      const p = probedService(about);
      if (!p) return null;
      const { probe, canary } = p.service;
      if (p.kind === 'canary') return canary?.at ?? null;
      if (p.kind === 'slow') {
        const times = [probe?.at, canary?.at].filter((t): t is number => t !== undefined);
        return times.length > 0 ? Math.max(...times) : null;
      }
      return probe?.at ?? null;
    },
    recovered(about) {
      const p = probedService(about);
      const probe = p ? (p.kind === 'canary' ? p.service.canary : p.service.probe) : null;
      if (!p || !probe || !probe.ok) return null;
      let answered = 0;
      for (const sample of [...probe.recent].reverse()) {
        if (!sample.ok) break;
        answered += 1;
      }
      const what = p.kind === 'canary' ? 'canary request' : 'probe';
      return `${plural(Math.max(1, answered), what)} answered, ${probe.latencyMs !== null ? formatLatency(probe.latencyMs) : probe.measured}`;
    },
  };
}

/**
 * The State's findings carry their diagnosis's differential (`status --json` has it per finding)
 * and not the engine's typed link (`key` and `subject` say it there).
 */
function withDifferentials(findings: Finding[], diagnoses: Map<string, Diagnosis>): Finding[] {
  return findings.map(({ about: _about, ...f }) => {
    const differential = diagnoses.get(f.key)?.differential;
    return differential ? { ...f, differential } : f;
  });
}

/** Waits for `work` at most `ms`; the timer is cleared so a finished wait holds nothing open. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work.then(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** 08:00 local time tomorrow: "until tomorrow" means the morning, not midnight. */
function nextMorning(now: number, zone?: string): number {
  const today = wallClock(now, zone);
  return instantOf({ year: today.year, month: today.month, day: today.day + 1 }, 8, 0, zone);
}

async function writeFileAtomic(file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text, { mode: 0o600 });
  await fs.rename(tmp, file);
}
