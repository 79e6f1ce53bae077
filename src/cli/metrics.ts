/**
 * The State as Prometheus series, read at scrape time (no timers of our own). A private
 * registry, so tests and a host process never share prom-client's global one. A part Warden
 * could not read has no series: an absent series is honest, a stale number is not.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { PressureLevel } from '../common/memory.js';
import type { Severity } from '../common/severity.js';
import type { ServiceView } from '../common/services.js';
import type { State } from '../common/state.js';

export const PRESSURE_VALUE: Record<PressureLevel, number> = { normal: 0, warn: 1, critical: 2 };
/** The order of src/common/severity.ts: higher is worse. */
export const LEVEL_VALUE: Record<Severity, number> = { ok: 0, unknown: 1, warn: 2, crit: 3 };

export interface Metrics {
  registry: Registry;
  contentType: string;
  text(): Promise<string>;
}

export interface MetricsOptions {
  now(): number;
  /** Warden's own CPU, memory and event loop (prom-client's default metrics, prefixed warden_). */
  processMetrics?: boolean;
}

/** Up means it answers: the last probe passed, or without a probe, a process is serving. Unknown has no series. */
export function serviceUp(service: ServiceView): number | null {
  if (service.probe) return service.probe.ok ? 1 : 0;
  if (service.state === 'unknown') return null;
  return service.state === 'running' || service.state === 'orphaned' ? 1 : 0;
}

/** A gauge with no labels that has no sample when its value is unknown (prom-client would print 0). */
class SparseGauge extends Gauge<string> {
  absent = true;
  override async get() {
    const metric = await super.get();
    return this.absent ? { ...metric, values: [] } : metric;
  }
}

export function createMetrics(getState: () => State, opts: MetricsOptions): Metrics {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], collect: (g: Gauge<L>, state: State) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        collect(this, getState());
      },
    });

  const single = (name: string, help: string, pick: (state: State) => number | null | undefined) => {
    const sparse: SparseGauge = new SparseGauge({
      name,
      help,
      registers: [registry],
      collect: () => {
        const value = pick(getState());
        sparse.absent = typeof value !== 'number' || !Number.isFinite(value);
        if (typeof value === 'number' && !sparse.absent) sparse.set(value);
      },
    });
    return sparse;
  };

  const memory = (name: string, help: string, pick: (m: NonNullable<State['memory']>) => number | null) =>
    single(name, help, (state) => (state.memory ? pick(state.memory) : null));

  memory('warden_memory_total_bytes', 'Physical memory of the host.', (m) => m.totalBytes);
  memory('warden_memory_available_bytes', 'Memory that can be had without swapping.', (m) => m.availableBytes);
  memory('warden_memory_free_bytes', 'Pages nobody uses at all (small on a healthy Mac).', (m) => m.freeBytes);
  memory('warden_memory_swap_used_bytes', 'Swap in use.', (m) => m.swapUsedBytes);
  memory('warden_memory_swap_total_bytes', 'Swap allocated.', (m) => m.swapTotalBytes);
  memory('warden_memory_compressed_bytes', 'Memory held by the compressor (macOS).', (m) => m.compressedBytes);
  memory('warden_swap_in_bytes_per_second', 'Swap-in rate between the last two samples.', (m) => m.rates?.swapInBytesPerSec ?? null);
  memory('warden_swap_out_bytes_per_second', 'Swap-out rate between the last two samples.', (m) => m.rates?.swapOutBytesPerSec ?? null);

  gauge('warden_memory_pressure_level', 'OS memory pressure: 0 normal, 1 warn, 2 critical.', ['level'], (g, state) => {
    const pressure = state.memory?.pressure;
    if (pressure) g.set({ level: pressure }, PRESSURE_VALUE[pressure]);
  });

  gauge('warden_service_up', '1 when the service answers its probe (or, unprobed, a process serves it).', ['service'], (g, state) => {
    for (const service of state.services) {
      const up = serviceUp(service);
      if (up !== null) g.set({ service: service.name }, up);
    }
  });
  gauge('warden_service_latency_seconds', 'Latency of the last answered probe.', ['service'], (g, state) => {
    for (const service of state.services) {
      const ms = service.probe?.latencyMs;
      if (typeof ms === 'number') g.set({ service: service.name }, ms / 1000);
    }
  });
  gauge('warden_service_availability_ratio', 'Share of probes that passed in the window.', ['service', 'window'], (g, state) => {
    for (const service of state.services) {
      const probe = service.probe;
      if (!probe) continue;
      if (probe.availability1h !== null) g.set({ service: service.name, window: '1h' }, probe.availability1h);
      if (probe.availability24h !== null) g.set({ service: service.name, window: '24h' }, probe.availability24h);
    }
  });

  // Bounded: at most 20 models per watched server (the State shows no more), servers are the configured and discovered ones.
  gauge('warden_model_loaded_bytes', 'Size of a loaded model as its server reports it: fixed at load (Ollama GGUF), the file (LM Studio), or live.', ['server', 'model'], (g, state) => {
    for (const server of state.models) {
      for (const model of server.models) if (model.state !== 'served' && model.sizeBytes !== null) g.set({ server: server.service, model: model.name }, model.sizeBytes);
    }
  });

  single('warden_incidents_open', 'Incidents not yet closed.', (state) => state.incidents.filter((incident) => incident.closedAt === null).length);
  gauge('warden_state_level', 'Overall level: 0 ok, 1 unknown, 2 warn, 3 crit.', ['level'], (g, state) => {
    g.set({ level: state.level }, LEVEL_VALUE[state.level]);
  });
  single('warden_sample_age_seconds', 'Seconds since the last complete sample.', (state) =>
    state.sampledAt === null ? null : Math.max(0, (opts.now() - state.sampledAt) / 1000),
  );

  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'warden_' });

  return { registry, contentType: registry.contentType, text: () => registry.metrics() };
}
