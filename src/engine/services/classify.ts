import type { ProcessRow, ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import type { ServiceState } from '../../common/services.js';
import type { SupervisionCheck } from './supervision.js';

export interface ClassifyInput {
  /** Where the service's process is looked for: its port, a loopback URL's port. */
  port: number | null;
  /** Substring of the command line, when configured. */
  match: string | null;
  /** The URL is on this machine, so a process is expected here. */
  local: boolean;
  /** null: no supervisor configured. */
  supervision: Part<SupervisionCheck> | null;
  /** Pids listening on `port`; null when there is no port to look at. */
  listeners: Part<number[]> | null;
  table: ProcessTable | null;
  /** The table by pid, when the caller already built it (one index for a hundred services). */
  rowIndex?: ReadonlyMap<number, ProcessRow>;
  /** Launchd jobs (other than the configured one) that own a pid, from the domain listing. */
  otherOwners?: ReadonlyMap<number, string>;
  /** The last probe, for services with no local process to look at. */
  probe?: { ok: boolean; measured: string } | null;
  /** Warden's own pid is never a candidate (a match string could name Warden itself). */
  ownPid?: number;
  /** The process last seen serving it and when it was first seen gone (local "14:02"), for the reason text. */
  lastSeen?: { pid: number; name: string; goneAt: string } | null;
  /**
   * With no supervisor: what was measured about who owns the process ("no launchd job in gui/501
   * runs PID 1500 …: nothing restarts it"). null: not looked for, so nothing is claimed.
   */
  unsupervisedNote?: string | null;
}

export interface Classification {
  state: ServiceState;
  reason: string;
  /** The service's process: the owned one, else the orphan, else the supervisor's. */
  pid: number | null;
  /** Set when orphaned: the process no supervisor owns. */
  orphanPid: number | null;
}

const MAX_ANCESTRY = 64;

const EMPTY_INDEX: ReadonlyMap<number, ProcessRow> = new Map();
/** One index per table: a supervision check per service each built its own, 100 × 5,000 rows. */
const indexes = new WeakMap<ProcessTable, ReadonlyMap<number, ProcessRow>>();

export function indexRows(table: ProcessTable | null): ReadonlyMap<number, ProcessRow> {
  if (!table) return EMPTY_INDEX;
  let index = indexes.get(table);
  if (!index) {
    const map = new Map<number, ProcessRow>();
    for (const row of table.rows) map.set(row.pid, row);
    index = map;
    indexes.set(table, index);
  }
  return index;
}

/** The pid or one of its ancestors is among the owned pids (a job's wrapper, a server's worker). */
export function ownedBy(pid: number, owned: ReadonlySet<number>, rows: ReadonlyMap<number, ProcessRow>): boolean {
  let current: number | undefined = pid;
  for (let depth = 0; current !== undefined && current > 1 && depth < MAX_ANCESTRY; depth++) {
    if (owned.has(current)) return true;
    current = rows.get(current)?.ppid;
  }
  return false;
}

function where(input: ClassifyInput): string {
  return input.port !== null ? `port ${input.port}` : input.match !== null ? `processes matching ${JSON.stringify(input.match)}` : 'this service';
}

function describeCandidate(pid: number, input: ClassifyInput, viaPort: Set<number>): string {
  return viaPort.has(pid) && input.port !== null ? `PID ${pid} serves port ${input.port}` : `PID ${pid} matches ${JSON.stringify(input.match)}`;
}

/**
 * The state of one service from what was read. Pure. The doctrine: a process is supervised
 * only when a loaded job owns it; its parent pid proves nothing (on macOS launchd is PID 1,
 * so every reparented process looks "launchd's").
 */
export function classifyService(input: ClassifyInput): Classification {
  const rows = input.rowIndex ?? indexRows(input.table);
  const viaPort = new Set(input.listeners?.ok ? input.listeners.value : []);
  const candidates = [...viaPort];
  if (input.match !== null && input.table) {
    for (const row of input.table.rows) {
      if (!row.zombie && row.command.includes(input.match) && !candidates.includes(row.pid)) candidates.push(row.pid);
    }
  }
  const found = candidates.filter((pid) => pid !== input.ownPid && pid > 1);
  const listenersUnknown = input.listeners !== null && !input.listeners.ok ? input.listeners.reason : null;

  if (input.supervision === null) return unsupervised(input, found, viaPort, listenersUnknown);
  if (!input.supervision.ok) {
    const seen = found[0] !== undefined ? `${describeCandidate(found[0], input, viaPort)}, but ` : '';
    return { state: 'unknown', reason: `${seen}the supervisor could not be read: ${input.supervision.reason}`, pid: found[0] ?? null, orphanPid: null };
  }
  const sv = input.supervision.value;
  const name = supervisorName(sv);
  if (sv.loaded === null) {
    return { state: 'unknown', reason: `${name}: ${sv.note ?? 'cannot tell whether the job is loaded'}`, pid: found[0] ?? null, orphanPid: null };
  }

  const owned = new Set(sv.ownedPids);
  const ownedFound = sv.ownsListeners ? found : found.filter((pid) => ownedBy(pid, owned, rows));
  if (ownedFound[0] !== undefined) {
    const pid = sv.jobPid !== null && ownedFound.includes(sv.jobPid) ? sv.jobPid : ownedFound[0];
    return { state: 'running', reason: `${name} runs PID ${pid}`, pid, orphanPid: null };
  }
  const stranger = found[0];
  if (stranger !== undefined) {
    const other = input.otherOwners?.get(stranger);
    const seen = describeCandidate(stranger, input, viaPort);
    if (other) return { state: 'running', reason: `${seen}, run by launchd job ${other}, not by ${name}`, pid: stranger, orphanPid: null };
    return { state: 'orphaned', reason: `${seen}, but ${notOwnedBecause(sv, name)}`, pid: stranger, orphanPid: stranger };
  }
  if (listenersUnknown !== null && sv.jobPid === null) {
    return { state: 'unknown', reason: `cannot see who listens on port ${input.port}: ${listenersUnknown}`, pid: null, orphanPid: null };
  }
  // Nothing serves the port (or nothing could be looked for): the supervisor's word decides.
  if (sv.jobPid !== null && (input.table === null || rows.has(sv.jobPid))) {
    const idle = input.port !== null && input.listeners?.ok ? `; nothing listens on port ${input.port}` : '';
    return { state: 'running', reason: `${name} runs PID ${sv.jobPid}${idle}`, pid: sv.jobPid, orphanPid: null };
  }
  if (!sv.loaded) return { state: 'missing', reason: `not running: ${sv.note ?? `${name} is not loaded`}`, pid: null, orphanPid: null };
  const exit = sv.lastExit;
  const failed = exit !== null && !exit.neverExited && (exit.signal !== null || (exit.code !== null && exit.code !== 0));
  const state = sv.kind === 'systemd' && sv.jobState?.startsWith('failed') ? 'crashed' : failed ? 'crashed' : exit !== null ? 'stopped' : null;
  if (state === 'crashed') return { state, reason: `${name} is not running; last ${exit?.text ?? 'run failed'}`, pid: null, orphanPid: null };
  if (state === 'stopped') return { state, reason: `${name} is loaded but not running; last ${exit?.text}`, pid: null, orphanPid: null };
  const why = sv.note ?? `${name} is not running`;
  return { state: 'missing', reason: `${lastSeen(input)}nothing runs on ${where(input)}: ${why}`, pid: null, orphanPid: null };
}

function unsupervised(input: ClassifyInput, found: number[], viaPort: Set<number>, listenersUnknown: string | null): Classification {
  const first = found[0];
  if (first !== undefined) {
    return { state: 'running', reason: `${describeCandidate(first, input, viaPort)}; ${input.unsupervisedNote ?? 'no supervisor is configured'}`, pid: first, orphanPid: null };
  }
  if (listenersUnknown !== null) {
    return { state: 'unknown', reason: `cannot see who listens on port ${input.port}: ${listenersUnknown}`, pid: null, orphanPid: null };
  }
  if (!input.local || (input.port === null && input.match === null)) {
    if (input.probe?.ok) return { state: 'running', reason: `answers (${input.probe.measured}); no local process to check`, pid: null, orphanPid: null };
    const probe = input.probe ? `; the probe measured ${input.probe.measured}` : '';
    return { state: 'unknown', reason: `no local process to check${probe}`, pid: null, orphanPid: null };
  }
  const nothing = input.port !== null ? `nothing listens on port ${input.port}` : `no process matches ${JSON.stringify(input.match)}`;
  return { state: 'missing', reason: `${lastSeen(input)}${nothing}${input.match !== null && input.port !== null ? ` and no process matches ${JSON.stringify(input.match)}` : ''}`, pid: null, orphanPid: null };
}

/** "PID 4242 (sanctum-mlx) exited at 14:02; ": the process last seen serving it, when one was. */
function lastSeen(input: ClassifyInput): string {
  const seen = input.lastSeen;
  return seen ? `PID ${seen.pid} (${seen.name}) exited at ${seen.goneAt}; ` : '';
}

export function supervisorName(sv: { kind: SupervisionCheck['kind']; target: string }): string {
  if (sv.kind === 'launchd') return `launchd job ${sv.target}`;
  if (sv.kind === 'systemd') return `systemd unit ${sv.target}`;
  return `Warden's command for ${sv.target}`;
}

function notOwnedBecause(sv: SupervisionCheck, name: string): string {
  if (sv.kind === 'command') {
    if (sv.stalePid) return `the pidfile names PID ${sv.stalePid}, which is gone`;
    if (sv.jobPid !== null) return `the pidfile names PID ${sv.jobPid}`;
    return sv.note ?? 'Warden did not start it';
  }
  if (!sv.loaded) return `${name} is not loaded${sv.plist && !sv.plist.exists ? ` (${sv.plist.path} is missing)` : ''}`;
  if (sv.jobPid !== null) return `${name} runs PID ${sv.jobPid}`;
  return `${name} is not running it${sv.jobState ? ` (state = ${sv.jobState})` : ''}`;
}
