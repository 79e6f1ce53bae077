import type { ProcessRef } from '../../common/services.js';
import type { Clock } from '../../platform/clock.js';
import type { Facts } from '../../platform/facts.js';
import { REPLAY_REFUSAL, type Effects } from '../../platform/effects.js';
import { readProcessTable } from '../../platform/processes.js';
import { readPortListeners } from '../../platform/lsof.js';
import { formatDuration } from '../../common/format.js';
import { probeOnce, type ProbeOutcome, type ProbeSpec } from '../services/probes.js';
import { START_TOLERANCE_MS } from './guard.js';
import { HEALTH_WAIT_SECONDS } from '../services/monitor.js';
import { RELEASE_WAIT_SECONDS } from './release-offers.js';

/** What every action needs: facts to look, effects to act, a clock to wait by. */
export interface ActionDeps {
  facts: Facts;
  effects: Effects;
  clock: Clock;
  uid: number;
  platform: 'darwin' | 'linux';
  ownPid?: number;
  /** Where a command service's stdout and stderr go; null: nowhere. */
  logDir?: string | null;
  waits?: Partial<ActionWaits>;
}

export interface ActionWaits {
  /** For the health probe to answer after a (re)start. */
  healthSeconds: number;
  /** For a signalled process to exit and its port to free. */
  exitSeconds: number;
  /** Retrying launchctl bootstrap's transient "5: Input/output error" after a bootout. */
  bootstrapRetrySeconds: number;
  /** For a lock to be free after its holder was signalled. */
  lockFreeSeconds: number;
  pollMs: number;
}

/** The confirmations the monitors write quote the health and lock waits; they share the numbers. */
export const DEFAULT_WAITS: ActionWaits = {
  healthSeconds: HEALTH_WAIT_SECONDS,
  exitSeconds: 10,
  bootstrapRetrySeconds: 8,
  lockFreeSeconds: RELEASE_WAIT_SECONDS,
  pollMs: 250,
};

export function waitsOf(deps: ActionDeps): ActionWaits {
  return { ...DEFAULT_WAITS, ...(deps.waits ?? {}) };
}

/** What an action did, before the runner stamps it with an id and times. */
export interface Outcome {
  ok: boolean;
  steps: string[];
  message: string;
  downtimeSeconds: number | null;
  /** A stronger follow-up the user may choose (SIGKILL after a SIGTERM that did not free a lock). */
  followUp?: { id: string; label: string; confirm: string; holder: ProcessRef } | null;
}

/** The step log: each line stamped with the seconds since the action began. */
export class Steps {
  readonly lines: string[] = [];
  private readonly started: number;

  constructor(private readonly clock: Clock) {
    this.started = clock.now();
  }

  add(text: string): void {
    const t = (this.clock.now() - this.started) / 1000;
    this.lines.push(`+${t.toFixed(1)} s ${text}`);
  }

  done(ok: boolean, message: string, downtimeSeconds: number | null = null): Outcome {
    this.add(message);
    return { ok, steps: this.lines, message, downtimeSeconds };
  }
}

export type HealthWait = { ok: true; outcome: ProbeOutcome; at: number } | { ok: false; last: string };

/** Probes until the service answers or the deadline passes; each probe's deadline fits inside it. */
export async function waitForHealth(deps: ActionDeps, spec: ProbeSpec, deadline: number): Promise<HealthWait> {
  const { clock } = deps;
  const pollMs = waitsOf(deps).pollMs;
  let last = 'not probed';
  for (;;) {
    const now = clock.now();
    const left = deadline - now;
    if (left <= 0) return { ok: false, last };
    const result = await probeOnce(deps.facts, { ...spec, timeoutMs: Math.max(250, Math.min(spec.timeoutMs, left)) }, now);
    if (result.ok && result.value.ok) return { ok: true, outcome: result.value, at: clock.now() };
    last = result.ok ? result.value.measured : result.reason;
    if (clock.now() >= deadline) return { ok: false, last };
    await clock.sleep(pollMs);
  }
}

/**
 * Waits until the process is gone (no row with its pid and start time) and, given a port,
 * nothing listens on it. The reason says which of the two did not happen.
 */
export async function waitForGone(deps: ActionDeps, ref: ProcessRef, port: number | null, deadline: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { clock, facts } = deps;
  const pollMs = waitsOf(deps).pollMs;
  let reason = 'not checked';
  for (;;) {
    const now = clock.now();
    const table = await readProcessTable(facts, now);
    const alive = table.ok && table.value.rows.some((r) => r.pid === ref.pid && !r.zombie && Math.abs(r.startedAt - ref.startedAt) <= START_TOLERANCE_MS);
    let held = false;
    if (!table.ok) reason = `cannot read the process table: ${table.reason}`;
    else if (alive) reason = `PID ${ref.pid} is still running`;
    else if (port !== null) {
      const listeners = await readPortListeners(facts, port);
      held = !listeners.ok || listeners.value.length > 0;
      reason = !listeners.ok ? `cannot see who listens on port ${port}: ${listeners.reason}` : `port ${port} is still held by PID ${listeners.value.map((l) => l.pid).join(', ')}`;
    }
    if (table.ok && !alive && !held) return { ok: true };
    if (clock.now() >= deadline) return { ok: false, reason };
    await clock.sleep(pollMs);
  }
}

export function seconds(ms: number): string {
  return formatDuration(ms / 1000);
}

/** Refused up front on a replay, rather than failing half way through. */
export function effectsRefused(deps: ActionDeps): string | null {
  return deps.effects.mode === 'replay' ? REPLAY_REFUSAL : null;
}
