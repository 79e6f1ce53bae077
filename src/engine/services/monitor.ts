import type { ServiceConfig } from '../../common/config.js';
import type { ProcessTable } from '../../common/processes.js';
import { errorText } from '../../common/result.js';
import type { ServiceView } from '../../common/services.js';
import type { UnknownPart } from '../../common/state.js';
import type { Facts } from '../../platform/facts.js';
import { DEFAULT_CANARY_INTERVAL_SECONDS, DEFAULT_PROBE_INTERVAL_SECONDS, probeOnce, type ProbeSpec } from './probes.js';
import type { ProbeCadence } from '../../platform/capture.js';
import type { Supervisor } from './supervision.js';
import { indexRows } from './classify.js';
import { DISCOVERY_INTERVAL_SECONDS, Discovery, type ServerKind } from './discovery.js';
import { LISTENER_TABLE_MS, ListenerTable } from './listeners.js';
import { modelTargetOf } from '../model-targets.js';
import type { ModelTarget } from '../models.js';
import type { Monitor } from '../monitors.js';
import { newEntry, type Entry, type ServiceMonitorOptions } from './entry.js';
import { INSPECT_DEADLINE_MS, Inspector } from './inspect.js';
import { Limiter } from './limiter.js';
import { mergeDiscovered } from './merge-discovered.js';
import { servicePort } from './urls.js';
import { serviceViewOf } from './views.js';

export type { ServiceMonitorOptions } from './entry.js';
export { VANISHED_SHOWN_MS } from './merge-discovered.js';
export { isRemote, servicePort, tilde } from './urls.js';
export { processRefOf } from './entry.js';

export interface ServiceMonitorTuning {
  /** Probes in flight at once, and separately supervision checks in flight at once. */
  concurrency?: number;
  inspectEverySeconds?: number;
  discoveryEverySeconds?: number;
  /** How long a restart or re-adopt waits for the health probe, for the confirmation text. */
  healthWaitSeconds?: number;
}

/** What the action runner needs to act on a service. */
export interface ServiceTarget {
  config: ServiceConfig;
  view: ServiceView;
  supervisor: Supervisor | null;
  probe: ProbeSpec | null;
  port: number | null;
  home: string | null;
}

export const INSPECT_EVERY_SECONDS = 30;
export const HEALTH_WAIT_SECONDS = 120;
/** After a failed probe, supervision is re-checked at once unless it was checked this recently. */
const RECHECK_AFTER_FAILURE_MS = 10_000;

/**
 * A probe slower than this no longer counts against the probe concurrency: with 8 slots,
 * 8 services that accept and never answer held every slot for their whole deadline (10 s by
 * default, up to 300 s), and no other service was probed meanwhile.
 */
const PROBE_SLOT_MS = 2_000;


/**
 * Watches the configured (and, with discovery on, the discovered) services. Each service's
 * probe, canary and supervision check run as independent tasks with their own deadlines;
 * poll() starts whatever is due and returns at once, and views() reads the latest completed
 * results, so a hanging service never holds up another one's result.
 */
export class ServiceMonitor implements Monitor {
  readonly part = 'services';
  private entries = new Map<string, Entry>();
  private configured: ServiceConfig[] = [];
  private options: ServiceMonitorOptions | null = null;
  /** Bumped on reconfigure, so a discovery started under the old config is dropped. */
  private generation = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly probeLimiter: Limiter;
  private readonly inspector: Inspector;
  private readonly inspectEveryMs: number;
  private readonly discoveryEveryMs: number;
  private readonly healthWaitSeconds: number;
  private readonly discovery: Discovery;
  /** One lsof of every TCP listener per round, shared by the inspections and discovery. */
  private readonly listenerTable: ListenerTable;
  private nextDiscoveryAt = 0;
  private discovering = false;
  private discoveryProblems: UnknownPart[] = [];
  private lastViews = new Map<string, ServiceView>();

  constructor(
    private readonly facts: Facts,
    tuning: ServiceMonitorTuning = {},
  ) {
    const concurrency = tuning.concurrency ?? 8;
    this.probeLimiter = new Limiter(concurrency);
    this.inspectEveryMs = (tuning.inspectEverySeconds ?? INSPECT_EVERY_SECONDS) * 1000;
    this.discoveryEveryMs = (tuning.discoveryEverySeconds ?? DISCOVERY_INTERVAL_SECONDS) * 1000;
    this.healthWaitSeconds = tuning.healthWaitSeconds ?? HEALTH_WAIT_SECONDS;
    // Inspecting more often than the window (tests: every poll) reads afresh each time.
    this.listenerTable = new ListenerTable(facts, Math.min(LISTENER_TABLE_MS, this.inspectEveryMs));
    this.discovery = new Discovery(facts, this.listenerTable);
    this.inspector = new Inspector(facts, this.listenerTable, concurrency, () => this.options);
  }

