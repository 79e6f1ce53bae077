import type { Candidate } from '../common/findings.js';
import type { MemoryView } from '../common/memory.js';
import type { Thief } from '../common/processes.js';
import type { ServiceView } from '../common/services.js';
import type { DiskView, LoadView, SensesView, ThermalView, VolumeView } from '../common/senses.js';
import type { Part } from '../common/result.js';
import { formatBytes, formatPercent } from '../common/format.js';
import { isRemote } from './services/monitor.js';

/** A volume with less than this share free is nearly full; so is a big one (10 × DISK_LOW_BYTES or more) with less than DISK_LOW_BYTES. */
export const DISK_LOW_PERCENT = 5;
export const DISK_LOW_BYTES = 2 * 1024 ** 3;
/** A 1-minute load at or over this many times the cores is a CPU that cannot keep up. */
export const LOAD_IN_FACTOR = 1;
/** A log value this many times its baseline is the server's own slowness, measured. */
export const LOG_IN_RATIO = 5;

export interface DifferentialInput {
  service: ServiceView;
  memory: MemoryView | null;
  /** Memory is short (swap, available, pressure): the same judgement that makes memory the cause. */
  stressed: boolean;
  thieves: readonly Thief[];
  senses: SensesView | null;
}

const percentFree = (v: VolumeView) => (v.totalBytes > 0 ? (100 * v.availableBytes) / v.totalBytes : 0);
export const volumeLow = (v: VolumeView) => percentFree(v) < DISK_LOW_PERCENT || (v.totalBytes >= 10 * DISK_LOW_BYTES && v.availableBytes < DISK_LOW_BYTES);
/** "3.1 GiB free on /System/Volumes/VM (1 %)" */
export const volumeText = (v: VolumeView) => `${formatBytes(v.availableBytes)} free on ${v.path} (${sharePercent(percentFree(v))} %)`;
/** Whole percents; a tenth under 1 % (0 % free would say "full" when 1.5 GiB are left). */
export const sharePercent = (percent: number) => (percent < 1 ? percent.toFixed(1) : String(Math.round(percent)));

function unread<T>(part: Part<T> | undefined, senses: SensesView | null): string | null {
  if (!senses || !part) return 'not read this cycle';
  return part.ok ? null : part.reason;
}

export function memoryCandidate(memory: MemoryView | null, stressed: boolean, disk: Part<DiskView> | undefined): Candidate {
  if (!memory) return { name: 'memory', verdict: 'unknown', text: 'host memory not read this cycle' };
  const swapVolume = disk?.ok ? disk.value.volumes.find((v) => v.roles.includes('swap') && volumeLow(v)) : undefined;
  const cannotGrow = swapVolume ? `; swap cannot grow: ${volumeText(swapVolume)}` : '';
  const pressure = memory.pressure ? `, pressure ${memory.pressure}` : '';
  if (stressed || swapVolume) {
    return { name: 'memory', verdict: 'in', text: `swap ${formatBytes(memory.swapUsedBytes)} used, ${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}${pressure}${cannotGrow}` };
  }
  return { name: 'memory', verdict: 'out', text: `${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}${pressure}` };
}

export function cpuCandidate(load: Part<LoadView> | undefined, thieves: readonly Thief[], senses: SensesView | null): Candidate {
  const why = unread(load, senses);
  if (why || !load?.ok) return { name: 'cpu', verdict: 'unknown', text: why ?? 'not read' };
  const { loadavg, cores } = load.value;
  const text = `load ${loadavg[0].toFixed(1)} / ${cores}`;
  // The thieves' share: the cores the sustained CPU takers hold.
  const takers = thieves.filter((t) => t.sustainedCpu !== null || t.reasons.includes('cpu')).sort((a, b) => b.cpuPercent - a.cpuPercent);
  const share = takers.slice(0, 2).map((t) => `${t.name} ${formatPercent(t.sustainedCpu?.averagePercent ?? t.cpuPercent)}`);
  const taken = takers.reduce((sum, t) => sum + (t.sustainedCpu?.averagePercent ?? t.cpuPercent) / 100, 0);
  const thiefText = takers.length > 0 ? `; ${share.join(', ')} (${taken.toFixed(1)} cores)` : '';
  return { name: 'cpu', verdict: loadavg[0] >= cores * LOAD_IN_FACTOR ? 'in' : 'out', text: `${text}${thiefText}` };
}

