import type { MemorySample, MemoryView } from '../../common/memory.js';
import type { ProcessTable } from '../../common/processes.js';
import type { ActionOffer, LockView } from '../../common/services.js';
import type { State, UnknownPart } from '../../common/state.js';
import type { Clock } from '../../platform/clock.js';
import type { Facts } from '../../platform/facts.js';
import { readMemory } from '../../platform/memory.js';
import type { Observation } from '../assess.js';
import { notSteady, tableDue } from '../cadence.js';
import type { JobMonitor } from '../jobs.js';
import type { LockMonitor } from '../locks.js';
import type { ModelMonitor } from '../models.js';
import { timed, type PartName } from '../parts.js';
import { pagingRates } from '../rates.js';
import type { SenseMonitor } from '../senses.js';
import type { ServiceMonitor } from '../services/monitor.js';
import type { ThiefTracker } from '../thieves.js';
import { partResults, settleMonitors, type Monitor, type PartResult } from '../monitors.js';
import { ProcessTableState, type TableRead } from './table.js';

/** A live cycle waits this long for the services, locks and jobs it started; the rest lands next cycle. */
export const PART_WAIT_MS = 3_000;

export interface SamplerDeps {
  facts: Facts;
  clock: Clock;
  platform: 'darwin' | 'linux';
  thieves: ThiefTracker;
  services: ServiceMonitor;
  locks: LockMonitor;
  jobs: JobMonitor;
  models: ModelMonitor;
  senses: SenseMonitor;
  /** Replays and captures wait for every part to finish; live cycles have a deadline. */
  settleParts: boolean;
  /** Read the process table less often while green and steady (cadence.ts); false: every cycle. */
  adaptiveCadence: boolean;
  /** The alert policy's snooze of a service, shown on its view. */
  serviceSnoozedUntil: (name: string, now: number) => number | null;
  /** Offers an action left behind (a release whose SIGTERM did not free the file offers SIGKILL). */
  followUps: (now: number) => ActionOffer[];
  timeZone?: string;
}

export interface SampleInput {
  now: number;
  intervalMs: number;
  /** The last State: whether it was green and steady decides whether the table is read. */
  previous: State;
  wokeAt: number | null;
  /** The config file not applied, when it was not. */
  configProblem: UnknownPart | null;
}

/** What the sample step hands to judge and publish. */
export interface Sampled {
  /** The judgement's input (assess.ts). */
  observation: Observation;
  /** Memory's unknown first, then the rest: the State's unknowns. */
  unknowns: UnknownPart[];
  /** Each part's success, reason and seconds this cycle; publish adds history's. */
  parts: PartResult[];
  /** This cycle's notes for the State (an odd ps line). */
  notes: string[];
}

/**
 * Step one of the tick: reads memory, the senses and (on its cadence) the process table side by
 * side, then polls the monitors and waits for them a bounded time, and builds the Observation
 * from their views. The reads happen in the same order every cycle (captures record them).
 */
export class Sampler {
  readonly table: ProcessTableState;
  private previousMemory: MemorySample | null = null;
  private readonly monitors: readonly Monitor[];

  constructor(private readonly deps: SamplerDeps) {
    this.table = new ProcessTableState(deps);
    this.monitors = [deps.services, deps.locks, deps.jobs];
  }

  /** The last memory read ok (its total sizes the memory history when no State has it yet). */
  get lastMemory(): MemorySample | null {
    return this.previousMemory;
  }

