import type { ExitInfo } from '../../common/services.js';
import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import type { Facts } from '../facts.js';
import { commandProblem, describeArgv } from '../facts.js';
import { explainExit } from '../exits.js';

export type SystemdScope = 'system' | 'user';

/** Id first: systemctl resolves aliases, and the answer says which unit it really read. */
export const SYSTEMD_PROPERTIES = [
  'Id',
  'LoadState',
  'ActiveState',
  'SubState',
  'MainPID',
  'ExecMainStatus',
  'ExecMainCode',
  'ExecMainStartTimestamp',
  'ExecMainExitTimestamp',
  'Result',
  'FragmentPath',
  'NRestarts',
  'UnitFileState',
] as const;

export interface SystemdUnitInfo {
  id: string | null;
  /** "loaded", "not-found", "masked", "bad-setting", "error". */
  loadState: string;
  /** "active", "inactive", "failed", "activating", "deactivating", "reloading". */
  activeState: string;
  subState: string;
  mainPid: number | null;
  /** The main process's last exit; null while it has not exited (ExecMainCode 0). */
  lastExit: ExitInfo | null;
  /** ms since the epoch. */
  startedAt: number | null;
  exitedAt: number | null;
  /** "success", "exit-code", "signal", "core-dump", "timeout", "start-limit-hit"… */
  result: string | null;
  fragmentPath: string | null;
  restarts: number | null;
  unitFileState: string | null;
}

export type SystemdUnitRead =
  | { loaded: true; unit: SystemdUnitInfo }
  | { loaded: false; why: 'not-found'; message: string };

export const SYSTEMCTL_TIMEOUT_MS = 3_000;

/**
 * `--timestamp=unix` (systemd 248+) makes timestamps `@<seconds>`; the default form names
 * the zone by abbreviation ("CST"), which cannot be read back unambiguously. `--` keeps a
 * unit name that starts with '-' from being read as an option.
 */
export function systemctlShowArgv(unit: string, scope: SystemdScope): string[] {
  return [
    'systemctl',
    ...(scope === 'user' ? ['--user'] : []),
    'show',
    `--property=${SYSTEMD_PROPERTIES.join(',')}`,
    '--timestamp=unix',
    '--no-pager',
    '--',
    unit,
  ];
}

// waitid(2) si_code values systemd reports as ExecMainCode.
const CLD_EXITED = 1;
const CLD_KILLED = 2;
const CLD_DUMPED = 3;

function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * `@1715306401` (unix form) or "Sun 2026-05-10 04:00:01 UTC" (default form, only when the
 * zone is UTC/GMT or a numeric offset). Empty, "n/a" or an unreadable zone → null.
 */
export function parseSystemdTimestamp(text: string | undefined): number | null {
  const value = (text ?? '').trim();
  const unix = /^@(\d+)(?:\.(\d+))?$/.exec(value);
  if (unix?.[1]) {
    const seconds = Number(unix[1]);
    return seconds === 0 ? null : seconds * 1000 + (unix[2] ? Math.floor(Number(`0.${unix[2]}`) * 1000) : 0);
  }
  const human = /^(?:\w{3} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)? (UTC|GMT|[+-]\d{2}(?::?\d{2})?)$/.exec(value);
  if (!human) return null;
  const zone = human[3] === 'UTC' || human[3] === 'GMT' ? 'Z' : normalizeOffset(human[3] as string);
  const ms = Date.parse(`${human[1]}T${human[2]}${zone}`);
  return Number.isFinite(ms) ? ms : null;
}

function normalizeOffset(offset: string): string {
  const digits = offset.replace(':', '');
  return digits.length === 3 ? `${digits}:00` : `${digits.slice(0, 3)}:${digits.slice(3)}`;
}

function lastExitOf(codeText: string | undefined, statusText: string | undefined): ExitInfo | null {
  const code = wholeNumber(codeText);
  const status = wholeNumber(statusText);
  if (code === null || status === null) return null;
  if (code === CLD_EXITED) return explainExit(status, null, { source: 'systemd' });
  if (code === CLD_KILLED || code === CLD_DUMPED) {
    const info = explainExit(null, status, { source: 'systemd' });
    return code === CLD_DUMPED ? { ...info, text: `${info.text} (core dumped)` } : info;
  }
  return null;
}

/**
 * `systemctl show` output: `Key=Value` lines, in systemd's order, not the order asked.
 * Throws when no ActiveState or LoadState line is present (not systemctl show output).
 */
export function parseSystemctlShow(text: string): SystemdUnitInfo {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!props.has(key)) props.set(key, line.slice(eq + 1).replace(/\r$/, ''));
  }
  const loadState = props.get('LoadState');
  const activeState = props.get('ActiveState');
  if (!loadState || !activeState) {
    const first = text.trim().split('\n')[0]?.slice(0, 80) ?? '';
    throw new Error(`not systemctl show output: no LoadState/ActiveState lines (got ${JSON.stringify(first)})`);
  }
  const nonEmpty = (key: string): string | null => {
    const v = props.get(key);
    return v === undefined || v === '' ? null : v;
  };
  const mainPid = wholeNumber(props.get('MainPID'));
  return {
    id: nonEmpty('Id'),
    loadState,
    activeState,
    subState: props.get('SubState') ?? '',
    mainPid: mainPid === 0 ? null : mainPid,
    lastExit: lastExitOf(props.get('ExecMainCode'), props.get('ExecMainStatus')),
    startedAt: parseSystemdTimestamp(props.get('ExecMainStartTimestamp')),
    exitedAt: parseSystemdTimestamp(props.get('ExecMainExitTimestamp')),
    result: nonEmpty('Result'),
    fragmentPath: nonEmpty('FragmentPath'),
    restarts: wholeNumber(props.get('NRestarts')),
    unitFileState: nonEmpty('UnitFileState'),
  };
}

/** commandProblem names the first three argv words; say which unit was asked instead of the property list. */
function renamed(problem: string, argv: string[], asked: string[]): string {
  const prefix = `${describeArgv(argv.slice(0, 3))}: `;
  return problem.startsWith(prefix) ? `${describeArgv(asked)}: ${problem.slice(prefix.length)}` : problem;
}

/**
 * One unit's state. systemctl answers exit 0 with LoadState=not-found for a unit it does not
 * know; a host without a running systemd (containers, WSL without it) fails with the reason
 * on stderr ("System has not been booted with systemd…", "Failed to connect to bus…").
 */
export async function readSystemdUnit(facts: Facts, unit: string, scope: SystemdScope): Promise<Part<SystemdUnitRead>> {
  const argv = systemctlShowArgv(unit, scope);
  const result = await facts.run(argv, { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
  const asked = ['systemctl', ...(scope === 'user' ? ['--user'] : []), 'show', unit];
  const problem = commandProblem(result);
  if (problem) return { ok: false, reason: renamed(problem, argv, asked) };
  let info: SystemdUnitInfo;
  try {
    info = parseSystemctlShow(result.stdout);
  } catch (error) {
    return { ok: false, reason: `${describeArgv(asked)}: ${errorText(error)}` };
  }
  if (info.loadState === 'not-found') {
    const where = scope === 'user' ? 'the user manager' : 'the system manager';
    return { ok: true, value: { loaded: false, why: 'not-found', message: `unit ${info.id ?? unit} not found in ${where}` } };
  }
  return { ok: true, value: { loaded: true, unit: info } };
}