  configure(services: ServiceConfig[], options: ServiceMonitorOptions): void {
    this.options = options;
    this.configured = services;
    this.generation += 1;
    const keep = new Map<string, Entry>();
    for (const config of services) keep.set(config.name, this.entryFor(config, 'config'));
    if (options.discovery) {
      for (const [name, entry] of this.entries) if (entry.source === 'discovered' && !keep.has(name)) keep.set(name, entry);
    } else {
      this.discoveryProblems = [];
    }
    this.entries = keep;
    this.nextDiscoveryAt = 0;
  }

  /** An unchanged service keeps its history across a reconfigure; a changed one starts afresh. */
  private entryFor(config: ServiceConfig, source: Entry['source'], server: ServerKind | null = null): Entry {
    const old = this.entries.get(config.name);
    if (old && old.source === source && old.server === server && JSON.stringify(old.config) === JSON.stringify(config)) return old;
    return newEntry(config, source, server, this.facts, this.options as ServiceMonitorOptions);
  }

  /** Starts every task that is due and returns without waiting for them; never throws. */
  async poll(now: number, table: ProcessTable | null): Promise<void> {
    if (!this.options) return;
    if (this.options.discovery && !this.discovering && now >= this.nextDiscoveryAt) {
      this.nextDiscoveryAt = now + this.discoveryEveryMs;
      this.track(this.discover(table, now));
    }
    // A process an inspection saw has left the table: those services are looked at again now,
    // not at the next round, with one fresh read of the listeners between them.
    const lost = new Set([...this.entries.values()].filter((e) => !e.busy.inspect && now < e.nextInspectAt && this.lostProcess(e, table)));
    if (lost.size > 0) this.listenerTable.forget();
    for (const entry of this.entries.values()) {
      const every = this.probeEvery(entry);
      if (entry.probeSpec && !entry.busy.probe && now >= entry.nextProbeAt) {
        entry.nextProbeAt = now + (every.healthSeconds ?? DEFAULT_PROBE_INTERVAL_SECONDS) * 1000;
        this.track(this.probe(entry, now, 'probe'));
      }
      if (entry.canarySpec && !entry.busy.canary && now >= entry.nextCanaryAt) {
        entry.nextCanaryAt = now + (every.canarySeconds ?? DEFAULT_CANARY_INTERVAL_SECONDS) * 1000;
        this.track(this.probe(entry, now, 'canary'));
      }
      if (!entry.busy.inspect && (now >= entry.nextInspectAt || lost.has(entry))) {
        entry.nextInspectAt = now + this.inspectEveryMs;
        this.track(this.inspector.inspect(entry, now, table));
      }
    }
  }

  /**
   * The pids the service checks stand on (each inspection's listeners and supervised job, the
   * process last shown): looked up by pid every cycle while the table is read less often.
   */
  watchedPids(): number[] {
    const pids = new Set<number>();
    for (const entry of this.entries.values()) {
      const inspection = entry.inspection;
      if (inspection?.listeners?.ok) for (const pid of inspection.listeners.value) pids.add(pid);
      const sv = inspection?.supervision?.ok ? inspection.supervision.value : null;
      if (sv?.jobPid) pids.add(sv.jobPid);
      if (entry.lastSeen) pids.add(entry.lastSeen.pid);
    }
    return [...pids];
  }

  /** A pid the last inspection saw (a listener, the supervisor's job) is not in this cycle's table. */
  private lostProcess(entry: Entry, table: ProcessTable | null): boolean {
    const inspection = entry.inspection;
    if (!inspection || !table) return false;
    const rows = indexRows(table);
    const pids = inspection.listeners?.ok ? [...inspection.listeners.value] : [];
    const sv = inspection.supervision?.ok ? inspection.supervision.value : null;
    if (sv?.jobPid) pids.push(sv.jobPid);
    return pids.some((pid) => !rows.has(pid) || rows.get(pid)!.zombie);
  }

  /** How often this service's probes run: the override, else the config, else the defaults; null: no such probe. */
  private probeEvery(entry: Entry): ProbeCadence {
    const override = this.options?.probeCadence?.[entry.config.name];
    return {
      healthSeconds: entry.probeSpec ? override?.healthSeconds ?? entry.config.intervalSeconds ?? DEFAULT_PROBE_INTERVAL_SECONDS : null,
      canarySeconds: entry.canarySpec ? override?.canarySeconds ?? entry.config.canary?.intervalSeconds ?? DEFAULT_CANARY_INTERVAL_SECONDS : null,
    };
  }

  /** Every watched service's probe intervals as they run now. */
  cadence(): Record<string, ProbeCadence> {
    const out: Record<string, ProbeCadence> = {};
    for (const entry of this.entries.values()) out[entry.config.name] = this.probeEvery(entry);
    return out;
  }

