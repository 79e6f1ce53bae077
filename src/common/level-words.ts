import type { Severity } from './severity.js';

/**
 * The one name of each level for people, in every face: the tray's colours. The CLI prints it
 * in capitals (GREEN), the popover and notifications capitalised (Green). JSON and /metrics
 * carry the codes (`ok`, `warn`, `crit`, `unknown`), one to one with these names
 * (docs/levels.md).
 */
export const LEVEL_NAME: Record<Severity, 'green' | 'amber' | 'red' | 'grey'> = { ok: 'green', warn: 'amber', crit: 'red', unknown: 'grey' };

export function levelWord(level: Severity): string {
  const name = LEVEL_NAME[level];
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Probes before an availability share stands on its own; below this the count is shown beside it. */
export const AVAILABILITY_MEANINGFUL_SAMPLES = 30;
