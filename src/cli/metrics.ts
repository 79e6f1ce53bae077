/**
 * The State as Prometheus series, read at scrape time: no timers of our own, and none of
 * prom-client's default metrics (its event-loop monitor wakes the process every 10 ms). A
 * private registry, so tests and a host process never share prom-client's global one. A part
 * Warden could not read has no series: an absent series is honest, a stale number is not.
 *
 * Cardinality is bounded by the config (services, watched files, jobs, channels) and by fixed
 * sets (levels, states, parts); thieves are the top THIEF_SERIES by memory, by rank.
 * Every series is listed in docs/metrics.md (a test keeps the two equal).
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { PRESSURE_RANK, type PressureLevel } from '../common/memory.js';
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../common/severity.js';
import type { ServiceState, ServiceView } from '../common/services.js';
import type { State } from '../common/state.js';
import { plainText } from '../common/text.js';
import { WARDEN_VERSION } from '../common/version.js';

/** The exported numbers are the orders in common/memory.ts and common/severity.ts: higher is worse. */
export const PRESSURE_VALUE: Readonly<Record<PressureLevel, number>> = PRESSURE_RANK;
export const LEVEL_VALUE: Readonly<Record<Severity, number>> = SEVERITY_RANK;
const PRESSURES = Object.keys(PRESSURE_VALUE) as PressureLevel[];
const SERVICE_STATES: readonly ServiceState[] = ['running', 'stopped', 'crashed', 'orphaned', 'missing', 'unknown'];
/** Subject kinds always exported, so `warden_findings{kind="service",severity="crit"} 0` exists to alert on. */
const FINDING_KINDS = ['service', 'lock', 'job', 'memory', 'process', 'warden'];
const FINDING_SEVERITIES: readonly Severity[] = ['warn', 'crit', 'unknown'];
/** Thieves exported, by rank of memory held: a bounded set of series whatever the process table holds. */
export const THIEF_SERIES = 5;
const LABEL_MAX = 100;

export interface Metrics {
  registry: Registry;
  contentType: string;
  text(): Promise<string>;
}

export interface MetricsOptions {
  now(): number;
  /** Warden's own CPU and memory (warden_process_*), read from Node at scrape time. */
  processMetrics?: boolean;
}

/** Up means it answers: the last probe passed, or without a probe, a process is serving. Unknown has no series. */
export function serviceUp(service: ServiceView): number | null {
  if (service.probe) return service.probe.ok ? 1 : 0;
  if (service.state === 'unknown') return null;
  return service.state === 'running' || service.state === 'orphaned' ? 1 : 0;
}

export type Labels = Record<string, string>;
export interface Sample {
  labels?: Labels;
  value: number | null | undefined;
}

/**
 * One metric family whose samples are computed from the State at scrape time. prom-client
 * formats and escapes it; its own value store is never used (a reset gauge without labels
 * would print 0 for a value nobody read).
 */
function family(registry: Registry, type: 'gauge' | 'counter', name: string, help: string, samples: () => Sample[]): void {
  const Base = type === 'counter' ? Counter : Gauge;
  const metric = new Base({ name, help, registers: [registry] });
  Object.defineProperty(metric, 'get', {
    value: async () => ({
      name,
      help,
      type,
      aggregator: 'sum',
      values: samples()
        .filter((s): s is { labels?: Labels; value: number } => typeof s.value === 'number' && Number.isFinite(s.value))
        .map((s) => ({ labels: s.labels ?? {}, value: s.value })),
    }),
  });
}

/** A label value people can read and Prometheus can hold: plain text (no escapes, controls, bidi), bounded length. */
export function labelValue(text: string): string {
  return plainText(text, LABEL_MAX);
}

const bool = (value: boolean): number => (value ? 1 : 0);