  async sample({ now, intervalMs, previous, wokeAt, configProblem }: SampleInput): Promise<Sampled> {
    const { facts, clock, platform, services, locks, jobs, models, senses, thieves } = this.deps;
    const took: Partial<Record<PartName, number>> = {};
    const clockNow = () => clock.now();
    const adaptive = this.deps.adaptiveCadence && facts.goneProcesses !== undefined;
    // Green and steady: memory (the first sign) and the watched pids decide whether the table is read.
    const steadyWhy = adaptive ? notSteady(previous, now, wokeAt) : 'full cadence';
    const lastTable = this.table.last;
    const early = steadyWhy !== null || lastTable === null ? this.table.read(now, took) : null;
    const [memoryPart, sensesView, gone] = await Promise.all([
      timed(took, 'memory', clockNow, () => readMemory(facts, platform, now)),
      timed(took, 'senses', clockNow, () => senses.poll(facts, now)),
      early ? Promise.resolve([]) : facts.goneProcesses!(services.watchedPids()).catch(() => null),
    ]);
    let reads: [TableRead[0] | null, TableRead[1]] = [null, null];
    if (early) reads = await early;
    else {
      const decision = tableDue({ now, intervalMs, lastTableAt: lastTable?.readAt ?? null, notSteady: steadyWhy, pressure: memoryPart.ok ? memoryPart.value.pressure : null, gone, adaptive });
      if (decision.due) reads = await this.table.read(now, took);
    }
    // Memory's failure is the observation's memoryUnknown; every other part not read is here.
    const unknowns: UnknownPart[] = [];
    const notes: string[] = [];

    let memory: MemoryView | null = null;
    if (memoryPart.ok) {
      const prev = this.previousMemory;
      memory = { ...memoryPart.value, rates: prev ? pagingRates(prev, memoryPart.value) : null };
      this.previousMemory = memoryPart.value;
    }
    const memoryUnknown = memoryPart.ok ? null : memoryPart.reason;

    let table = this.table.accept(now, lastTable, reads, took, unknowns, notes);
    const reused = reads[0] === null;

    const partsStarted = clock.now();
    await Promise.all(this.monitors.map((m) => m.poll(now, table)));
    models.poll(now, services.modelTargets());
    const waited = await settleMonitors(this.monitors, {
      clock,
      startedAt: partsStarted,
      deadlineMs: this.deps.settleParts ? null : Math.min(PART_WAIT_MS, intervalMs * 0.6),
      also: [models.idle()],
    });
    Object.assign(took, waited);
    // Steady, but a part just named a pid the last table does not hold (a new listener, a lock's
    // holder, a reader's error): the views are built from a table read now.
    if (table && reused && this.namesNewPid(table)) {
      const [fresh] = await this.table.read(now, took);
      if (fresh.ok) {
        table = fresh.value;
        this.table.replaceReused(table, now, took);
      }
    }

    const serviceViews = services.views(now, table).map((s) => ({ ...s, snoozedUntil: this.deps.serviceSnoozedUntil(s.name, now) }));
    const followUps = this.deps.followUps(now);
    const lockViews = withFollowUps(locks.views(now, table), followUps);
    const jobViews = jobs.views(now);
    const modelViews = models.views(now, table);
    unknowns.push(...services.unknowns(), ...locks.unknowns(), ...jobs.unknowns(), ...models.unknowns());
    if (configProblem) unknowns.push(configProblem);

    const observation: Observation = {
      memory,
      memoryUnknown,
      // No table this cycle: the thieves of the last one would be stale values shown as current.
      thieves: table ? thieves.thieves(now, memory) : [],
      services: serviceViews,
      locks: lockViews,
      jobs: jobViews,
      unknowns,
      models: modelViews,
      wokeAt,
      processes: table?.rows ?? [],
      cpuNow: (pid) => (table ? thieves.cpuNow(pid) : null),
      senses: sensesView,
      ...(this.deps.timeZone ? { timeZone: this.deps.timeZone } : {}),
    };
    const stateUnknowns = memoryUnknown === null ? unknowns : [{ part: 'memory', reason: memoryUnknown }, ...unknowns];
    return { observation, unknowns: stateUnknowns, parts: partResults(took, stateUnknowns), notes };
  }

  private namesNewPid(table: ProcessTable): boolean {
    const rows = new Set(table.rows.map((r) => r.pid));
    return [...this.deps.services.watchedPids(), ...this.deps.locks.namedPids()].some((pid) => !rows.has(pid));
  }
}

/** A release whose SIGTERM did not free the file offers SIGKILL beside it for a while. */
function withFollowUps(locks: LockView[], followUps: ActionOffer[]): LockView[] {
  return locks.map((lock) => {
    const extra = followUps.filter((a) => a.target === lock.path && !lock.actions.some((b) => b.id === a.id));
    return extra.length > 0 ? { ...lock, actions: [...lock.actions, ...extra] } : lock;
  });
}
