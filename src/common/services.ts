/** What the user configured or Warden discovered, and what it found when it looked. */

export type SupervisorKind = 'launchd' | 'systemd' | 'command';

export type ServiceState = 'running' | 'stopped' | 'crashed' | 'orphaned' | 'missing' | 'unknown';

export type ActionKind = 'restart' | 'readopt' | 'release' | 'watch' | 'unload';

/** The CLI command that runs an action of this kind: `warden watch` is the live view, so watching a discovered server is `warden add`. */
export function actionVerb(kind: ActionKind): string {
  return kind === 'watch' ? 'add' : kind;
}

/** An action the UI may offer; `id` is what the engine will accept back. */
export interface ActionOffer {
  id: string;
  kind: ActionKind;
  /** Service name or watched file path. */
  target: string;
  label: string;
  /** Exactly what will happen, for the confirmation. */
  confirm: string;
}

export interface ActionResult {
  id: string;
  ok: boolean;
  /** What was done, step by step, for the log and the notification. */
  steps: string[];
  message: string;
  downtimeSeconds: number | null;
  startedAt: number;
  finishedAt: number;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  neverExited: boolean;
  /** "exit 5 (EIO: Input/output error)", "killed by SIGKILL (9)", "never exited". */
  text: string;
}

export interface ProcessRef {
  pid: number;
  ppid: number;
  uid: number;
  startedAt: number;
  name: string;
  command: string;
}

export interface ProbeSample {
  at: number;
  ok: boolean;
  latencyMs: number | null;
}

export type ProbeTier = 'reachable' | 'healthy' | 'canary';

export interface ProbeView {
  url: string;
  tier: ProbeTier;
  ok: boolean;
  status: number | null;
  latencyMs: number | null;
  /** What was measured, honestly: "200 in 41 ms", "no answer within 10 s", "connection refused". */
  measured: string;
  at: number;
  baselineMs: number | null;
  availability1h: number | null;
  /** Requests availability1h is made of: a share of 3 says little. */
  samples1h: number;
  availability24h: number | null;
  consecutiveFailures: number;
  /** Failures in the last M probes, for N-of-M judgement. */
  recentFailures: number;
  recentCount: number;
  recent: ProbeSample[];
  /** Requests sent since this engine started, and how many failed (Prometheus counters). */
  probesTotal: number;
  failuresTotal: number;
}

export interface PlistInfo {
  path: string;
  exists: boolean;
  lintOk: boolean | null;
  lintMessage: string | null;
}

export interface SupervisionView {
  kind: SupervisorKind;
  /** launchd service target, systemd unit, or the command's name. */
  target: string;
  loaded: boolean | null;
  jobState: string | null;
  jobPid: number | null;
  lastExit: ExitInfo | null;
  runs: number | null;
  plist: PlistInfo | null;
  /** Anything the supervisor said that explains the state ("no GUI domain: SSH session"). */
  note: string | null;
}

export interface BackupMatch {
  path: string;
  /** ProgramArguments joined by spaces equals the running command line, byte for byte. */
  matches: boolean;
  mtimeMs: number | null;
}

export interface OrphanEvidence {
  process: ProcessRef;
  canonicalPath: string | null;
  canonicalExists: boolean | null;
  backups: BackupMatch[];
  matchingBackup: string | null;
  why: string;
}

export interface ServiceView {
  name: string;
  source: 'config' | 'discovered';
  url: string | null;
  port: number | null;
  state: ServiceState;
  stateReason: string;
  process: ProcessRef | null;
  supervision: SupervisionView | null;
  probe: ProbeView | null;
  canary: ProbeView | null;
  orphan: OrphanEvidence | null;
  actions: ActionOffer[];
  /** When its own snooze ends (epoch ms); null when not muted. The snooze of everything is State.snoozedUntil. */
  snoozedUntil: number | null;
  /** When the process last seen serving it was first seen gone (epoch ms); null while it runs or before one was seen. */
  goneAt: number | null;
}

export type LockKind = 'posix-write' | 'posix-read' | 'flock' | 'open';

/**
 * How a holder is shown. 'open' (macOS: lsof sees who has the file open, never who holds a
 * fcntl lock) is said as exactly that, never as holding the lock.
 */
export function holderKindText(kind: LockKind): string {
  return kind === 'open' ? 'has it open; not proven to hold the lock' : kind;
}

export interface LockHolder extends ProcessRef {
  kind: LockKind;
  heldSeconds: number;
}

export interface LockView {
  path: string;
  exists: boolean;
  holders: LockHolder[];
  /** Longest-held holder's age (process age: Warden cannot see when the lock itself was taken). */
  heldSeconds: number | null;
  limitSeconds: number;
  /** A reader's "Conflicting lock is held in … (PID n)" message, when one was reported. */
  readerError: string | null;
  note: string | null;
  actions: ActionOffer[];
}

export interface JobView {
  name: string;
  kind: 'launchd' | 'systemd';
  target: string;
  lastExit: ExitInfo | null;
  lastRunAt: number | null;
  nextDueAt: number | null;
  overdueSeconds: number | null;
  logPath: string | null;
  /** "last exit 5: launchctl bootstrap could not find the plist (EIO)". */
  explanation: string;
}