export function thermalCandidate(thermal: Part<ThermalView> | undefined, senses: SensesView | null): Candidate {
  const why = unread(thermal, senses);
  if (why || !thermal?.ok) return { name: 'thermal', verdict: 'unknown', text: why ?? 'not read' };
  const t = thermal.value;
  if (t.throttled) return { name: 'thermal', verdict: 'in', text: t.summary };
  return { name: 'thermal', verdict: 'out', text: t.source === 'pmset -g therm' && t.speedLimitPercent === null ? 'no warning' : t.summary };
}

export function diskCandidate(disk: Part<DiskView> | undefined, senses: SensesView | null): Candidate {
  const why = unread(disk, senses);
  if (why || !disk?.ok) return { name: 'disk', verdict: 'unknown', text: why ?? 'not read' };
  const tightest = [...disk.value.volumes].sort((a, b) => percentFree(a) - percentFree(b))[0];
  if (!tightest) return { name: 'disk', verdict: 'unknown', text: 'no volume read' };
  if (volumeLow(tightest)) return { name: 'disk', verdict: 'in', text: volumeText(tightest) };
  return { name: 'disk', verdict: 'out', text: `${Math.round(percentFree(tightest))} % free` };
}

export function logCandidate(service: ServiceView, senses: SensesView | null): Candidate {
  if (!senses) return { name: 'log', verdict: 'unknown', text: 'not read this cycle' };
  const logs = senses.logs.filter((l) => l.service === service.name);
  if (logs.length === 0) return { name: 'log', verdict: 'unknown', text: `no log configured for ${service.name} (services[].logs)` };
  const judged = logs.filter((l) => l.ratio !== null);
  const worst = [...judged].sort((a, b) => b.ratio! - a.ratio!)[0];
  if (!worst) {
    const first = logs[0]!;
    return { name: 'log', verdict: 'unknown', text: first.error ?? first.text };
  }
  return { name: 'log', verdict: worst.ratio! >= LOG_IN_RATIO ? 'in' : 'out', text: worst.text };
}

/** A remote service's network: the probe measures the whole request, so only a failure that names the network rules it in. */
export function networkCandidate(service: ServiceView): Candidate | null {
  if (!isRemote(service)) return null;
  const probe = service.canary && !service.canary.ok ? service.canary : service.probe;
  if (!probe) return { name: 'network', verdict: 'unknown', text: 'not probed yet' };
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|EHOSTUNREACH|ENETUNREACH|no route/i.test(probe.measured)) return { name: 'network', verdict: 'in', text: probe.measured };
  if (probe.status !== null) return { name: 'network', verdict: 'out', text: `HTTP ${probe.status} came back` };
  return { name: 'network', verdict: 'unknown', text: `${probe.measured}; DNS and connect time are not split out` };
}

/** Every usual suspect behind a service symptom, in the order an operator checks them. */
export function differentialOf(input: DifferentialInput): Candidate[] {
  const { service, memory, stressed, thieves, senses } = input;
  const out: Candidate[] = [
    memoryCandidate(memory, stressed, senses?.disk),
    cpuCandidate(senses?.load, thieves, senses),
    thermalCandidate(senses?.thermal, senses),
    diskCandidate(senses?.disk, senses),
    logCandidate(service, senses),
  ];
  const network = networkCandidate(service);
  if (network) out.push(network);
  return out;
}

const LABEL: Record<Candidate['name'], string> = { memory: 'memory', cpu: 'CPU', thermal: 'thermal', disk: 'disk', log: 'log', network: 'network' };

/** "Ruled out: thermal (no warning), disk (62 % free), CPU (load 8.0 / 16)"; null when nothing was. */
export function ruledOutLine(candidates: readonly Candidate[]): string | null {
  const out = candidates.filter((c) => c.verdict === 'out');
  return out.length > 0 ? `Ruled out: ${out.map((c) => `${LABEL[c.name]} (${c.text})`).join(', ')}` : null;
}

/** The candidates in besides the one the cause line already names: "Also in: log (prefill 59.2 s, baseline 200 ms (296×))". */
export function alsoInLine(candidates: readonly Candidate[], named: Candidate['name'] | null): string | null {
  const also = candidates.filter((c) => c.verdict === 'in' && c.name !== named);
  return also.length > 0 ? `Also in: ${also.map((c) => `${LABEL[c.name]} (${c.text})`).join(', ')}` : null;
}
