import type { ServiceConfig, Thresholds } from '../../common/config.js';
import type { ProcessRow, ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import type { ActionOffer, OrphanEvidence, ProcessRef, ServiceView, SupervisionView } from '../../common/services.js';
import type { UnknownPart } from '../../common/state.js';
import { formatDuration } from '../../common/format.js';
import { clockOf } from '../../common/zoned-time.js';
import type { Facts } from '../../platform/facts.js';
import { readLaunchdDomain } from '../../platform/darwin/launchctl.js';
import {
  DEFAULT_CANARY_INTERVAL_SECONDS,
  DEFAULT_PROBE_INTERVAL_SECONDS,
  ProbeHistory,
  canarySpecOf,
  probeOnce,
  probeSpecOf,
  type ProbeOutcome,
  type ProbeSpec,
} from './probes.js';
import type { ProbeCadence } from '../../platform/capture.js';
import { LaunchdSupervisor, makeSupervisor, type SupervisionCheck, type Supervisor } from './supervision.js';
import { classifyService, indexRows, type Classification } from './classify.js';
import { gatherOrphanEvidence } from './orphans.js';
import { serviceOffers } from '../actions/service-offers.js';
import { DISCOVERY_INTERVAL_SECONDS, Discovery } from './discovery.js';
import { LISTENER_TABLE_MS, ListenerTable } from './listeners.js';
import type { ServerKind } from './discovery.js';
import { modelTargetOf } from '../model-targets.js';
import { adopt, NO_ADOPTION, type Adoption } from './owner.js';
import type { ModelTarget } from '../models.js';

export interface ServiceMonitorOptions {
  discovery: boolean;
  platform: 'darwin' | 'linux';
  uid: number;
  thresholds: Thresholds;
  /** The user's home, for ~/Library/LaunchAgents and for "~/" in confirmations. */
  home?: string | null;
  /** Warden's own pid: never taken for a service's process. */
  ownPid?: number;
  /** Probe intervals by service name that win over the config's (a replay: what the recording engine used). */
  probeCadence?: Record<string, ProbeCadence>;
  /** IANA zone for the local times in reasons ("exited at 14:02"); this machine's when absent. */
  timeZone?: string;
}

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
/** A supervision check (a few commands, each with its own deadline) that takes longer is dropped. */
const INSPECT_DEADLINE_MS = 30_000;
/** After a failed probe, supervision is re-checked at once unless it was checked this recently. */
const RECHECK_AFTER_FAILURE_MS = 10_000;
const DOMAIN_CACHE_MS = 60_000;

interface Inspection {
  at: number;
  listeners: Part<number[]> | null;
  /** When the listeners were read: a shared read can be a little older than the inspection. */
  listenersAt: number;
  supervision: Part<SupervisionCheck> | null;
  otherOwners: Map<number, string>;
  orphan: OrphanEvidence | null;
}

interface Entry {
  config: ServiceConfig;
  source: 'config' | 'discovered';
  /** What discovery identified it as; null for a configured service. */
  server: ServerKind | null;
  /** The launchd job or systemd unit found owning it when no supervisor is configured. */
  adoption: Adoption;
  supervisor: Supervisor | null;
  probeSpec: ProbeSpec | null;
  canarySpec: ProbeSpec | null;
  port: number | null;
  local: boolean;
  history: ProbeHistory;
  canaryHistory: ProbeHistory;
  lastProbe: ProbeOutcome | null;
  lastCanary: ProbeOutcome | null;
  probeUnknown: string | null;
  canaryUnknown: string | null;
  inspection: Inspection | null;
  inspectUnknown: string | null;
  nextProbeAt: number;
  nextCanaryAt: number;
  nextInspectAt: number;
  busy: { probe: boolean; canary: boolean; inspect: boolean };
  /** The process last seen serving it, and when it was first seen gone. */
  lastSeen: { pid: number; name: string } | null;
  goneAt: number | null;
}

/** A discovered server seen to stop stays shown (amber, never paged) this long, with the offer to watch it. */
export const VANISHED_SHOWN_MS = 60 * 60_000;

/**
 * Runs at most `limit` tasks at once; the rest wait their turn in order. A task given
 * `holdAtMostMs` gives its place up after that long and runs on under its own deadline, so a
 * few targets that never answer cannot keep every other one waiting.
 */
class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>, holdAtMostMs?: number): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.running -= 1;
      this.waiting.shift()?.();
    };
    const timer = holdAtMostMs === undefined ? undefined : setTimeout(release, holdAtMostMs);
    try {
      return await task();
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}

/**
 * A probe slower than this no longer counts against the probe concurrency: with 8 slots,
 * 8 services that accept and never answer held every slot for their whole deadline (10 s by
 * default, up to 300 s), and no other service was probed meanwhile.
 */
