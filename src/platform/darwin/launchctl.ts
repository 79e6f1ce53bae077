import type { ExitInfo } from '../../common/services.js';
import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import type { CommandResult, Facts } from '../facts.js';
import { commandProblem, describeArgv } from '../facts.js';
import { parseLaunchdExitText } from '../exits.js';

/** One launchd job as `launchctl print <domain>/<label>` describes it (top-level keys only). */
export interface LaunchdJobInfo {
  /** From the header line, e.g. "gui/501/com.sanctum.mlx". */
  target: string;
  /** "running", "not running", "spawn scheduled", "SIGTERMed"…; "unknown" if the line is absent. */
  state: string;
  pid: number | null;
  /** The plist launchd loaded the job from. */
  path: string | null;
  program: string | null;
  arguments: string[];
  runs: number | null;
  lastExit: ExitInfo | null;
  /** "spawn failed" and the like; absent on healthy jobs. */
  jobState: string | null;
  /** "keepalive", "runatload", "inferred program", "penalty box"… */
  properties: string[];
  /** StartInterval, seconds. */
  runInterval: number | null;
  /** The job has a StartCalendarInterval trigger. */
  calendar: boolean;
}

export type LaunchdJobRead =
  | { loaded: true; job: LaunchdJobInfo }
  | { loaded: false; why: 'no-such-job' | 'no-gui-domain'; message: string };

export interface LaunchdDomainService {
  /** Null when launchd shows 0 or `-`: not running. */
  pid: number | null;
  /** Last exit status as printed: "0", "78", "-9", "-", "(pe)"… */
  status: string;
  label: string;
}

export const LAUNCHCTL_TIMEOUT_MS = 3_000;
/** A whole domain prints thousands of lines. */
export const LAUNCHCTL_DOMAIN_TIMEOUT_MS = 5_000;

/** launchctl's exit for an unknown service ("Could not find service … in domain …"). */
const EXIT_NO_SUCH_SERVICE = 113;
/** launchctl's exit for an unknown domain, e.g. gui/<uid> with nobody logged in at the screen. */
const EXIT_NO_SUCH_DOMAIN = 112;

export function launchctlPrintArgv(target: string): string[] {
  return ['launchctl', 'print', target];
}

const HEADER = /^(\S.*?) = \{$/;
// Top-level lines carry exactly one leading TAB; nested blocks repeat keys such as `state`.
const TOP_LEVEL_KEY = /^\t([^\t=][^=]*?) = (.*)$/;
const TOP_LEVEL_CLOSE = /^\t\}$/;
const CALENDAR_STREAM = /^\t+stream = com\.apple\.launchd\.calendarinterval$/;

function wholeNumber(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text.trim())) return null;
  return Number(text.trim());
}

/**
 * Parses `launchctl print <domain>/<label>`. Apple calls this output "NOT API", so only what
 * is needed is read, and only from top-level lines; anything unknown is ignored. Throws when
 * the text has no `<target> = {` header at all (not launchctl print output), or no closing
 * `}`: output cut short would otherwise read as a job with no pid, a confident wrong answer.
 */
export function parseLaunchctlPrint(text: string): LaunchdJobInfo {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  const header = HEADER.exec(lines[headerIndex] ?? '');
  if (!header?.[1]) {
    const first = (lines[headerIndex] ?? '').slice(0, 80);
    throw new Error(`not launchctl print output: expected "<target> = {", got ${JSON.stringify(first)}`);
  }
  const top = new Map<string, string>();
  const args: string[] = [];
  let block: string | null = null;
  let calendar = false;
  let inEventTriggers = false;
  let closed = false;
  const nestedProperties: string[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line === '}') {
      closed = true;
      break;
    }
    if (block !== null) {
      if (TOP_LEVEL_CLOSE.test(line)) {
        block = null;
        inEventTriggers = false;
        continue;
      }
      if (block === 'arguments' && line.startsWith('\t\t')) args.push(line.slice(2));
      // Before Catalina, properties were a block of `name = 0|1` rows rather than one `a | b` line.
      const flag = block === 'properties' ? /^\t\t(.+?) = 1$/.exec(line) : null;
      if (flag?.[1]) nestedProperties.push(flag[1]);
      if (inEventTriggers && CALENDAR_STREAM.test(line)) calendar = true;
      continue;
    }
    const opener = /^\t([^\t].*?) = \{$/.exec(line);
    if (opener?.[1]) {
      block = opener[1];
      inEventTriggers = block === 'event triggers';
      continue;
    }
    const kv = TOP_LEVEL_KEY.exec(line);
    if (kv?.[1] && kv[2] !== undefined && !top.has(kv[1])) top.set(kv[1], kv[2]);
  }

  if (!closed) throw new Error('output cut short: no closing "}"');
  const signalText = top.get('last terminating signal');
  const exitText = top.get('last exit code');
  // launchd prints the signal line in place of the exit code when the job was killed.
  const lastExit = (signalText !== undefined ? parseLaunchdExitText(signalText) : null) ?? (exitText !== undefined ? parseLaunchdExitText(exitText) : null);
  const interval = /^(\d+) seconds?$/.exec(top.get('run interval') ?? '');
  const properties = top.get('properties');
  return {
    target: header[1],
    state: top.get('state') ?? 'unknown',
    pid: wholeNumber(top.get('pid')),
    path: top.get('path') ?? null,
    program: top.get('program') ?? null,
    arguments: args,
    runs: wholeNumber(top.get('runs')),
    lastExit,
    jobState: top.get('job state') ?? null,
    properties: properties ? properties.split('|').map((p) => p.trim()).filter((p) => p !== '') : nestedProperties,
    runInterval: interval?.[1] ? Number(interval[1]) : null,
    calendar,
  };
}

