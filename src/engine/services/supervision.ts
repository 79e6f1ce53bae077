import type { ServiceConfig, SupervisorConfig } from '../../common/config.js';
import type { ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import type { PlistInfo, ServiceView, SupervisionView } from '../../common/services.js';
import type { Facts } from '../../platform/facts.js';
import { readLaunchdJob } from '../../platform/darwin/launchctl.js';
import { lintPlist } from '../../platform/darwin/plist.js';
import { readSystemdUnit } from '../../platform/linux/systemd.js';
import { baseName } from '../../common/text.js';

/** A supervisor's view, plus the pids it owns (a process is owned when it or an ancestor is one). */
export type SupervisionCheck = SupervisionView & {
  ownedPids: number[];
  /** Command supervisors identified by port alone own whatever serves that port. */
  ownsListeners?: boolean;
  /** The pidfile's pid, when there is one and it names no live process. */
  stalePid?: number | null;
};

export interface Supervisor {
  readonly kind: SupervisionView['kind'];
  /** launchd service target, systemd unit, or the service name for a command. */
  readonly target: string;
  check(now: number, table: ProcessTable | null): Promise<Part<SupervisionCheck>>;
  // What the actions ask of a supervisor (engine/actions/); absent where it does not apply.
  /** The supervisor's own restart (launchctl kickstart -k, systemctl restart); absent when Warden restarts it itself. */
  restartCommand?(): SupervisorCommand;
  /** What its own restart does, for the offer's confirmation ("Run launchctl kickstart -k …"); null when it offers none now. */
  restartConfirm?(view: ServiceView): string | null;
  /** The launchd job, for putting an orphan back under launchd and asking who else owns its process. */
  launchdJob?(): LaunchdJobRef;
  /** The job's plist, the orphan's evidence is compared with. */
  plistPath?(): string | null;
  /** The command Warden starts and stops itself. */
  commandControl?(): CommandControl;
}

export interface SupervisorCommand {
  argv: string[];
  timeoutMs: number;
}

export interface LaunchdJobRef {
  domain: string;
  label: string;
  /** domain/label, as launchctl print and kickstart take it. */
  target: string;
}

/** What the restart action needs of a command service. */
export interface CommandControl {
  readonly config: CommandConfig;
  runsStart(command: string): boolean;
  adopt(pid: number): void;
}

const KICKSTART_TIMEOUT_MS = 30_000;
/** systemctl restart waits for the unit to start; systemd's own default start timeout is 90 s. */
const SYSTEMCTL_RESTART_TIMEOUT_MS = 95_000;

export interface SupervisorContext {
  facts: Facts;
  uid: number;
  /** The user's home, for ~/Library/LaunchAgents. Never derived from a path with `..`. */
  home: string | null;
}

export function makeSupervisor(service: ServiceConfig, ctx: SupervisorContext): Supervisor | null {
  const config = service.supervisor;
  if (!config) return null;
  switch (config.kind) {
    case 'launchd':
      return new LaunchdSupervisor(config, ctx);
    case 'systemd':
      return new SystemdSupervisor(config, ctx);
    case 'command':
      return new CommandSupervisor(service.name, config, ctx, service.match);
  }
}

type LaunchdConfig = Extract<SupervisorConfig, { kind: 'launchd' }>;
type SystemdConfig = Extract<SupervisorConfig, { kind: 'systemd' }>;
export type CommandConfig = Extract<SupervisorConfig, { kind: 'command' }>;

export function launchdDomain(config: { domain?: string }, uid: number): string {
  return config.domain ?? `gui/${uid}`;
}

/**
 * Where the job's plist lives by convention: ~/Library/LaunchAgents/<label>.plist for a GUI
 * (or user) domain, /Library/LaunchDaemons/<label>.plist for system. A label that could climb
 * out of that folder gets no path at all.
 */
export function conventionalPlistPath(domain: string, label: string, home: string | null): string | null {
  if (label === '' || label.includes('/') || label === '.' || label === '..') return null;
  if (domain === 'system') return `/Library/LaunchDaemons/${label}.plist`;
  if (!home) return null;
  return `${home.replace(/\/+$/, '')}/Library/LaunchAgents/${label}.plist`;
}

interface LintMemo {
  mtimeMs: number;
  size: number;
  ok: boolean | null;
  message: string;
}

export class LaunchdSupervisor implements Supervisor {
  readonly kind = 'launchd' as const;
  readonly target: string;
  readonly domain: string;
  readonly label: string;
  private lint: LintMemo | null = null;

  constructor(
    private readonly config: LaunchdConfig,
    private readonly ctx: SupervisorContext,
  ) {
    this.domain = launchdDomain(config, ctx.uid);
    this.label = config.label;
    this.target = `${this.domain}/${this.label}`;
  }

  restartCommand(): SupervisorCommand {
    return { argv: ['launchctl', 'kickstart', '-k', this.target], timeoutMs: KICKSTART_TIMEOUT_MS };
  }

  restartConfirm(view: ServiceView): string | null {
    const sv = view.supervision;
    // An orphan is not launchd's to restart: Re-adopt is offered instead.
    if (!sv?.loaded || view.state === 'orphaned') return null;
    const pid = sv.jobPid !== null ? `PID ${sv.jobPid}` : 'the job';
    return `Run launchctl kickstart -k ${this.target}: launchd stops ${pid} (SIGTERM) and starts it again`;
  }

  launchdJob(): LaunchdJobRef {
    return { domain: this.domain, label: this.label, target: this.target };
  }

  /** The plist this job should be loaded from: configured, else where launchd loaded it, else the convention. */
  plistPath(loadedFrom: string | null = null): string | null {
    return this.config.plist ?? loadedFrom ?? conventionalPlistPath(this.domain, this.label, this.ctx.home);
  }

  async check(): Promise<Part<SupervisionCheck>> {
    const read = await readLaunchdJob(this.ctx.facts, this.domain, this.label);
    if (!read.ok) return read;
    const job = read.value.loaded ? read.value.job : null;
    const plist = await this.plistInfo(this.plistPath(job?.path ?? null));
    const notes: string[] = [];
    if (!read.value.loaded) notes.push(read.value.why === 'no-gui-domain' ? read.value.message : `launchd has no job ${this.target}`);
    if (job?.properties.includes('penalty box')) notes.push('launchd is throttling its restarts (penalty box)');
    if (plist && !plist.exists) notes.push(`${plist.path} does not exist${job ? ': the job will not come back after a logout or reboot' : ''}`);
    else if (plist?.lintOk === false) notes.push(`plutil -lint: ${plist.lintMessage}`);
    const loaded = read.value.loaded ? true : read.value.why === 'no-gui-domain' ? null : false;
    return {
      ok: true,
      value: {
        kind: 'launchd',
        target: this.target,
        loaded,
        jobState: job ? (job.jobState ? `${job.state} (${job.jobState})` : job.state) : null,
        jobPid: job?.pid ?? null,
        lastExit: job?.lastExit ?? null,
        runs: job?.runs ?? null,
        plist,
        note: notes.length > 0 ? notes.join('; ') : null,
        ownedPids: job?.pid ? [job.pid] : [],
      },
    };
  }

  private async plistInfo(path: string | null): Promise<PlistInfo | null> {
    if (!path) return null;
    const st = await this.ctx.facts.stat(path);
    if (!st.exists) {
      this.lint = null;
      return { path, exists: false, lintOk: null, lintMessage: st.error };
    }
    // plutil runs again only when the file changed.
    if (!this.lint || this.lint.mtimeMs !== st.mtimeMs || this.lint.size !== st.size) {
      const lint = await lintPlist(this.ctx.facts, path);
      this.lint = { mtimeMs: st.mtimeMs, size: st.size, ok: lint.ok, message: lint.message };
    }
    return { path, exists: true, lintOk: this.lint.ok, lintMessage: this.lint.message };
  }
}

export class SystemdSupervisor implements Supervisor {
  readonly kind = 'systemd' as const;
  readonly target: string;
  readonly scope: 'user' | 'system';

  constructor(
    config: SystemdConfig,
    private readonly ctx: SupervisorContext,
  ) {
    this.target = config.unit;
    // systemctl's own default, and where installers (Ollama's among them) put their units.
    this.scope = config.scope ?? 'system';
  }

  restartCommand(): SupervisorCommand {
    return { argv: ['systemctl', ...(this.scope === 'user' ? ['--user'] : []), 'restart', '--', this.target], timeoutMs: SYSTEMCTL_RESTART_TIMEOUT_MS };
  }

  restartConfirm(view: ServiceView): string | null {
    if (!view.supervision?.loaded) return null;
    return `Run systemctl ${this.scope === 'user' ? '--user ' : ''}restart ${this.target}`;
  }

  async check(): Promise<Part<SupervisionCheck>> {
    const read = await readSystemdUnit(this.ctx.facts, this.target, this.scope);
    if (!read.ok) return read;
    if (!read.value.loaded) {
      return {
        ok: true,
        value: { kind: 'systemd', target: this.target, loaded: false, jobState: null, jobPid: null, lastExit: null, runs: null, plist: null, note: read.value.message, ownedPids: [] },
      };
    }
    const unit = read.value.unit;
    const note = unit.loadState !== 'loaded' ? `LoadState=${unit.loadState}` : unit.result && unit.result !== 'success' ? `Result=${unit.result}` : null;
    return {
      ok: true,
      value: {
        kind: 'systemd',
        target: this.target,
        loaded: unit.loadState === 'loaded',
        jobState: unit.subState ? `${unit.activeState} (${unit.subState})` : unit.activeState,
        jobPid: unit.mainPid,
        lastExit: unit.lastExit,
        runs: unit.restarts,
        plist: null,
        note,
        ownedPids: unit.mainPid ? [unit.mainPid] : [],
      },
    };
  }
}

/**
 * Whether a command line (as ps prints it: argv joined by spaces) is the configured `start`: it
 * ends with start's program (by name: PATH lookup or a shebang puts a directory or an
 * interpreter before it) and then exactly start's arguments; or it contains the service's own
 * `match`. A pidfile may name anything (a stale file, a reused pid, a file another user wrote),
 * so this is what lets its pid be the service's.
 */
export function runsStartCommand(command: string, start: readonly string[], match?: string): boolean {
  if (match && command.includes(match)) return true;
  const [program, ...args] = start;
  if (!program) return false;
  const tail = [baseName(program), ...args].join(' ');
  const line = command.trim();
  if (!line.endsWith(tail)) return false;
  const before = line.slice(0, line.length - tail.length);
  return before === '' || before.endsWith('/') || before.endsWith(' ');
}

/**
 * A service Warden starts and stops itself. The process is the pidfile's pid when there is a
 * pidfile, else whatever serves the port; pids Warden started are remembered as well.
 */
export class CommandSupervisor implements Supervisor, CommandControl {
  readonly kind = 'command' as const;
  private readonly started = new Set<number>();

  constructor(
    readonly target: string,
    readonly config: CommandConfig,
    private readonly ctx: SupervisorContext,
    /** The service's `match`: a substring of its command line that also identifies it. */
    readonly match?: string,
  ) {}

  commandControl(): CommandControl {
    return this;
  }

  /** The process runs this service's start command (or its `match`). */
  runsStart(command: string): boolean {
    return runsStartCommand(command, this.config.start, this.match);
  }

  /** Called by the restart action with the pid it spawned. */
  adopt(pid: number): void {
    this.started.clear();
    this.started.add(pid);
  }

  async check(_now: number, table: ProcessTable | null): Promise<Part<SupervisionCheck>> {
    const base = { kind: 'command' as const, target: this.target, loaded: true, lastExit: null, runs: null, plist: null };
    if (!table) return { ok: false, reason: 'no process table to check the command against' };
    const alive = (pid: number) => table.rows.some((r) => r.pid === pid && !r.zombie);
    const startedAlive = [...this.started].filter(alive);
    if (!this.config.pidfile) {
      const pid = startedAlive[0] ?? null;
      return { ok: true, value: { ...base, jobState: pid ? 'running' : null, jobPid: pid, note: null, ownedPids: startedAlive, ownsListeners: true } };
    }
    const file = await this.ctx.facts.readFile(this.config.pidfile, { maxBytes: 64 });
    if (file.error) return { ok: false, reason: `pidfile ${this.config.pidfile}: ${file.error}` };
    // The pidfile does not name a live process of ours: what runs is what this warden started.
    const startedOnly = (note: string, stalePid?: number): Part<SupervisionCheck> => ({
      ok: true,
      value: {
        ...base,
        jobState: startedAlive.length ? 'running' : 'not running',
        jobPid: startedAlive[0] ?? null,
        note,
        ownedPids: startedAlive,
        ...(stalePid === undefined ? {} : { stalePid }),
      },
    });
    if (!file.exists || file.content === null) return startedOnly(`pidfile ${this.config.pidfile} does not exist`);
    const text = file.content.trim();
    if (!/^\d{1,10}$/.test(text) || Number(text) < 1) {
      return { ok: false, reason: `pidfile ${this.config.pidfile} does not hold a pid: ${JSON.stringify(text.slice(0, 20))}` };
    }
    const pid = Number(text);
    const row = table.rows.find((r) => r.pid === pid && !r.zombie);
    // With no port to vouch for it, a pid running something else is not this service's.
    if (row && !this.started.has(pid) && this.config.port === undefined && !this.runsStart(row.command)) {
      return startedOnly(`pidfile ${this.config.pidfile} names PID ${pid}, which runs ${JSON.stringify(row.command.slice(0, 80))}, not the start command: not this service's process`);
    }
    if (!alive(pid)) return startedOnly(`pidfile ${this.config.pidfile} names PID ${pid}, which is gone`, pid);
    return { ok: true, value: { ...base, jobState: 'running', jobPid: pid, note: null, ownedPids: [...new Set([pid, ...startedAlive])] } };
  }
}
