/**
 * Numbers as an operator reads them at 3 a.m. Pure; imports nothing.
 *
 * Two byte conventions, one per use:
 * - Host memory (total, free, available, swap, paging rates) in binary units (GiB, MiB): the OS
 *   counts pages and `vm.swapusage` prints MiB ("10386.19M" is 10.1 GiB).
 * - Process sizes and growth in decimal GB ("50.0 GB", "3.5 GB/h"), as the operator's own
 *   write-up and the thieves' stories state them.
 * Anything that is not a finite number prints as "unknown", never "NaN".
 */

const UNKNOWN = 'unknown';
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const DECIMAL_UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] as const;

/** One decimal below 100 ("10.1", "1.3"), none from 100 on ("820"); a trailing ".0" is kept off. */
function scaled(n: number, base: number, units: readonly string[], keepTenths: boolean): string {
  if (!Number.isFinite(n)) return UNKNOWN;
  const sign = n < 0 ? '-' : '';
  let value = Math.abs(n);
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit += 1;
  }
  if (unit === 0) return `${sign}${Math.round(value)} ${units[0]}`;
  let text = value < 100 ? value.toFixed(1) : value.toFixed(0);
  // 1023.96 MiB rounds to "1024 MiB": say "1.0 GiB" instead.
  if (Number(text) >= base && unit < units.length - 1) {
    unit += 1;
    text = (Number(text) / base).toFixed(1);
  }
  if (!keepTenths && text.endsWith('.0')) text = text.slice(0, -2);
  return `${sign}${text} ${units[unit]}`;
}

/** Host memory in binary units: "10.1 GiB", "820 MiB", "64 GiB", "512 B". */
export function formatBytes(n: number): string {
  return scaled(n, 1024, BINARY_UNITS, false);
}

/**
 * Process sizes in decimal units, always with tenths at GB scale so sizes line up in a list:
 * "50.0 GB", "13.0 GB", "1.3 GB", "820 MB".
 */
export function formatDecimalGB(n: number): string {
  return scaled(n, 1000, DECIMAL_UNITS, true);
}

/** Process growth: "3.5 GB/h". */
export function formatGrowthRate(bytesPerHour: number): string {
  const text = formatDecimalGB(bytesPerHour);
  return text === UNKNOWN ? UNKNOWN : `${text}/h`;
}

/** Host paging rates in binary units: "42 MiB/s". */
export function formatRate(bytesPerSec: number): string {
  const text = formatBytes(bytesPerSec);
  return text === UNKNOWN ? UNKNOWN : `${text}/s`;
}

/**
 * Elapsed time, truncated (like `ps` etime) so it never claims more than has passed:
 * "200 ms", "2.5 s", "41 s", "4 min 12 s", "28 min", "2 h 15 min", "3 d 2 h".
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return UNKNOWN;
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds < 1) return `${Math.floor(seconds * 1000)} ms`;
  if (seconds < 10) {
    const tenths = Math.floor(seconds * 10) / 10;
    return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)} s`;
  }
  const whole = Math.floor(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 10) {
    const s = whole % 60;
    return s === 0 ? `${minutes} min` : `${minutes} min ${s} s`;
  }
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const m = minutes % 60;
    return m === 0 ? `${hours} h` : `${hours} h ${m} min`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h === 0 ? `${days} d` : `${days} d ${h} h`;
}

/**
 * A value that is already a percentage (ps %cpu, share of total): "368%", "42%", "1.3%", "0%".
 * Tenths only below 10, where they matter.
 */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return UNKNOWN;
  const abs = Math.abs(percent);
  let text = abs < 10 ? percent.toFixed(1) : percent.toFixed(0);
  if (text.endsWith('.0')) text = text.slice(0, -2);
  if (text === '-0') text = '0';
  return `${text}%`;
}

/** "1 line", "3 lines": a count with its noun, for messages. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