const SERVICES_OPENER = /^\tservices = \{$/;
const SERVICE_ROW = /^\t\t\s*(\d+|-)\s+(\S+)\s+(\S.*?)\s*$/;

/**
 * The `services = {` block of `launchctl print gui/<uid>`: rows `PID  Status  Label`, e.g.
 * "\t\t    9682   (pe) \tcom.apple.modelcatalogd". The later `disabled services = {` block
 * is a different list and is not read. Throws when there is no services block, or when it
 * is cut short (a partial list would make a job's process look unowned).
 */
export function parseLaunchctlDomainServices(text: string): LaunchdDomainService[] {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => SERVICES_OPENER.test(line));
  if (start < 0) throw new Error('no "services = {" block in the output');
  const rows: LaunchdDomainService[] = [];
  for (const line of lines.slice(start + 1)) {
    if (TOP_LEVEL_CLOSE.test(line)) return rows;
    const m = SERVICE_ROW.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) continue;
    const pid = m[1] === '-' ? null : Number(m[1]);
    rows.push({ pid: pid === 0 ? null : pid, status: m[2], label: m[3] });
  }
  throw new Error('output cut short: the "services = {" block has no closing "}"');
}

function firstLine(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'Bad request.')[0] ?? '';
}

function runFailure(result: CommandResult): string | null {
  if (result.error || result.timedOut || result.truncated) return commandProblem(result);
  return null;
}

/** `launchctl print <domain>/<label>`: the job, or why launchd has no such job. */
export async function readLaunchdJob(facts: Facts, domain: string, label: string): Promise<Part<LaunchdJobRead>> {
  const argv = launchctlPrintArgv(`${domain}/${label}`);
  const result = await facts.run(argv, { timeoutMs: LAUNCHCTL_TIMEOUT_MS });
  const failure = runFailure(result);
  if (failure) return { ok: false, reason: failure };
  if (result.exitCode === EXIT_NO_SUCH_SERVICE) {
    const said = firstLine(result.stderr) || firstLine(result.stdout);
    return { ok: true, value: { loaded: false, why: 'no-such-job', message: said || `no job ${label} in ${domain}` } };
  }
  if (result.exitCode === EXIT_NO_SUCH_DOMAIN) {
    const said = firstLine(result.stderr) || firstLine(result.stdout);
    const message = `no GUI session for this user, e.g. an SSH login${said ? ` (${said})` : ''}`;
    return { ok: true, value: { loaded: false, why: 'no-gui-domain', message } };
  }
  const problem = commandProblem(result);
  if (problem) return { ok: false, reason: problem };
  try {
    return { ok: true, value: { loaded: true, job: parseLaunchctlPrint(result.stdout) } };
  } catch (error) {
    return { ok: false, reason: `${describeArgv(argv)}: ${errorText(error)}` };
  }
}

/** `launchctl print <domain>`: every service the domain holds, with its pid and last status. */
export async function readLaunchdDomain(facts: Facts, domain: string): Promise<Part<LaunchdDomainService[]>> {
  const argv = launchctlPrintArgv(domain);
  const result = await facts.run(argv, { timeoutMs: LAUNCHCTL_DOMAIN_TIMEOUT_MS });
  const failure = runFailure(result);
  if (failure) return { ok: false, reason: failure };
  if (result.exitCode === EXIT_NO_SUCH_DOMAIN) {
    return { ok: false, reason: `${describeArgv(argv)}: no GUI session for this user, e.g. an SSH login` };
  }
  const problem = commandProblem(result);
  if (problem) return { ok: false, reason: problem };
  try {
    return { ok: true, value: parseLaunchctlDomainServices(result.stdout) };
  } catch (error) {
    return { ok: false, reason: `${describeArgv(argv)}: ${errorText(error)}` };
  }
}
