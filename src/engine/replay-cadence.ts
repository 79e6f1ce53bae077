import type { CaptureBundle, ProbeCadence } from '../platform/capture.js';
import { formatDuration, plural } from '../common/format.js';
import { systemTimeZone } from '../common/zoned-time.js';

/** What a replay runs at: the recorded cadence and zone, or (version 1) what the samples show. */
export interface ReplayCadence {
  intervalSeconds: number;
  probes: Record<string, ProbeCadence>;
  /** undefined: this machine's zone (a version 1 capture did not record one). */
  timeZone: string | undefined;
  notes: string[];
}

const MAX_ORDER_NOTES = 3;

/** The median of the positive gaps between samples, in seconds; null when there is no such gap. */
export function inferredIntervalSeconds(bundle: CaptureBundle): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < bundle.samples.length; i++) {
    const gap = bundle.samples[i]!.at - bundle.samples[i - 1]!.at;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  return Math.max(0.5, Math.round(median / 100) / 10);
}

/**
 * Samples out of order or at the same time are judged as recorded (a clock that stepped back
 * is a clock change to the engine, as it is live); each is named in a note.
 */
function orderNotes(bundle: CaptureBundle): string[] {
  const notes: string[] = [];
  let count = 0;
  for (let i = 1; i < bundle.samples.length; i++) {
    const gap = bundle.samples[i]!.at - bundle.samples[i - 1]!.at;
    if (gap > 0) continue;
    count += 1;
    if (count > MAX_ORDER_NOTES) continue;
    notes.push(
      gap === 0
        ? `capture: sample ${i + 1} has the same time as sample ${i}; judged as recorded`
        : `capture: sample ${i + 1} is ${formatDuration(-gap / 1000)} before sample ${i} (the clock stepped back); judged as a clock change`,
    );
  }
  if (count > MAX_ORDER_NOTES) notes.push(`capture: ${plural(count - MAX_ORDER_NOTES, 'more sample')} out of time order`);
  return notes;
}

/** `configured`: the interval the replayed config gives, used when a version 1 capture has one sample. */
export function replayCadence(bundle: CaptureBundle, configured: number): ReplayCadence {
  const notes = orderNotes(bundle);
  if (bundle.version >= 2 && bundle.cadence) {
    return { intervalSeconds: bundle.cadence.intervalSeconds, probes: bundle.cadence.probes, timeZone: bundle.host.timeZone, notes };
  }
  const inferred = inferredIntervalSeconds(bundle);
  const zone = bundle.host.timeZone;
  const where = zone ? '' : `; schedules and quiet hours use this machine's time zone (${systemTimeZone()})`;
  const interval = inferred ?? configured;
  const how = inferred !== null ? `inferred ${inferred} s from the samples` : `using the config's ${configured} s`;
  notes.unshift(`capture format 1: the interval was not recorded; ${how}${where}`);
  return { intervalSeconds: interval, probes: {}, timeZone: zone, notes };
}
