import type { ServiceConfig, Thresholds } from '../../common/config.js';
import type { Part } from '../../common/result.js';
import type { ProcessRow } from '../../common/processes.js';
import type { OrphanEvidence, ProcessRef } from '../../common/services.js';
import type { ProbeCadence } from '../../platform/capture.js';
import type { Facts } from '../../platform/facts.js';
import type { ServerKind } from './discovery.js';
import { NO_ADOPTION, type Adoption } from './owner.js';
import { canarySpecOf, ProbeHistory, probeSpecOf, type ProbeOutcome, type ProbeSpec } from './probes.js';
import { makeSupervisor, type SupervisionCheck, type Supervisor } from './supervision.js';
import { isLocal, servicePort } from './urls.js';

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

/** What one supervision check found: who listens on the port, what the supervisor says, other owners, an orphan's evidence. */
export interface Inspection {
  at: number;
  listeners: Part<number[]> | null;
  /** When the listeners were read: a shared read can be a little older than the inspection. */
  listenersAt: number;
  supervision: Part<SupervisionCheck> | null;
  otherOwners: Map<number, string>;
  orphan: OrphanEvidence | null;
}

/** One watched service: what it is, its three schedules (probe, canary, inspection) and their latest results. */
export interface Entry {
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

/** A service as first watched: nothing probed or inspected yet, everything due. */
export function newEntry(config: ServiceConfig, source: Entry['source'], server: ServerKind | null, facts: Facts, options: ServiceMonitorOptions): Entry {
  return {
    config,
    source,
    server,
    adoption: NO_ADOPTION,
    supervisor: makeSupervisor(config, { facts, uid: options.uid, home: options.home ?? null }),
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

/** A process as a view names it (the guard checks pid and start before any signal). */
export function processRefOf(row: ProcessRow): ProcessRef {
  return { pid: row.pid, ppid: row.ppid, uid: row.uid, startedAt: row.startedAt, name: row.name, command: row.command };
}
