/**
 * A scripted edge for the parts of the engine that cannot run here (macOS, launchd, plutil):
 * commands are answered by handlers written from the real formats in
 * shared/reference/macos-command-formats.md; files live in a map; HTTP goes to a real server
 * unless a handler is given. ScriptedEffects records what would have changed the world.
 */
import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, VolumeStat } from '../../src/platform/facts.js';
import type { EffectResult, Effects, SpawnResult } from '../../src/platform/effects.js';
import { httpRequest } from '../../src/platform/http.js';
import { lsofTcpListenersArgv } from '../../src/platform/lsof.js';

export function ok(argv: readonly string[], stdout: string): CommandResult {
  return { argv: [...argv], exitCode: 0, signal: null, stdout, stderr: '', durationMs: 5, timedOut: false, truncated: false, error: null };
}

export function fail(argv: readonly string[], exitCode: number, stderr: string, stdout = ''): CommandResult {
  return { argv: [...argv], exitCode, signal: null, stdout, stderr, durationMs: 5, timedOut: false, truncated: false, error: null };
}

type Handler = (argv: readonly string[]) => CommandResult | null;

export interface ScriptedFile {
  content: string;
  mtimeMs: number;
}

export class ScriptedFacts implements Facts {
  readonly mode = 'live' as const;
  readonly ran: string[][] = [];
  readonly files = new Map<string, ScriptedFile>();
  readonly dirs = new Set<string>();
  /** statfs answers by path; a path not here does not exist. */
  readonly volumes = new Map<string, { totalBytes: number; availableBytes: number; dev: number }>();
  load: LoadRead = { loadavg: [0.5, 0.4, 0.3], cores: 8, error: null };
  private readonly handlers: Handler[] = [];

  constructor(private readonly httpHandler: ((request: HttpRequest) => Promise<HttpResult>) | null = null) {}

  /** Later handlers are asked first, so a test can override an answer mid-way. */
  on(handler: Handler): this {
    this.handlers.unshift(handler);
    return this;
  }

  async run(argv: readonly string[], _options?: RunOptions): Promise<CommandResult> {
    this.ran.push([...argv]);
    for (const handler of this.handlers) {
      const answer = handler(argv);
      if (answer) return answer;
    }
    return { argv: [...argv], exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, truncated: false, error: `no scripted answer for ${argv.join(' ')}` };
  }

  async readFile(path: string): Promise<FileRead> {
    const file = this.files.get(path);
    return { path, exists: file !== undefined, content: file?.content ?? null, truncated: false, error: null };
  }

  async stat(path: string): Promise<FileStat> {
    const file = this.files.get(path);
    const dir = this.dirs.has(path);
    return {
      path,
      exists: file !== undefined || dir,
      isFile: file !== undefined,
      isDirectory: dir,
      size: file?.content.length ?? 0,
      mtimeMs: file?.mtimeMs ?? 0,
      dev: 1,
      ino: path.length,
      uid: 501,
      error: null,
    };
  }

  async listDir(path: string): Promise<DirList> {
    if (!this.dirs.has(path)) return { path, exists: false, entries: null, error: null };
    const prefix = `${path}/`;
    const entries = [...this.files.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
    return { path, exists: true, entries: entries.sort(), error: null };
  }

  async readLink(path: string): Promise<LinkRead> {
    return { path, target: null, error: 'EINVAL: not a link' };
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return this.httpHandler ? this.httpHandler(request) : httpRequest(request);
  }

  async statfs(path: string): Promise<VolumeStat> {
    const volume = this.volumes.get(path);
    return volume ? { path, exists: true, ...volume, error: null } : { path, exists: false, totalBytes: 0, availableBytes: 0, dev: 0, error: null };
  }

  async readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    const file = this.files.get(path);
    if (!file) return { path, offset, exists: false, size: 0, ino: 0, content: null, bytes: 0, error: null };
    const chunk = Buffer.from(file.content).subarray(offset, offset + maxBytes);
    return { path, offset, exists: true, size: Buffer.byteLength(file.content), ino: path.length, content: chunk.toString('utf8'), bytes: chunk.length, error: null };
  }

  async loadAverage(): Promise<LoadRead> {
    return this.load;
  }
}

export class ScriptedEffects implements Effects {
  readonly mode = 'live' as const;
  /** Everything asked of it, in order, e.g. "signal 4242 SIGTERM", "copy A B", "run launchctl bootstrap …". */
  readonly log: string[] = [];
  onSignal: (pid: number, signal: string) => EffectResult = () => ({ ok: true });
  onRun: Handler = () => null;

  constructor(private readonly facts: ScriptedFacts) {}

  async signal(pid: number, signal: NodeJS.Signals): Promise<EffectResult> {
    this.log.push(`signal ${pid} ${signal}`);
    return this.onSignal(pid, signal);
  }

  async spawnDetached(argv: readonly string[]): Promise<SpawnResult> {
    this.log.push(`spawn ${argv.join(' ')}`);
    return { reason: 'the scripted edge starts nothing' };
  }

