import type { NotificationConfig } from '../common/config.js';

/** The alert policy's sense of time: quiet hours on the local clock, and the cycle's gaps. Nothing here reads the clock. */

const KEEP_GAPS = 8;
/** A gap this many times the cycle is sleep or a changed clock, not a slow cycle. */
const JUMP_FACTOR = 3;

export function systemLocalMinutes(now: number): number {
  const d = new Date(now);
  return d.getHours() * 60 + d.getMinutes();
}

function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Inside the configured quiet hours at `localMinutes` (minutes since local midnight); an overnight span wraps. */
export function inQuietHours(quietHours: NotificationConfig['quietHours'], localMinutes: number): boolean {
  if (!quietHours) return false;
  const start = parseClock(quietHours.start);
  const end = parseClock(quietHours.end);
  if (start === null || end === null || start === end) return false;
  const m = localMinutes;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The gaps between cycles: the expected cycle (configured, else learned) and whether a gap was a clock jump. */
export class CycleGaps {
  lastNow: number | null = null;
  gaps: number[] = [];

  constructor(private readonly intervalSeconds: number | null) {}

  /** Takes `now` as the latest cycle; true when the gap since the last is sleep or a changed clock. */
  jumped(now: number): boolean {
    const last = this.lastNow;
    this.lastNow = now;
    if (last === null) return false;
    const gap = now - last;
    if (gap < 0) return true;
    const expected = this.expectedMs();
    if (expected !== null && gap > JUMP_FACTOR * expected) return true;
    if (gap > 0) this.gaps = [...this.gaps, gap].slice(-KEEP_GAPS);
    return false;
  }

  expectedMs(): number | null {
    return this.intervalSeconds !== null ? this.intervalSeconds * 1000 : median(this.gaps);
  }
}
