import { LOG_BUILTINS, type ServiceLogConfig } from '../common/config.js';
import type { LogMetricView } from '../common/senses.js';
import { errorText } from '../common/result.js';
import type { Facts } from '../platform/facts.js';

/** A log seen for the first time is read from this far before its end: enough lines for a baseline. */
export const FIRST_READ_BYTES = 64 * 1024;
/** Read per cycle at most; a log that grew more is skipped forward to its last this-many bytes. */
export const CHUNK_BYTES = 256 * 1024;
/** A line longer than this is not matched (and an unfinished one is not held past it). */
export const LINE_CAP = 8 * 1024;
/** Values held per log; the baseline is the median of the ones before the latest. */
export const VALUES_HELD = 64;
const BASELINE_OF = 20;
const BASELINE_MIN = 3;

/** Time units and how a value in each becomes ms (divided: 59,229,150 µs is exactly 59,229.15 ms). */
const TO_MS: Record<string, (v: number) => number> = { us: (v) => v / 1000, µs: (v) => v / 1000, ms: (v) => v, s: (v) => v * 1000 };

export interface ResolvedLog {
  service: string;
  name: string;
  path: string;
  regex: RegExp;
  /** The configured unit; times are held in ms. */
  unit: string;
}

export function resolveLog(service: string, log: ServiceLogConfig): ResolvedLog {
  const builtin = log.builtin ? LOG_BUILTINS[log.builtin] : null;
  const pattern = log.pattern ?? builtin?.pattern ?? '(?<v>\\d+)';
  return { service, path: log.path, name: log.name ?? builtin?.name ?? 'value', regex: new RegExp(pattern), unit: log.unit ?? builtin?.unit ?? '' };
}

/** The number in `v`, thousands separators (`,` `_` and thin spaces) taken out; null: not a number. */
export function parseLogValue(text: string): number | null {
  const cleaned = text.replace(/[,_\u2009\u202f ]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** Every value the lines hold, in the unit the view shows (ms for times). */
export function matchLines(lines: readonly string[], log: Pick<ResolvedLog, 'regex' | 'unit'>): number[] {
  const toMs = TO_MS[log.unit] ?? ((v: number) => v);
  const out: number[] = [];
  for (const line of lines) {
    if (line.length > LINE_CAP) continue;
    const raw = log.regex.exec(line)?.groups?.v;
    const value = raw === undefined ? null : parseLogValue(raw);
    if (value !== null) out.push(toMs(value));
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "59.2 s", "200 ms", "850 µs"; other units after the number. */
export function formatLogValue(value: number, unit: string): string {
  if (!(unit in TO_MS)) return `${Number(value.toPrecision(4))}${unit ? ` ${unit}` : ''}`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1) return `${Math.round(value)} ms`;
  return `${Math.round(value * 1000)} µs`;
}

export function formatRatio(ratio: number): string {
  return ratio >= 10 ? `${Math.round(ratio)}×` : `${ratio.toFixed(1)}×`;
}

/**
 * Tails one log: only the bytes appended since the last read; a new inode (rotation) starts the
 * new file at 0; a size under the offset (truncation) starts again at 0. Lines are matched
 * whole; an unfinished last line waits for its end, up to LINE_CAP. Holds VALUES_HELD values.
 */
export class LogTail {
  private ino: number | null = null;
  private offset = 0;
  private carry = '';
  /** Drop text up to the next newline: the read started mid-line, or a line passed the cap. */
  private skipToNewline = false;
  private readonly values: Array<{ at: number; value: number }> = [];
  private error: string | null = null;

  constructor(readonly log: ResolvedLog) {}

  async poll(facts: Facts, now: number): Promise<void> {
    try {
      this.error = await this.read(facts, now);
    } catch (error) {
      this.error = errorText(error);
    }
  }

  private async read(facts: Facts, now: number): Promise<string | null> {
    const { path } = this.log;
    const stat = await facts.stat(path);
    if (stat.error) return `${path}: ${stat.error}`;
    if (!stat.exists) return `${path} does not exist`;
    if (!stat.isFile) return `${path} is not a regular file`;
    if (this.ino === null) {
      this.restart(Math.max(0, stat.size - FIRST_READ_BYTES));
    } else if (stat.ino !== this.ino || stat.size < this.offset) {
      // Rotated (a new file under the name) or truncated in place: its start is new text.
      this.restart(0);
    }
    this.ino = stat.ino;
    if (stat.size - this.offset > CHUNK_BYTES) this.restart(stat.size - CHUNK_BYTES);
    const want = stat.size - this.offset;
    if (want <= 0) return null;
    const chunk = await facts.readRange(path, this.offset, want);
    if (chunk.error) return `${path}: ${chunk.error}`;
    if (!chunk.exists || chunk.content === null) return `${path} does not exist`;
    // Rotated between the stat and the read: the next cycle starts the new file.
    if (chunk.ino !== stat.ino) {
      this.ino = null;
      return null;
    }
    this.offset += chunk.bytes;
    this.take(chunk.content, now);
    return null;
  }

  private restart(offset: number): void {
    this.offset = offset;
    this.carry = '';
    this.skipToNewline = offset > 0;
  }

  private take(text: string, now: number): void {
    const pieces = (this.carry + text).split('\n');
    this.carry = pieces.pop() ?? '';
    if (this.skipToNewline && pieces.length > 0) {
      pieces.shift();
      this.skipToNewline = false;
    }
    if (this.carry.length > LINE_CAP) {
      this.carry = '';
      this.skipToNewline = true;
    }
    for (const value of matchLines(pieces, this.log)) this.values.push({ at: now, value });
    if (this.values.length > VALUES_HELD) this.values.splice(0, this.values.length - VALUES_HELD);
  }

  view(): LogMetricView {
    const { service, name, path, unit } = this.log;
    const shownUnit = unit in TO_MS ? 'ms' : unit;
    const latest = this.values.at(-1) ?? null;
    const before = this.values.slice(-1 - BASELINE_OF, -1).map((v) => v.value);
    const baseline = before.length >= BASELINE_MIN ? median(before) : null;
    const ratio = latest && baseline !== null && baseline > 0 ? latest.value / baseline : null;
    let text: string;
    if (!latest) text = `${name}: no value in ${path} yet`;
    else if (baseline === null) text = `${name} ${formatLogValue(latest.value, unit)} (no baseline yet: ${before.length} earlier value${before.length === 1 ? '' : 's'})`;
    else text = `${name} ${formatLogValue(latest.value, unit)}, baseline ${formatLogValue(baseline, unit)} (${formatRatio(ratio ?? 0)})`;
    return { service, name, path, unit: shownUnit, latest, baseline, ratio, count: this.values.length, text, error: this.error };
  }
}
