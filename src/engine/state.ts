import type { State } from '../common/state.js';
import { SEVERITY_RANK, worst, type Severity } from '../common/severity.js';
import { formatBytes } from '../common/format.js';
import { redactDeep } from '../common/redact.js';

/** A state is stale when its last complete sample is older than this many intervals. */
export const STALE_AFTER_INTERVALS = 3;

/** What a cycle measured; the rest of the State (level, headline, freshness) is derived. */
export type StateParts = Omit<State, 'version' | 'level' | 'headline' | 'generatedAt' | 'stale'> & { now: number };

/** Every face shows this State, so secrets (URL credentials, tokens in text) are hidden here, once. */
export function buildState({ now, ...parts }: StateParts): State {
  return withFreshness(redactDeep({ version: 1, level: 'unknown', headline: '', generatedAt: now, stale: false, ...parts } as State).value, now);
}

/**
 * The same state seen at `now`: grey when its sample is older than three intervals, so a
 * frozen loop never shows an old green as current.
 */
export function withFreshness(state: State, now: number): State {
  const stale = !state.replay && state.sampledAt !== null && now - state.sampledAt > STALE_AFTER_INTERVALS * state.intervalSeconds * 1000;
  const level: Severity = stale ? 'unknown' : judgedLevel(state);
  const next = { ...state, stale, level, generatedAt: now };
  next.headline = headlineOf(next, now);
  return next;
}

/** The level the findings give; before the first sample nothing is known. */
function judgedLevel(state: State): Severity {
  return state.findings.length === 0 && state.sampledAt === null ? 'unknown' : worst(state.findings.map((f) => f.severity));
}

function headlineOf(state: State, now: number): string {
  if (state.stale && state.sampledAt !== null) {
    return `No fresh sample for ${Math.round((now - state.sampledAt) / 1000)} s: Warden's view is out of date`;
  }
  if (state.sampledAt === null) return 'Waiting for the first sample';
  const open = state.incidents.find((i) => i.closedAt === null);
  if (open) return open.title;
  const worstFinding = [...state.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0];
  if (worstFinding && worstFinding.severity !== 'ok') return worstFinding.title;
  const m = state.memory;
  const parts: string[] = [];
  if (m) {
    parts.push(`pressure ${m.pressure ?? 'unknown'}`);
    parts.push(`${formatBytes(m.availableBytes)} available`);
    parts.push(m.swapUsedBytes > 0 ? `swap ${formatBytes(m.swapUsedBytes)}` : 'no swap');
  }
  const up = state.services.filter((s) => s.state === 'running').length;
  if (state.services.length > 0) parts.push(`${up} of ${state.services.length} services up`);
  return `All clear: ${parts.join(', ')}`;
}
