import type { ProcessRow } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import type { ProcessRef } from '../../common/services.js';
import type { Facts } from '../../platform/facts.js';
import type { Effects } from '../../platform/effects.js';
import { readProcessTable } from '../../platform/processes.js';

/** ps derives start times from etime (whole seconds), read at two moments: ±1 s each. */
export const START_TOLERANCE_MS = 2_000;

export interface GuardOptions {
  /** Warden's own pid, never signalled. */
  ownPid?: number;
  /**
   * Asked after the identity holds, right before the signal: is this process the one the
   * action is about (a service's own process, not whatever its pidfile names)? A reason refuses.
   */
  belongs?: (row: ProcessRow) => Promise<Part<true>>;
}

/**
 * Re-reads the process and refuses, with the reason, unless it is still the very process that
 * was shown: pid above 1, Warden's own uid, the same start time (±2 s) and the same command
 * line. A pid alone is not an identity: it is reused as soon as its process is gone.
 */
export async function checkIdentity(facts: Facts, expected: ProcessRef, ownUid: number, at: number, options: GuardOptions = {}): Promise<Part<ProcessRow>> {
  const pid = expected.pid;
  if (!Number.isInteger(pid) || pid <= 1) return { ok: false, reason: `refusing to signal PID ${pid}: it is the system's ${pid === 1 ? 'init (launchd/systemd)' : 'kernel'}` };
  if (options.ownPid !== undefined && pid === options.ownPid) return { ok: false, reason: `refusing to signal PID ${pid}: it is Warden itself` };
  const table = await readProcessTable(facts, at);
  if (!table.ok) return { ok: false, reason: `cannot re-check PID ${pid} before signalling it: ${table.reason}` };
  const row = table.value.rows.find((r) => r.pid === pid);
  return judgeIdentity(row, expected, ownUid);
}

/** Pure: the re-read row against what was shown. */
export function judgeIdentity(row: ProcessRow | undefined, expected: ProcessRef, ownUid: number): Part<ProcessRow> {
  const pid = expected.pid;
  if (pid <= 1) return { ok: false, reason: `refusing to signal PID ${pid}: it is the system's ${pid === 1 ? 'init (launchd/systemd)' : 'kernel'}` };
  if (!row) return { ok: false, reason: `PID ${pid} is no longer running` };
  if (row.zombie) return { ok: false, reason: `PID ${pid} has already exited (zombie, waiting for its parent)` };
  if (row.uid !== ownUid) return { ok: false, reason: `PID ${pid} belongs to uid ${row.uid}, not Warden's uid ${ownUid}; not touching it` };
  const drift = row.startedAt - expected.startedAt;
  if (Math.abs(drift) > START_TOLERANCE_MS) {
    const when = drift > 0 ? 'later' : 'earlier';
    return {
      ok: false,
      reason: `PID ${pid} started ${Math.round(Math.abs(drift) / 1000)} s ${when} than the process that was shown: the PID now belongs to another process`,
    };
  }
  if (row.command !== expected.command) {
    return { ok: false, reason: `PID ${pid} now runs ${clip(row.command)}, not ${clip(expected.command)}` };
  }
  return { ok: true, value: row };
}

/** Checks the identity, then signals. The value is the step, e.g. "sent SIGTERM to PID 4242 (python3.12)". */
export async function signalProcess(
  facts: Facts,
  effects: Effects,
  expected: ProcessRef,
  signal: NodeJS.Signals,
  ownUid: number,
  at: number,
  options: GuardOptions = {},
): Promise<Part<string>> {
  const identity = await checkIdentity(facts, expected, ownUid, at, options);
  if (!identity.ok) return identity;
  const belongs = options.belongs ? await options.belongs(identity.value) : null;
  if (belongs && !belongs.ok) return belongs;
  const sent = await effects.signal(expected.pid, signal);
  if (!sent.ok) return { ok: false, reason: `${signal} to PID ${expected.pid} failed: ${sent.reason}` };
  return { ok: true, value: `sent ${signal} to PID ${expected.pid} (${identity.value.name})` };
}

function clip(command: string, max = 120): string {
  const text = JSON.stringify(command);
  return text.length > max ? `${text.slice(0, max - 2)}…"` : text;
}
