import type { PartView, UnknownPart } from '../common/state.js';

/**
 * What each part of a cycle cost and whether it read cleanly, for /metrics (node_exporter's
 * collector success and duration) and `status --json`. A part is ok when no unknown of it was
 * reported this cycle; its seconds are the time the cycle spent on it (null: not run this cycle).
 */
export const PART_NAMES = ['memory', 'processes', 'footprint', 'senses', 'services', 'locks', 'jobs', 'history', 'config'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** The part an unknown belongs to: "service x: probe" → services, "discovery: port 8080" → services. */
export function partOf(unknown: string): PartName | null {
  if (unknown.startsWith('service ') || unknown.startsWith('discovery')) return 'services';
  if (unknown.startsWith('lock ')) return 'locks';
  if (unknown.startsWith('job ')) return 'jobs';
  return (PART_NAMES as readonly string[]).includes(unknown) ? (unknown as PartName) : null;
}

export function partViews(seconds: Partial<Record<PartName, number>>, unknowns: UnknownPart[], historyOk: boolean | null): PartView[] {
  const failing = new Set(unknowns.map((u) => partOf(u.part)));
  const out: PartView[] = [];
  for (const name of PART_NAMES) {
    const took = seconds[name];
    if ((name === 'footprint' || name === 'senses') && took === undefined && !failing.has(name)) continue;
    if (name === 'history' && historyOk === null) continue;
    const ok = name === 'history' ? historyOk === true : !failing.has(name);
    out.push({ name, ok, seconds: took === undefined ? null : took });
  }
  return out;
}

/** Runs `work` and puts the seconds it took (by `now`) under `name`. */
export async function timed<T>(into: Partial<Record<PartName, number>>, name: PartName, now: () => number, work: () => Promise<T>, started = now()): Promise<T> {
  try {
    return await work();
  } finally {
    into[name] = Math.max(0, now() - started) / 1000;
  }
}
