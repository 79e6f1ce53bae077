import type { ProcessRow, ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import { clockOf } from '../../common/zoned-time.js';
import type { Facts } from '../../platform/facts.js';
import { readLaunchdDomain } from '../../platform/darwin/launchctl.js';
import { processRefOf, type Entry, type Inspection, type ServiceMonitorOptions } from './entry.js';
import { Limiter, withDeadline } from './limiter.js';
import type { ListenerTable } from './listeners.js';
import { gatherOrphanEvidence } from './orphans.js';
import { adopt } from './owner.js';
import { classifyService, indexRows, type Classification } from './classify.js';
import { makeSupervisor } from './supervision.js';

/** A supervision check (a few commands, each with its own deadline) that takes longer is dropped. */
export const INSPECT_DEADLINE_MS = 30_000;
const DOMAIN_CACHE_MS = 60_000;

/**
 * A service's supervision check and orphan inspection: who listens on its port, what its
 * supervisor says (or, with none configured, which job owns the listener), and before a
 * process is called an orphan, whether another launchd job owns it and what evidence says so.
 */
export class Inspector {
  private readonly limiter: Limiter;
  private readonly domainCache = new Map<string, { at: number; read: Promise<Part<Map<number, string>>> }>();

  constructor(
    private readonly facts: Facts,
    private readonly listenerTable: ListenerTable,
    concurrency: number,
    private readonly options: () => ServiceMonitorOptions | null,
  ) {
    this.limiter = new Limiter(concurrency);
  }

  /** Checks the service within INSPECT_DEADLINE_MS and keeps the result (or why there is none) on the entry. */
  async inspect(entry: Entry, now: number, table: ProcessTable | null): Promise<void> {
    entry.busy.inspect = true;
    try {
      const work = this.limiter.run(() => this.readSupervision(entry, now, table));
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
    const options = this.options();
    let verdict = classifyEntry(entry, inspection, table, options);
    const job = entry.supervisor?.launchdJob?.() ?? null;
    if (verdict.state === 'orphaned' && job) {
      // Before calling it an orphan, ask whether another launchd job owns the process.
      const owners = await this.launchdOwners(job.domain, now);
      if (owners.ok) {
        for (const [pid, label] of owners.value) if (label !== job.label) inspection.otherOwners.set(pid, `${job.domain}/${label}`);
        verdict = classifyEntry(entry, inspection, table, this.options());
      }
    }
    if (verdict.state === 'orphaned' && verdict.orphanPid !== null) {
      const row = table?.rows.find((r) => r.pid === verdict.orphanPid);
      if (row) {
        const canonical = entry.supervisor?.plistPath?.() ?? null;
        inspection.orphan = await gatherOrphanEvidence(this.facts, processRefOf(row), canonical, verdict.reason);
      }
    }
    return { ok: true, value: inspection };
  }

  /** Zero config: the job that owns the process serving the port becomes the supervisor. */
  private async adoptOwner(entry: Entry, port: number, now: number, table: ProcessTable | null): Promise<void> {
    const options = this.options() as ServiceMonitorOptions;
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
}

/** The service's state from its last inspection and this cycle's table. */
export function classifyEntry(entry: Entry, inspection: Inspection, table: ProcessTable | null, options: ServiceMonitorOptions | null, rowIndex: ReadonlyMap<number, ProcessRow> = indexRows(table)): Classification {
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
    ...(options?.ownPid !== undefined ? { ownPid: options.ownPid } : {}),
    lastSeen: entry.lastSeen && entry.goneAt !== null ? { ...entry.lastSeen, goneAt: clockOf(entry.goneAt, options?.timeZone) } : null,
  });
}
