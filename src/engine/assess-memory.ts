import type { Thresholds } from '../common/config.js';
import type { Evidence } from '../common/findings.js';
import type { MemoryView } from '../common/memory.js';
import type { Thief } from '../common/processes.js';
import type { ServiceView } from '../common/services.js';
import { formatBytes, formatDecimalGB, formatDuration, formatGrowthRate, formatPercent, formatRate } from '../common/format.js';
import type { Draft } from './assess-input.js';

/** The findings about memory and the processes that take it (growth, sustained CPU). */

export function isSwapping(memory: MemoryView, thresholds: Thresholds): boolean {
  const rate = memory.rates?.swapOutBytesPerSec;
  return memory.swapUsedBytes > 0 && rate !== undefined && rate >= thresholds.swapOutWarnBytesPerSec;
}

export function memoryFindings(memory: MemoryView | null, t: Thresholds): Draft[] {
  if (!memory) return [];
  const subject = { kind: 'memory', id: 'host' } as const;
  const out: Draft[] = [];
  if (memory.pressure === 'warn' || memory.pressure === 'critical') {
    const critical = memory.pressure === 'critical';
    out.push({
      key: 'memory:pressure',
      about: { kind: 'memory', signal: 'pressure' },
      severity: critical ? 'crit' : 'warn',
      title: critical ? 'Memory pressure critical' : 'Memory pressure elevated',
      evidence: [
        { label: 'pressure', text: memory.pressure },
        { label: 'source', text: memory.pressureSource },
      ],
      actions: [],
      subject,
    });
  }
  const swapping = isSwapping(memory, t);
  if (swapping && memory.rates) {
    out.push({
      key: 'memory:swap',
      about: { kind: 'memory', signal: 'swap' },
      severity: 'warn',
      title: `Swapping: ${formatBytes(memory.swapUsedBytes)} in swap, writing ${formatRate(memory.rates.swapOutBytesPerSec)}`,
      evidence: [
        swapUsedEvidence(memory),
        {
          label: 'swap-out',
          text: `${formatRate(memory.rates.swapOutBytesPerSec)} over ${formatDuration(memory.rates.overSeconds)}`,
          value: memory.rates.swapOutBytesPerSec,
          unit: 'bytes/s',
        },
        { label: 'warn from', text: formatRate(t.swapOutWarnBytesPerSec), value: t.swapOutWarnBytesPerSec, unit: 'bytes/s' },
      ],
      actions: [],
      subject,
    });
  }
  if (memory.totalBytes > 0) {
    const percent = (memory.availableBytes / memory.totalBytes) * 100;
    if (percent < t.availableCritPercent && (swapping || memory.pressure === 'critical')) {
      out.push({
        key: 'memory:available',
        about: { kind: 'memory', signal: 'available' },
        severity: 'crit',
        title: `Memory nearly exhausted: ${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}`,
        evidence: [
          {
            label: 'available',
            text: `${formatBytes(memory.availableBytes)} (${formatPercent(percent)} of ${formatBytes(memory.totalBytes)})`,
            value: memory.availableBytes,
            unit: 'bytes',
          },
          { label: 'free', text: formatBytes(memory.freeBytes), value: memory.freeBytes, unit: 'bytes' },
          swapUsedEvidence(memory),
          { label: 'crit below', text: formatPercent(t.availableCritPercent), value: t.availableCritPercent, unit: 'percent' },
        ],
        actions: [],
        subject,
      });
    }
  }
  return out;
}

function swapUsedEvidence(memory: MemoryView): Evidence {
  return {
    label: 'swap used',
    text: `${formatBytes(memory.swapUsedBytes)} of ${formatBytes(memory.swapTotalBytes)}`,
    value: memory.swapUsedBytes,
    unit: 'bytes',
  };
}

// ---------------------------------------------------------------- thieves

/** "LM Studio worker", "sanctum-mlx": what the thieves analysis calls the process. */
export function thiefLabel(thief: Thief): string {
  return thief.roleLabel ?? thief.name;
}

/**
 * Who, for a line an operator acts on: the service it serves or its role, then the name `ps`
 * shows and the PID: "cathedral (sanctum-mlx, PID 812)", "qemu-system-aarch64 (PID 977)".
 */
export function thiefWho(thief: Thief, services: ServiceView[]): string {
  const service = services.find((s) => s.process?.pid === thief.pid);
  const label = service?.name ?? thief.roleLabel;
  return label && label !== thief.name ? `${label} (${thief.name}, PID ${thief.pid})` : `${thief.name} (PID ${thief.pid})`;
}

export function qualifiedGrowth(thief: Thief, t: Thresholds): boolean {
  const g = thief.growth;
  return (
    g !== null &&
    g.r2 >= t.growthMinR2 &&
    g.windowSeconds >= t.growthMinWindowMinutes * 60 &&
    g.bytesPerHour >= t.growthMinBytesPerHour
  );
}

export function sustainedCpuThief(thief: Thief, t: Thresholds): boolean {
  const cpu = thief.sustainedCpu;
  return cpu !== null && cpu.averagePercent >= t.sustainedCpuPercent && cpu.forSeconds >= t.sustainedCpuMinutes * 60;
}

export function thiefFindings(thief: Thief, t: Thresholds, services: ServiceView[]): Draft[] {
  const out: Draft[] = [];
  const id = `${thief.pid}:${thief.startedAt}`;
  const subject = { kind: 'process', id } as const;
  const who = thiefWho(thief, services);
  const size: Evidence = {
    label: thief.memoryMetric === 'footprint' ? 'footprint' : 'resident (RSS)',
    text: formatDecimalGB(thief.memoryBytes),
    value: thief.memoryBytes,
    unit: 'bytes',
  };
  const g = thief.growth;
  if (g && qualifiedGrowth(thief, t) && g.exhaustsInSeconds !== null && g.exhaustsInSeconds >= 0 &&
      g.exhaustsInSeconds <= t.growthExhaustWarnHours * 3600) {
    out.push({
      key: `thief:${id}:growth`,
      about: { kind: 'process', pid: thief.pid, startedAt: thief.startedAt, signal: 'growth' },
      severity: 'warn',
      title: `${who} growing ${formatGrowthRate(g.bytesPerHour)}: available memory gone in ~${formatDuration(g.exhaustsInSeconds)}`,
      evidence: [
        size,
        { label: 'growth', text: formatGrowthRate(g.bytesPerHour), value: g.bytesPerHour, unit: 'bytes/h' },
        { label: 'fit', text: `R² ${g.r2.toFixed(2)} over ${formatDuration(g.windowSeconds)}` },
        { label: 'exhausts available in', text: formatDuration(g.exhaustsInSeconds), value: g.exhaustsInSeconds, unit: 'seconds' },
      ],
      actions: [],
      subject,
    });
  }
  const cpu = thief.sustainedCpu;
  if (cpu && sustainedCpuThief(thief, t)) {
    out.push({
      key: `thief:${id}:cpu`,
      about: { kind: 'process', pid: thief.pid, startedAt: thief.startedAt, signal: 'cpu' },
      severity: 'warn',
      title: `${who} at ${formatPercent(cpu.averagePercent)} CPU for ${formatDuration(cpu.forSeconds)}`,
      evidence: [
        { label: 'CPU', text: formatPercent(cpu.averagePercent), value: cpu.averagePercent, unit: 'percent' },
        { label: 'sustained for', text: formatDuration(cpu.forSeconds), value: cpu.forSeconds, unit: 'seconds' },
        size,
      ],
      actions: [],
      subject,
    });
  }
  return out;
}