  /**
   * An action just changed the service: check its supervision at the next poll. Otherwise a
   * check taken while it was down stands for up to INSPECT_EVERY_SECONDS, and a service that
   * answers again is shown missing, with Start offered, meanwhile.
   */
  recheck(name: string): void {
    const entry = this.entries.get(name);
    if (entry) {
      entry.nextInspectAt = 0;
      // The listeners read before the action are no answer after it.
      this.listenerTable.forget();
    }
  }

  /** Resolves when every task started so far has finished (replay and tests wait on it). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private track(task: Promise<void>): void {
    const guarded = task.catch(() => undefined);
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private async probe(entry: Entry, now: number, which: 'probe' | 'canary'): Promise<void> {
    const spec = which === 'probe' ? entry.probeSpec : entry.canarySpec;
    if (!spec) return;
    entry.busy[which] = true;
    try {
      const result = await this.probeLimiter.run(() => probeOnce(this.facts, spec, now), PROBE_SLOT_MS);
      if (which === 'probe') {
        entry.probeUnknown = result.ok ? null : result.reason;
        if (result.ok) {
          entry.lastProbe = result.value;
          entry.history.record({ at: now, ok: result.value.ok, latencyMs: result.value.latencyMs });
          const checkedAt = entry.inspection?.at ?? -Infinity;
          if (!result.value.ok && now - checkedAt > RECHECK_AFTER_FAILURE_MS) {
            entry.nextInspectAt = now;
            // Who listens is read again for the recheck, even where the sockets look unchanged.
            this.listenerTable.distrustSockets();
          }
        }
      } else {
        entry.canaryUnknown = result.ok ? null : result.reason;
        if (result.ok) {
          entry.lastCanary = result.value;
          entry.canaryHistory.record({ at: now, ok: result.value.ok, latencyMs: result.value.latencyMs });
        }
      }
    } catch (error) {
      if (which === 'probe') entry.probeUnknown = errorText(error);
      else entry.canaryUnknown = errorText(error);
    } finally {
      entry.busy[which] = false;
    }
  }

  private async discover(table: ProcessTable | null, now: number): Promise<void> {
    this.discovering = true;
    const generation = this.generation;
    try {
      const taken = new Set<number>();
      for (const config of this.configured) {
        const port = servicePort(config);
        if (port !== null) taken.add(port);
      }
      const found = await this.discovery.discover(table, taken, now);
      if (generation !== this.generation || !this.options?.discovery) return;
      this.discoveryProblems = found.problems;
      mergeDiscovered(this.entries, found.services, now, (config, server) => this.entryFor(config, 'discovered', server));
    } catch (error) {
      this.discoveryProblems = [{ part: 'discovery', reason: errorText(error) }];
    } finally {
      this.discovering = false;
    }
  }

  views(now: number, table: ProcessTable | null): ServiceView[] {
    const rows = indexRows(table);
    const ctx = { options: this.options, staleAfterMs: 3 * this.inspectEveryMs + INSPECT_DEADLINE_MS, healthWaitSeconds: this.healthWaitSeconds };
    const out = [...this.entries.values()].map((entry) => serviceViewOf(entry, now, table, rows, ctx));
    this.lastViews = new Map(out.map((v) => [v.name, v]));
    return out;
  }

  /** The service as last shown, with what an action needs; null for a name not shown. */
  target(name: string): ServiceTarget | null {
    const entry = this.entries.get(name);
    const view = this.lastViews.get(name);
    if (!entry || !view) return null;
    return { config: entry.config, view, supervisor: entry.supervisor, probe: entry.probeSpec, port: entry.port, home: this.options?.home ?? null };
  }

  /** The servers whose loaded models can be read, as last shown. */
  modelTargets(): ModelTarget[] {
    const out: ModelTarget[] = [];
    for (const entry of this.entries.values()) {
      const target = modelTargetOf(entry, this.lastViews.get(entry.config.name)?.process ?? null);
      if (target) out.push(target);
    }
    return out;
  }

  unknowns(): UnknownPart[] {
    const out: UnknownPart[] = [...this.discoveryProblems];
    for (const entry of this.entries.values()) {
      const name = entry.config.name;
      if (entry.probeUnknown) out.push({ part: `service ${name}: probe`, reason: entry.probeUnknown });
      if (entry.canaryUnknown) out.push({ part: `service ${name}: canary`, reason: entry.canaryUnknown });
      if (entry.inspectUnknown) out.push({ part: `service ${name}: supervision`, reason: entry.inspectUnknown });
      const sv = entry.inspection?.supervision;
      if (sv && !sv.ok) out.push({ part: `service ${name}: supervision`, reason: sv.reason });
      const listeners = entry.inspection?.listeners;
      if (listeners && !listeners.ok) out.push({ part: `service ${name}: port ${entry.port}`, reason: listeners.reason });
    }
    return out;
  }
}
