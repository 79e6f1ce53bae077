/**
 * Wall-clock time in a named IANA zone, so a replay judges schedules and quiet hours in the
 * zone the capture was recorded in, not the zone of the machine replaying it. `zone` undefined
 * is this machine's zone. Built on Intl; nothing here reads the clock.
 */

export interface WallClock {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      ...(zone ? { timeZone: zone } : {}),
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** This machine's IANA zone, as a capture records it. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** True when Intl knows the zone ("Europe/Amsterdam", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function wallClock(ms: number, zone?: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? 'Sun'] ?? 0,
  };
}

/** "14:02": the zone's clock at `ms`, hours and minutes. */
export function clockOf(ms: number, zone?: string): string {
  const w = wallClock(ms, zone);
  return `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

/** Minutes since local midnight at `ms` in the zone. */
export function localMinutesIn(ms: number, zone?: string): number {
  const w = wallClock(ms, zone);
  return w.hour * 60 + w.minute;
}

/** The wall clock read as if it were UTC: its difference from the real instant is the zone's offset. */
function asUtc(w: Omit<WallClock, 'weekday'>): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at the instant, in ms (wall clock minus UTC). */
function offsetAt(ms: number, zone: string | undefined): number {
  return asUtc(wallClock(ms, zone)) - Math.floor(ms / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the zone's clock shows this date and time (day may overflow: day 0 is
 * the last of the month before). In a fold (clocks go back) the first of the two; in a gap
 * (clocks go forward) moved on by the gap, as Date's setHours does: 02:30 → 03:30.
 */
export function instantOf(date: { year: number; month: number; day: number }, hour: number, minute: number, zone?: string): number {
  const target = Date.UTC(date.year, date.month - 1, date.day, hour, minute, 0);
  // The offsets a day either side: no zone changes its clock twice within two days.
  const candidates = [...new Set([target - offsetAt(target - DAY_MS, zone), target - offsetAt(target + DAY_MS, zone)])];
  const shows = candidates.filter((t) => asUtc(wallClock(t, zone)) === target);
  return shows.length > 0 ? Math.min(...shows) : Math.max(...candidates);
}

const zoneNames = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(locale: 'en-GB' | 'en-US', zone: string | undefined): Intl.DateTimeFormat {
  const key = `${locale} ${zone ?? ''}`;
  let f = zoneNames.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...(zone ? { timeZone: zone } : {}), timeZoneName: 'short' });
    zoneNames.set(key, f);
  }
  return f;
}

function zonePart(f: Intl.DateTimeFormat, ms: number): string | undefined {
  return f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value;
}

/** The zone's short name at `ms` as people read it: "CEST", "PDT", "UTC", else its offset ("GMT+2"). */
export function zoneNameAt(ms: number, zone?: string): string {
  // en-GB names the European zones (CEST, BST), en-US the American ones; either gives an offset otherwise.
  const name = zonePart(zoneFormatter('en-GB', zone), ms) ?? 'UTC';
  if (!name.startsWith('GMT') || name === 'GMT') return name;
  const us = zonePart(zoneFormatter('en-US', zone), ms);
  return us && !us.startsWith('GMT') ? us : name;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The one way Warden writes a time for people, in every face (CLI, notifications, popover):
 * 24-hour local clock with the zone, "14:01 CEST"; `seconds` adds them ("14:01:05 CEST").
 */
export function timeWithZone(ms: number, opts: { seconds?: boolean; zone?: string } = {}): string {
  const w = wallClock(ms, opts.zone);
  const clock = `${two(w.hour)}:${two(w.minute)}${opts.seconds ? `:${two(w.second)}` : ''}`;
  return `${clock} ${zoneNameAt(ms, opts.zone)}`;
}

/** A date and time for people: "2026-05-10 14:01 CEST". */
export function dateTimeWithZone(ms: number, opts: { seconds?: boolean; zone?: string } = {}): string {
  const w = wallClock(ms, opts.zone);
  return `${w.year}-${two(w.month)}-${two(w.day)} ${timeWithZone(ms, opts)}`;
}