const PROBE_SLOT_MS = 2_000;

function withDeadline<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0']);

function parseUrl(url: string | undefined): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The port to look for the service's process on: configured, else a loopback URL's. */
export function servicePort(config: ServiceConfig): number | null {
  if (config.port !== undefined) return config.port;
  if (config.supervisor?.kind === 'command' && config.supervisor.port !== undefined) return config.supervisor.port;
  const url = parseUrl(config.url);
  if (!url || !LOOPBACK.has(url.hostname)) return null;
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function isLocal(config: ServiceConfig): boolean {
  const url = parseUrl(config.url);
  return url === null || LOOPBACK.has(url.hostname);
}

/** A service on another machine: its URL is not loopback, so no process of it can be seen here. */
export function isRemote(view: Pick<ServiceView, 'url'>): boolean {
  const url = parseUrl(view.url ?? undefined);
  return url !== null && !LOOPBACK.has(url.hostname);
}

export function processRefOf(row: ProcessRow): ProcessRef {
  return { pid: row.pid, ppid: row.ppid, uid: row.uid, startedAt: row.startedAt, name: row.name, command: row.command };
}

function supervisionViewOf(check: SupervisionCheck): SupervisionView {
  return {
    kind: check.kind,
    target: check.target,
    loaded: check.loaded,
    jobState: check.jobState,
    jobPid: check.jobPid,
    lastExit: check.lastExit,
    runs: check.runs,
    plist: check.plist,
    note: check.note,
  };
}

/**
 * Watches the configured (and, with discovery on, the discovered) services. Each service's
 * probe, canary and supervision check run as independent tasks with their own deadlines;
 * poll() starts whatever is due and returns at once, and views() reads the latest completed
 * results, so a hanging service never holds up another one's result.
 */
export class ServiceMonitor {
  private entries = new Map<string, Entry>();
  private configured: ServiceConfig[] = [];
  private options: ServiceMonitorOptions | null = null;
  /** Bumped on reconfigure, so a discovery started under the old config is dropped. */
  private generation = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly probeLimiter: Limiter;
  private readonly inspectLimiter: Limiter;
  private readonly inspectEveryMs: number;
  private readonly discoveryEveryMs: number;
  private readonly healthWaitSeconds: number;
  private readonly discovery: Discovery;
  /** One lsof of every TCP listener per round, shared by the inspections and discovery. */
  private readonly listenerTable: ListenerTable;
  private nextDiscoveryAt = 0;
  private discovering = false;
  private discoveryProblems: UnknownPart[] = [];
  private readonly domainCache = new Map<string, { at: number; read: Promise<Part<Map<number, string>>> }>();
  private lastViews = new Map<string, ServiceView>();

  constructor(
    private readonly facts: Facts,
    tuning: ServiceMonitorTuning = {},
  ) {
    const concurrency = tuning.concurrency ?? 8;
    this.probeLimiter = new Limiter(concurrency);
    this.inspectLimiter = new Limiter(concurrency);
    this.inspectEveryMs = (tuning.inspectEverySeconds ?? INSPECT_EVERY_SECONDS) * 1000;
    this.discoveryEveryMs = (tuning.discoveryEverySeconds ?? DISCOVERY_INTERVAL_SECONDS) * 1000;
    this.healthWaitSeconds = tuning.healthWaitSeconds ?? HEALTH_WAIT_SECONDS;
    // Inspecting more often than the window (tests: every poll) reads afresh each time.
    this.listenerTable = new ListenerTable(facts, Math.min(LISTENER_TABLE_MS, this.inspectEveryMs));
    this.discovery = new Discovery(facts, this.listenerTable);
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
    const options = this.options as ServiceMonitorOptions;
    return {
      config,
      source,
      server,
      adoption: NO_ADOPTION,
      supervisor: makeSupervisor(config, { facts: this.facts, uid: options.uid, home: options.home ?? null }),
      probeSpec: probeSpecOf(config),
      canarySpec: canarySpecOf(config),
      port: servicePort(config),
      local: isLocal(config),
      history: new ProbeHistory(),
      canaryHistory: new ProbeHistory(),
      lastProbe: null,
      lastCanary: null,
      probeUnknown: null,
      canaryUnknown: null,
      inspection: null,
      inspectUnknown: null,
      nextProbeAt: 0,
      nextCanaryAt: 0,
      nextInspectAt: 0,
      busy: { probe: false, canary: false, inspect: false },
      lastSeen: null,
      goneAt: null,
    };
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
        this.track(this.inspect(entry, now, table));
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

  private async inspect(entry: Entry, now: number, table: ProcessTable | null): Promise<void> {
    entry.busy.inspect = true;
    try {
      const work = this.inspectLimiter.run(() => this.readSupervision(entry, now, table));
      const result = await withDeadline<Part<Inspection>>(work, INSPECT_DEADLINE_MS, () => ({
        ok: false,
        reason: `supervision check did not finish within ${INSPECT_DEADLINE_MS / 1000} s`,
      }));
      if (result.ok) {
        entry.inspection = result.value;
        entry.inspectUnknown = null;
      } else {
        entry.inspectUnknown = result.reason;
      }
    } catch (error) {
      entry.inspectUnknown = errorText(error);
    } finally {
      entry.busy.inspect = false;
    }
  }

  private async readSupervision(entry: Entry, now: number, table: ProcessTable | null): Promise<Part<Inspection>> {
    if (!entry.config.supervisor && entry.local && entry.port !== null) await this.adoptOwner(entry, entry.port, now, table);
    const [listenerRead, supervision] = await Promise.all([
      entry.port !== null && entry.local ? this.listenerTable.port(entry.port, now) : Promise.resolve(null),
      entry.supervisor ? entry.supervisor.check(now, table) : Promise.resolve(null),
    ]);
    const listeners: Part<number[]> | null = listenerRead === null ? null : listenerRead.ok ? { ok: true, value: listenerRead.value.listeners.map((l) => l.pid) } : listenerRead;
    const listenersAt = listenerRead?.ok ? listenerRead.value.at : now;
    const inspection: Inspection = { at: now, listeners, listenersAt, supervision, otherOwners: new Map(), orphan: null };
    let verdict = this.classify(entry, inspection, table);
    if (verdict.state === 'orphaned' && entry.supervisor instanceof LaunchdSupervisor) {
      // Before calling it an orphan, ask whether another launchd job owns the process.
      const owners = await this.launchdOwners(entry.supervisor.domain, now);
      if (owners.ok) {
        for (const [pid, label] of owners.value) if (label !== entry.supervisor.label) inspection.otherOwners.set(pid, `${entry.supervisor.domain}/${label}`);
        verdict = this.classify(entry, inspection, table);
      }
    }
    if (verdict.state === 'orphaned' && verdict.orphanPid !== null) {
      const row = table?.rows.find((r) => r.pid === verdict.orphanPid);
      if (row) {
        const canonical = entry.supervisor instanceof LaunchdSupervisor ? entry.supervisor.plistPath() : null;
        inspection.orphan = await gatherOrphanEvidence(this.facts, processRefOf(row), canonical, verdict.reason);
      }
    }
    return { ok: true, value: inspection };
  }

  /** Zero config: the job that owns the process serving the port becomes the supervisor. */
  private async adoptOwner(entry: Entry, port: number, now: number, table: ProcessTable | null): Promise<void> {
    const options = this.options as ServiceMonitorOptions;
    const read = await this.listenerTable.port(port, now);
    const pid = read.ok ? read.value.listeners[0]?.pid : undefined;
    const ctx = { facts: this.facts, platform: options.platform, uid: options.uid, rows: indexRows(table), launchdOwners: (d: string) => this.launchdOwners(d, now) };
    const next = await adopt(ctx, pid, entry.adoption);
    if (next.key !== entry.adoption.key) {
      entry.supervisor = next.supervisor ? makeSupervisor({ ...entry.config, supervisor: next.supervisor }, { facts: this.facts, uid: options.uid, home: options.home ?? null }) : null;
    }
    entry.adoption = next;
  }

  private launchdOwners(domain: string, now: number): Promise<Part<Map<number, string>>> {
    const cached = this.domainCache.get(domain);
    if (cached && now - cached.at < DOMAIN_CACHE_MS) return cached.read;
    const read = readLaunchdDomain(this.facts, domain).then(
      (part): Part<Map<number, string>> => {
        if (!part.ok) return part;
        const owners = new Map<number, string>();
        for (const service of part.value) if (service.pid !== null) owners.set(service.pid, service.label);
        return { ok: true, value: owners };
      },
      (error): Part<Map<number, string>> => ({ ok: false, reason: errorText(error) }),
    );
    this.domainCache.set(domain, { at: now, read });
    return read;
  }

  private classify(entry: Entry, inspection: Inspection, table: ProcessTable | null, rowIndex: ReadonlyMap<number, ProcessRow> = indexRows(table)): Classification {
    let listeners = inspection.listeners;
    // A table read after the listeners were: a listener missing from it has exited since.
    if (listeners?.ok && table && table.at > inspection.listenersAt) {
      listeners = { ok: true, value: listeners.value.filter((pid) => rowIndex.has(pid)) };
    }
    return classifyService({
      port: entry.port,
      match: entry.config.match ?? null,
      local: entry.local,
      supervision: inspection.supervision,
      listeners,
      table,
      rowIndex,
      otherOwners: inspection.otherOwners,
      probe: entry.lastProbe,
      unsupervisedNote: entry.adoption.note,
      ...(this.options?.ownPid !== undefined ? { ownPid: this.options.ownPid } : {}),
      lastSeen: entry.lastSeen && entry.goneAt !== null ? { ...entry.lastSeen, goneAt: clockOf(entry.goneAt, this.options?.timeZone) } : null,
    });
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
      const names = new Set(found.services.map((s) => s.name));
      for (const [name, entry] of this.entries) {
        if (entry.source !== 'discovered' || names.has(name)) continue;
        // A server seen running and now gone stays shown a while: it may have crashed.
        const shown = entry.lastSeen !== null && (entry.goneAt === null || now - entry.goneAt < VANISHED_SHOWN_MS);
        if (!shown) this.entries.delete(name);
      }
      for (const service of found.services) {
        if (this.entries.get(service.name)?.source === 'config') continue;
        const { source: _source, server, pid: _pid, ...config } = service;
        this.entries.set(service.name, this.entryFor(config, 'discovered', server));
      }
    } catch (error) {
      this.discoveryProblems = [{ part: 'discovery', reason: errorText(error) }];
    } finally {
      this.discovering = false;
    }
  }

  views(now: number, table: ProcessTable | null): ServiceView[] {
    const rows = indexRows(table);
    const out: ServiceView[] = [];
    const staleAfter = 3 * this.inspectEveryMs + INSPECT_DEADLINE_MS;
    for (const entry of this.entries.values()) {
      const base = {
        name: entry.config.name,
        source: entry.source,
        url: entry.probeSpec?.url ?? null,
        port: entry.port,
        probe: entry.lastProbe ? entry.history.view(entry.lastProbe, now, this.options?.thresholds.probeWindowM ?? 5) : null,
        canary: entry.lastCanary ? entry.canaryHistory.view(entry.lastCanary, now, this.options?.thresholds.probeWindowM ?? 5) : null,
        // The engine fills it in: snoozes belong to the alert policy.
        snoozedUntil: null,
        goneAt: entry.goneAt,
      };
      const inspection = entry.inspection;
      let view: ServiceView;
      if (!inspection || now - inspection.at > staleAfter) {
        const reason = !inspection
          ? entry.inspectUnknown ?? 'not checked yet'
          : `last supervision check ${formatDuration((now - inspection.at) / 1000)} ago${entry.inspectUnknown ? `: ${entry.inspectUnknown}` : ''}`;
        view = { ...base, state: 'unknown', stateReason: reason, process: null, supervision: null, orphan: null, actions: [] };
      } else {
        let verdict = this.classify(entry, inspection, table, rows);
        const seenRow = verdict.pid !== null ? rows.get(verdict.pid) : undefined;
        if (seenRow) {
          entry.lastSeen = { pid: seenRow.pid, name: seenRow.name };
          entry.goneAt = null;
        } else if (entry.lastSeen && entry.goneAt === null && (verdict.state === 'missing' || verdict.state === 'crashed' || verdict.state === 'stopped')) {
          entry.goneAt = now;
          verdict = this.classify(entry, inspection, table, rows);
        }
        const row = verdict.pid !== null ? rows.get(verdict.pid) : undefined;
        const supervision = inspection.supervision?.ok ? supervisionViewOf(inspection.supervision.value) : null;
        const orphan = verdict.state === 'orphaned' && inspection.orphan?.process.pid === verdict.orphanPid ? inspection.orphan : null;
        view = {
          ...base,
          goneAt: entry.goneAt,
          state: verdict.state,
          stateReason: verdict.reason,
          process: row ? processRefOf(row) : null,
          supervision,
          orphan,
          actions: [],
        };
        view.actions = this.offers(entry, view);
      }
      out.push(view);
    }
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

  private offers(entry: Entry, view: ServiceView): ActionOffer[] {
    const home = this.options?.home ?? null;
    return serviceOffers({
      name: entry.config.name,
      view,
      supervisor: entry.supervisor,
      probeUrl: entry.probeSpec?.url ?? null,
      healthWaitSeconds: this.healthWaitSeconds,
      discovered: entry.source === 'discovered',
      port: entry.port,
      shownPath: (path) => tilde(path, home),
    });
  }
}

export function tilde(path: string, home: string | null): string {
  if (!home) return path;
  const h = home.replace(/\/+$/, '');
  return path.startsWith(`${h}/`) ? `~${path.slice(h.length)}` : path;
}
