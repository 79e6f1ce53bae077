import type { Thresholds } from '../common/config.js';
import type { Diagnosis, Finding } from '../common/findings.js';
import type { MemoryView } from '../common/memory.js';
import type { Thief } from '../common/processes.js';
import { formatBytes, formatDecimalGB, formatDuration, formatGrowthRate, formatPercent, formatRate } from '../common/format.js';
import { capitalise } from '../common/text.js';
import { thiefLabel, thiefWho } from './assess-memory.js';
import type { Observation } from './assess-input.js';
import { modelArrivalLine, modelArrivals, unloadSuggestion } from './model-arrivals.js';

/** The memory side of a diagnosis: the memory's own numbers, the straw that arrived, the thieves' lines. */

const TOP_MEMORY_THIEVES = 3;
const TOP_CPU_THIEVES = 2;

/** "memory pressure: swap 10.1 GiB used, 820 MiB free of 64 GiB (1.9 GiB available), pressure critical" */
export function memoryCause(memory: MemoryView): string {
  const parts: string[] = [];
  if (memory.swapUsedBytes > 0) parts.push(`swap ${formatBytes(memory.swapUsedBytes)} used`);
  const free = formatBytes(memory.freeBytes);
  const available = formatBytes(memory.availableBytes);
  parts.push(`${free} free of ${formatBytes(memory.totalBytes)}${available !== free ? ` (${available} available)` : ''}`);
  if (memory.pressure) parts.push(`pressure ${memory.pressure}`);
  return `memory pressure: ${parts.join(', ')}`;
}

export function memoryEvidence(memory: MemoryView): string[] {
  const out = [`swap ${formatBytes(memory.swapUsedBytes)} used of ${formatBytes(memory.swapTotalBytes)}`];
  if (memory.rates) {
    out.push(`swapping out ${formatRate(memory.rates.swapOutBytesPerSec)}, in ${formatRate(memory.rates.swapInBytesPerSec)}`);
  }
  out.push(`${formatBytes(memory.freeBytes)} free, ${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}`);
  if (memory.pressure) out.push(`pressure ${memory.pressure} (${memory.pressureSource})`);
  return out;
}

export function memoryDiagnosis(finding: Finding, input: Observation, t: Thresholds): Diagnosis {
  const thieves = thiefLines(input, finding.since, 'memory ran short', t);
  const grower = [...input.thieves]
    .filter((t) => t.growth !== null && t.growth.bytesPerHour > 0 && t.reasons.includes('growth'))
    .sort((a, b) => b.growth!.bytesPerHour - a.growth!.bytesPerHour)[0];
  const straw = arrivalBefore(input.thieves, finding.since, t)[0];
  const model = modelArrivals(input.models, input.processes, finding.since, t)[0];
  const top = byMemory(input.thieves)[0];
  let cause: string | null = null;
  if (model) cause = modelArrivalLine(model, finding.since, 'memory ran short');
  else if (straw) cause = `${thiefLabel(straw)} (${formatDecimalGB(straw.memoryBytes)}) arrived ${formatDuration((finding.since - straw.startedAt) / 1000)} before memory ran short`;
  else if (grower) cause = `${thiefLabel(grower)} growing ${formatGrowthRate(grower.growth!.bytesPerHour)}`;
  else if (top) cause = `${thiefLabel(top)} holds ${formatDecimalGB(top.memoryBytes)}`;
  return {
    symptom: input.memory ? memoryCause(input.memory) : finding.title,
    cause,
    causeEvidence: input.memory ? memoryEvidence(input.memory) : [],
    thieves,
    suggestion: model
      ? `${capitalise(unloadSuggestion(model))} to free ${formatDecimalGB(model.bytes)}`
      : straw
        ? `Unload or quit ${thiefLabel(straw)} to free ${formatDecimalGB(straw.memoryBytes)}`
        : null,
    actionId: model?.unload?.id ?? null,
  };
}

/**
 * Arrivals judged against the event, not against now: a process that started inside the
 * arrival window before the first failure is the straw even when the failure is noticed
 * later. Largest first.
 */
export function arrivalBefore(thieves: Thief[], eventAt: number, t: Thresholds): Thief[] {
  const window = t.arrivalWindowMinutes * 60_000;
  return thieves
    .filter((th) => th.startedAt <= eventAt && eventAt - th.startedAt <= window && th.memoryBytes >= t.arrivalMinBytes)
    .sort((a, b) => b.memoryBytes - a.memoryBytes);
}

function byMemory(thieves: Thief[]): Thief[] {
  return thieves
    .filter((t) => t.reasons.includes('memory') || t.reasons.includes('growth') || t.reasons.includes('arrival'))
    .sort((a, b) => b.memoryBytes - a.memoryBytes);
}

/**
 * The top memory holders, every arrival before the event (phrased relative to it), then the
 * sustained CPU takers: one short line each, the numbers in the thieves' own stories.
 */
export function thiefLines(input: Observation, eventAt: number, event: string, thresholds: Thresholds): string[] {
  const arrivals = new Set(arrivalBefore(input.thieves, eventAt, thresholds));
  const models = modelArrivals(input.models, input.processes, eventAt, thresholds);
  const chosen: Thief[] = [];
  const add = (t: Thief): void => {
    if (!chosen.includes(t)) chosen.push(t);
  };
  byMemory(input.thieves).slice(0, TOP_MEMORY_THIEVES).forEach(add);
  arrivals.forEach(add);
  input.thieves
    .filter((t) => t.sustainedCpu !== null || t.reasons.includes('cpu'))
    .sort((a, b) => b.cpuPercent - a.cpuPercent)
    .slice(0, TOP_CPU_THIEVES)
    .forEach(add);

  const lines = chosen.map((thief) => {
    const who = thiefWho(thief, input.services);
    // The process arrived because a model loaded into it: name the model.
    const model = models.find((m) => m.holderPid === thief.pid);
    if (model) return `${modelArrivalLine(model, eventAt, event)}, in ${who}`;
    if (arrivals.has(thief)) {
      const before = formatDuration((eventAt - thief.startedAt) / 1000);
      return `${who}, ${formatDecimalGB(thief.memoryBytes)}, arrived ${before} before ${event}`;
    }
    let story = thief.story.trim() || formatDecimalGB(thief.memoryBytes);
    const cpu = thief.sustainedCpu?.averagePercent ?? (thief.reasons.includes('cpu') ? thief.cpuPercent : null);
    if (cpu !== null && !story.includes('%')) story += `, ${formatPercent(cpu)} CPU`;
    return `${who}, ${story}`;
  });
  // A model that loaded into a process already running (no worker of its own) is named too.
  for (const model of models) if (model.holderPid === null) lines.push(modelArrivalLine(model, eventAt, event));
  return lines;
}