  async copyFile(src: string, dst: string): Promise<EffectResult> {
    this.log.push(`copy ${src} ${dst}`);
    const file = this.facts.files.get(src);
    if (!file) return { ok: false, reason: 'ENOENT: no such file or directory' };
    if (this.facts.files.has(dst)) return { ok: false, reason: 'EEXIST: the destination already exists' };
    this.facts.files.set(dst, { ...file });
    return { ok: true };
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    this.log.push(`run ${argv.join(' ')}`);
    return this.onRun(argv) ?? fail(argv, 1, `not scripted: ${argv.join(' ')}`);
  }

  /** A state-changing request goes to the same handler (or the real network) as the facts' reads. */
  async http(request: HttpRequest): Promise<HttpResult> {
    this.log.push(`http ${request.method ?? 'GET'} ${request.url}`);
    return this.facts.http(request);
  }
}

// ------------------------------------------------------------------ real formats, as templates

export interface PsRow {
  pid: number;
  ppid: number;
  uid: number;
  startedAt: number;
  command: string;
  rssKib?: number;
  /** ps %cpu; 0.0 when not given. */
  cpuPercent?: number;
  /** Cumulative CPU seconds for ps `time`; 1 s when not given. */
  cpuSeconds?: number;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** ps etime (adv_cmds print.c): MM:SS, HH:MM:SS, DD-HH:MM:SS. */
export function etime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (seconds > 86_400) return `${two(d)}-${two(h)}:${two(m)}:${two(s)}`;
  // Exactly one day prints 24:00:00 and exactly one hour 60:00 (the boundaries use `>`).
  if (seconds > 3600) return `${two(h + d * 24)}:${two(m)}:${two(s)}`;
  return `${two(m + h * 60)}:${two(s)}`;
}

