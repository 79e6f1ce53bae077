/** The one scale every part of Warden is judged on. Tray: green / amber / red / grey. */
export type Severity = 'ok' | 'warn' | 'crit' | 'unknown';

export const SEVERITIES: readonly Severity[] = ['ok', 'unknown', 'warn', 'crit'];

/**
 * The one severity order: crit beats warn beats unknown beats ok, so a red service is red even
 * while memory is unreadable. Higher is worse; sort worst first with rank(b) - rank(a).
 */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { ok: 0, unknown: 1, warn: 2, crit: 3 };
const rank = SEVERITY_RANK;

export function worst(levels: Iterable<Severity>): Severity {
  let out: Severity = 'ok';
  for (const level of levels) if (rank[level] > rank[out]) out = level;
  return out;
}

export function atLeast(level: Severity, floor: Severity): boolean {
  return rank[level] >= rank[floor];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}