export function createMetrics(getState: () => State, opts: MetricsOptions): Metrics {
  const registry = new Registry();
  // One State per scrape: every family reads the same cycle.
  let current: State = getState();
  const each = <T>(pick: (s: State) => T[], map: (item: T) => Sample | Sample[]): (() => Sample[]) => () => pick(current).flatMap(map);
  const gauge = (name: string, help: string, samples: () => Sample[]) => family(registry, 'gauge', name, help, samples);
  const counter = (name: string, help: string, samples: () => Sample[]) => family(registry, 'counter', name, help, samples);
  const single = (pick: (s: State) => number | null | undefined) => () => [{ value: pick(current) }];

  gauge('warden_build_info', 'Always 1; the labels say which Warden, on which Node and platform.', () => [
    { labels: { version: WARDEN_VERSION, node: process.version, platform: current.host.platform, arch: current.host.arch }, value: 1 },
  ]);

  // ---------------------------------------------------------------- host memory
  const memory = (pick: (m: NonNullable<State['memory']>) => number | null) => single((s) => (s.memory ? pick(s.memory) : null));
  gauge('warden_memory_total_bytes', 'Physical memory of the host.', memory((m) => m.totalBytes));
  gauge('warden_memory_available_bytes', 'Memory that can be had without swapping.', memory((m) => m.availableBytes));
  gauge('warden_memory_free_bytes', 'Pages nobody uses at all (small on a healthy Mac).', memory((m) => m.freeBytes));
  gauge('warden_memory_swap_used_bytes', 'Swap in use.', memory((m) => m.swapUsedBytes));
  gauge('warden_memory_swap_total_bytes', 'Swap allocated.', memory((m) => m.swapTotalBytes));
  gauge('warden_memory_compressed_bytes', 'Memory held by the compressor (macOS) or zswap (Linux).', memory((m) => m.compressedBytes));
  const paged = (pick: (c: NonNullable<NonNullable<State['memory']>['counters']>) => number) =>
    memory((m) => (m.counters ? pick(m.counters) * m.counters.pageSizeBytes : null));
  counter('warden_swap_in_bytes_total', 'Bytes read back from swap since the host booted (the OS counter).', paged((c) => c.swapins));
  counter('warden_swap_out_bytes_total', 'Bytes written to swap since the host booted (the OS counter).', paged((c) => c.swapouts));
  counter('warden_page_in_bytes_total', 'Bytes paged in since the host booted (the OS counter).', paged((c) => c.pageins));
  counter('warden_page_out_bytes_total', 'Bytes paged out since the host booted (the OS counter).', paged((c) => c.pageouts));
  gauge('warden_memory_pressure_level', 'OS memory pressure: 0 normal, 1 warn, 2 critical.', memory((m) => (m.pressure ? PRESSURE_VALUE[m.pressure] : null)));
  gauge('warden_memory_pressure', 'OS memory pressure as a state set: 1 for the current level, 0 for the others.', () => {
    const pressure = current.memory?.pressure;
    return pressure ? PRESSURES.map((level) => ({ labels: { level }, value: bool(level === pressure) })) : [];
  });

  // ---------------------------------------------------------------- thieves
  const thieves = () => [...current.thieves].sort((a, b) => b.memoryBytes - a.memoryBytes).slice(0, THIEF_SERIES);
  const thiefLabels = (t: State['thieves'][number], rank: number): Labels => ({ rank: String(rank + 1), name: labelValue(t.name), role: t.role ?? '' });
  gauge('warden_thief_memory_bytes', `Memory held by the top ${THIEF_SERIES} processes by memory (footprint on macOS where read, else RSS), by rank.`, () =>
    thieves().map((t, i) => ({ labels: thiefLabels(t, i), value: t.memoryBytes })),
  );
  gauge('warden_thief_cpu_cores', 'CPU of the same processes, in cores (1 = one core busy).', () => thieves().map((t, i) => ({ labels: thiefLabels(t, i), value: t.cpuPercent / 100 })));
  gauge('warden_thief_growth_bytes_per_second', 'Steady memory growth of the same processes, where a fit was found.', () =>
    thieves().map((t, i) => ({ labels: thiefLabels(t, i), value: t.growth ? t.growth.bytesPerHour / 3600 : null })),
  );

  // ---------------------------------------------------------------- services
  const services = (s: State) => s.services;
  const svc = (service: ServiceView): Labels => ({ service: labelValue(service.name) });
  gauge('warden_service_up', '1 when the service answers its probe (or, unprobed, a process serves it).', each(services, (s) => ({ labels: svc(s), value: serviceUp(s) })));
  gauge('warden_service_state', 'The service state as a state set: 1 for the current state, 0 for the others.', each(services, (s) =>
    SERVICE_STATES.map((state) => ({ labels: { ...svc(s), state }, value: bool(s.state === state) })),
  ));
  gauge('warden_service_latency_seconds', 'Latency of the last answered probe.', each(services, (s) => ({ labels: svc(s), value: s.probe?.latencyMs == null ? null : s.probe.latencyMs / 1000 })));
  gauge('warden_service_availability_ratio', 'Share of probes that passed in the window.', each(services, (s) => [
    { labels: { ...svc(s), window: '1h' }, value: s.probe?.availability1h },
    { labels: { ...svc(s), window: '24h' }, value: s.probe?.availability24h },
  ]));
  const probes = (s: ServiceView) => [
    { probe: 'health', view: s.probe },
    { probe: 'canary', view: s.canary },
  ];
  counter('warden_service_probes_total', 'Probe requests sent since Warden started, by probe (health or canary).', each(services, (s) =>
    probes(s).map(({ probe, view }) => ({ labels: { ...svc(s), probe }, value: view?.probesTotal })),
  ));
  counter('warden_service_probe_failures_total', 'Probe requests that failed since Warden started, by probe.', each(services, (s) =>
    probes(s).map(({ probe, view }) => ({ labels: { ...svc(s), probe }, value: view?.failuresTotal })),
  ));

  // ---------------------------------------------------------------- models
  // Bounded: at most 20 models per watched server (the State shows no more), servers are the configured and discovered ones.
  gauge('warden_model_loaded_bytes', 'Size of a loaded model as its server reports it: fixed at load (Ollama GGUF), the file (LM Studio), or live.', each((s) => s.models ?? [], (server) =>
    server.models.filter((model) => model.state !== 'served' && model.sizeBytes !== null).map((model) => ({ labels: { server: labelValue(server.service), model: labelValue(model.name) }, value: model.sizeBytes })),
  ));

  // ---------------------------------------------------------------- locks and jobs
  const file = (path: string): Labels => ({ file: labelValue(path) });
  gauge('warden_lock_held_seconds', 'Age of the longest holder of a watched file (process age: the lock itself has no timestamp).', each((s) => s.locks, (l) => ({ labels: file(l.path), value: l.heldSeconds })));
  gauge('warden_lock_limit_seconds', 'How long a watched file may be held before Warden warns.', each((s) => s.locks, (l) => ({ labels: file(l.path), value: l.limitSeconds })));
  gauge('warden_lock_holders', 'Processes holding a watched file open or locked.', each((s) => s.locks, (l) => ({ labels: file(l.path), value: l.exists ? l.holders.length : null })));
  // Not "job": Prometheus gives that label to the scrape job.
  const job = (name: string): Labels => ({ name: labelValue(name) });
  gauge('warden_job_last_exit_code', 'Exit code of the last run of a scheduled job (absent: never exited, or killed by a signal).', each((s) => s.jobs, (j) => ({ labels: job(j.name), value: j.lastExit?.neverExited ? null : j.lastExit?.code })));
  gauge('warden_job_last_run_failed', '1 when the last run of a scheduled job exited non-zero or was killed by a signal.', each((s) => s.jobs, (j) => {
    const exit = j.lastExit;
    return { labels: job(j.name), value: !exit || exit.neverExited ? null : bool(exit.signal !== null || (exit.code !== null && exit.code !== 0)) };
  }));
  gauge('warden_job_last_run_timestamp_seconds', 'When a scheduled job last ran.', each((s) => s.jobs, (j) => ({ labels: job(j.name), value: j.lastRunAt === null ? null : j.lastRunAt / 1000 })));
  gauge('warden_job_overdue_seconds', 'How long past its grace time a scheduled job has not run (absent: not overdue).', each((s) => s.jobs, (j) => ({ labels: job(j.name), value: j.overdueSeconds })));

  // ---------------------------------------------------------------- channels (named, never their URL)
  const channels = (s: State) => s.channels ?? [];
  const ch = (c: State['channels'][number]): Labels => ({ channel: labelValue(c.name), kind: c.kind });
  gauge('warden_channel_queued', 'Notices waiting for a channel (webhook, ntfy, Slack), the one being retried included.', each(channels, (c) => ({ labels: ch(c), value: c.queued })));
  gauge('warden_channel_retrying', '1 while the notice at the head of a channel is failing and being retried.', each(channels, (c) => ({ labels: ch(c), value: bool(c.retrying !== null) })));
  counter('warden_channel_deliveries_total', 'Notices a channel accepted (2xx) since Warden started.', each(channels, (c) => ({ labels: ch(c), value: c.sentTotal })));
  counter('warden_channel_failures_total', 'Notices given up on since Warden started (retries exhausted, or refused).', each(channels, (c) => ({ labels: ch(c), value: c.failedTotal })));
  gauge('warden_channel_last_delivery_timestamp_seconds', 'When a channel last accepted a notice.', each(channels, (c) => ({ labels: ch(c), value: c.lastSentAt === null ? null : c.lastSentAt / 1000 })));

  // ---------------------------------------------------------------- judgement
  gauge('warden_state_level', 'Overall level: 0 ok, 1 unknown, 2 warn, 3 crit.', single((s) => LEVEL_VALUE[s.level]));
  gauge('warden_state', 'Overall level as a state set: 1 for the current level, 0 for the others.', () =>
    SEVERITIES.map((level) => ({ labels: { level }, value: bool(current.level === level) })),
  );
  gauge('warden_findings', 'Findings now, by subject kind and severity.', () => {
    const kinds = [...new Set([...FINDING_KINDS, ...current.findings.map((f) => f.subject.kind)])];
    return kinds.flatMap((kind) =>
      FINDING_SEVERITIES.map((severity) => ({ labels: { kind, severity }, value: current.findings.filter((f) => f.subject.kind === kind && f.severity === severity).length })),
    );
  });
  gauge('warden_incidents_open', 'Incidents not yet closed.', single((s) => s.incidents.filter((incident) => incident.closedAt === null).length));
  gauge('warden_sample_age_seconds', 'Seconds since the last complete sample.', single((s) => (s.sampledAt === null ? null : Math.max(0, (opts.now() - s.sampledAt) / 1000))));
  gauge('warden_part_success', '1 when a part of the last cycle read cleanly (node_exporter\'s collector success).', each((s) => s.parts ?? [], (p) => ({ labels: { part: p.name }, value: bool(p.ok) })));
  gauge('warden_part_duration_seconds', 'Time the last cycle spent on a part (a part still running when the cycle moved on: the time it waited).', each((s) => s.parts ?? [], (p) => ({ labels: { part: p.name }, value: p.seconds })));
  gauge('warden_history_up', '1 when incident history is being written to the data folder.', single((s) => (s.replay ? null : bool(s.history.available))));

  if (opts.processMetrics !== false) {
    const startSeconds = Math.round((Date.now() - process.uptime() * 1000) / 1000);
    counter('warden_process_cpu_seconds_total', "Warden's own CPU time, user and system.", () => {
      const cpu = process.cpuUsage();
      return [{ value: (cpu.user + cpu.system) / 1e6 }];
    });
    gauge('warden_process_resident_memory_bytes', "Warden's own resident memory.", () => [{ value: process.memoryUsage.rss() }]);
    gauge('warden_process_heap_used_bytes', "Warden's own JavaScript heap in use.", () => [{ value: process.memoryUsage().heapUsed }]);
    gauge('warden_process_start_time_seconds', 'When this Warden process started, in seconds since the epoch.', () => [{ value: startSeconds }]);
  }

  return {
    registry,
    contentType: registry.contentType,
    text: () => {
      current = getState();
      return registry.metrics();
    },
  };
}