/** ps `time`: darwin prints minutes:seconds.hundredths (adv_cmds), procps `[DD-]HH:MM:SS`. */
export function cpuTime(seconds: number, platform: 'darwin' | 'linux' = 'darwin'): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (platform === 'darwin') return `${Math.floor(whole / 60)}:${two(whole % 60)}.${two(Math.floor((seconds - whole) * 100))}`;
  const d = Math.floor(whole / 86_400);
  const hms = `${two(Math.floor((whole % 86_400) / 3600))}:${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** The answer to `ps -A -ww -o pid=,ppid=,uid=,rss=,%cpu=,time=,etime=,command=` at `now`. */
export function psOutput(rows: readonly PsRow[], now: number, platform: 'darwin' | 'linux' = 'darwin'): string {
  return rows
    .map((r) => {
      const elapsed = Math.max(0, Math.floor((now - r.startedAt) / 1000));
      const cpu = (r.cpuPercent ?? 0).toFixed(1).padStart(5);
      const time = cpuTime(r.cpuSeconds ?? 1, platform).padStart(10);
      return `${String(r.pid).padStart(5)} ${String(r.ppid).padStart(5)} ${String(r.uid).padStart(5)} ${String(r.rssKib ?? 4096).padStart(8)} ${cpu} ${time} ${etime(elapsed).padStart(11)} ${r.command}`;
    })
    .join('\n')
    .concat('\n');
}

/** `vm_stat` (§1): the page-size banner, then one `label:  count.` row each. */
export function vmStatOutput(pageSize: number, rows: ReadonlyArray<readonly [string, number]>): string {
  const lines = rows.map(([label, n]) => `${`${label}:`.padEnd(30)} ${String(n).padStart(16)}.`);
  return `Mach Virtual Memory Statistics: (page size of ${pageSize} bytes)\n${lines.join('\n')}\n`;
}

/** `top -l 1 -F -o mem -n N -stats pid,mem`: a banner, a blank line, `PID    MEM`, one row per process (MEM in MiB). */
export function topFootprintOutput(banner: readonly string[], rows: ReadonlyArray<{ pid: number; bytes: number }>): string {
  const lines = rows.map((p) => `${String(p.pid).padEnd(7)}${`${Math.round(p.bytes / 1024 ** 2)}M`.padEnd(5)}`);
  return [...banner, '', 'PID    MEM', ...lines, ''].join('\n');
}

export function plistXml(label: string, args: readonly string[]): string {
  const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '\t<key>Label</key>',
    `\t<string>${esc(label)}</string>`,
    '\t<key>ProgramArguments</key>',
    '\t<array>',
    ...args.map((a) => `\t\t<string>${esc(a)}</string>`),
    '\t</array>',
    '\t<key>KeepAlive</key>',
    '\t<true/>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

/** `launchctl print gui/<uid>/<label>` of a running agent, shaped like the real capture in §4.1. */
export function launchctlPrintRunning(uid: number, label: string, plistPath: string, args: readonly string[], pid: number, runs = 1): string {
  return [
    `gui/${uid}/${label} = {`,
    '\tactive count = 1',
    `\tpath = ${plistPath}`,
    '\ttype = LaunchAgent',
    '\tstate = running',
    '',
    `\tprogram = ${args[0]}`,
    '\targuments = {',
    ...args.map((a) => `\t\t${a}`),
    '\t}',
    '',
    `\tdomain = gui/${uid} [100057]`,
    '\tasid = 100057',
    '\tminimum runtime = 10',
    '\texit timeout = 5',
    `\truns = ${runs}`,
    `\tpid = ${pid}`,
    '\timmediate reason = speculative',
    '\tlast exit code = (never exited)',
    '',
    '\tresource coalition = {',
    '\t\tID = 9196',
    '\t\ttype = resource',
    '\t\tstate = active',
    '\t\tactive count = 1',
    `\t\tname = ${label}`,
    '\t}',
    '',
    '\tspawn type = daemon (3)',
    '\tproperties = keepalive | runatload | inferred program',
    '}',
    '',
  ].join('\n');
}

/** §4.4: `launchctl print` of a label the domain does not hold; exit 113. */
export function launchctlNoSuchService(label: string, uid: number): string {
  return `Bad request.\nCould not find service "${label}" in domain for user gui: ${uid}\n`;
}

/** §4.4: the `services = {` block of `launchctl print gui/<uid>`. */
export function launchctlDomain(uid: number, services: ReadonlyArray<{ pid: number | null; status: string; label: string }>): string {
  const rows = services.map((s) => `\t\t${String(s.pid ?? 0).padStart(8)} ${s.status.padStart(6)} \t${s.label}`);
  return [`gui/${uid} = {`, '\ttype = gui', `\thandle = ${uid}`, '\tactive count = 412', '', '\tservices = {', ...rows, '\t}', '', '\tdisabled services = {', '\t\t"com.apple.Siri.agent" => disabled', '\t}', '}', ''].join('\n');
}

/** §9.1: `lsof -nP -iTCP[:<port>] -sTCP:LISTEN -Fpcn` for one listener (fd lines always present on macOS). */
export function lsofListener(pid: number, command: string, port: number): string {
  return `p${pid}\nc${command}\nf7\nn127.0.0.1:${port}\n`;
}

/** §9.1: `lsof -nP -iTCP -sTCP:LISTEN -Fpcn` for several listeners: one p block per process, a socket per port. */
export function lsofListeners(listeners: ReadonlyArray<{ pid: number; command: string; port: number }>): string {
  const byPid = new Map<number, { command: string; ports: number[] }>();
  for (const l of listeners) {
    const proc = byPid.get(l.pid) ?? { command: l.command, ports: [] };
    proc.ports.push(l.port);
    byPid.set(l.pid, proc);
  }
  return [...byPid].map(([pid, p]) => `p${pid}\nc${p.command}\n${p.ports.map((port, i) => `f${7 + i}\nn127.0.0.1:${port}\n`).join('')}`).join('');
}

/** Whether argv is exactly what the monitor runs to read every TCP listener. */
export function isTcpListenersArgv(argv: readonly string[]): boolean {
  return JSON.stringify(argv) === JSON.stringify(lsofTcpListenersArgv());
}

/** §6: the transient error launchctl bootstrap gives for a few seconds after a job was booted out. */
export const BOOTSTRAP_EIO = 'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n';

/** `launchctl print gui/<uid>/<label>` of a job in any state (§4.1), with calendar triggers when asked. */
export function launchctlPrintJob(
  uid: number,
  label: string,
  path: string,
  args: readonly string[],
  o: { state: string; pid: number | null; runs: number; lastExit: string; properties: string; calendar?: boolean },
): string {
  const lines = [
    `gui/${uid}/${label} = {`,
    `\tactive count = ${o.pid ? 1 : 0}`,
    `\tpath = ${path}`,
    '\ttype = LaunchAgent',
    `\tstate = ${o.state}`,
    '',
    `\tprogram = ${args[0]}`,
    '\targuments = {',
    ...args.map((a) => `\t\t${a}`),
    '\t}',
    '',
    `\tdomain = gui/${uid} [100057]`,
    '\tasid = 100057',
    '\tminimum runtime = 10',
    '\texit timeout = 5',
    `\truns = ${o.runs}`,
    ...(o.pid ? [`\tpid = ${o.pid}`] : []),
    `\t${o.lastExit}`,
    '',
  ];
  if (o.calendar) {
    lines.push(
      '\tevent triggers = {',
      `\t\t${label}.268435470 => {`,
      '\t\t\tkeepalive = 0',
      `\t\t\tservice = ${label}`,
      '\t\t\tstream = com.apple.launchd.calendarinterval',
      '\t\t\tmonitor = com.apple.UserEventAgent-Aqua',
      '\t\t\tdescriptor = {',
      '\t\t\t\t"Minute" => 0',
      '\t\t\t\t"Hour" => 4',
      '\t\t\t\t"Weekday" => 0',
      '\t\t\t}',
      '\t\t}',
      '\t}',
      '',
    );
  }
  lines.push('\tspawn type = daemon (3)', `\tproperties = ${o.properties}`, '}', '');
  return lines.join('\n');
}
