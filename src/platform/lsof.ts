import type { Part } from '../common/result.js';
import type { CommandResult, Facts } from './facts.js';
import { commandProblem, describeArgv } from './facts.js';

export interface LsofFile {
  /** "3", "cwd", "txt"…; "" when lsof printed no `f` field (Linux lsof only prints it when asked). */
  fd: string;
  name: string;
}

export interface LsofProcess {
  pid: number;
  command: string;
  files: LsofFile[];
}

export interface LsofOpener {
  pid: number;
  command: string;
  /** Descriptor numbers or names the process holds the file by. */
  fds: string[];
}

export interface TcpListener {
  pid: number;
  command: string;
}

/** lsof walks every process's descriptors; on a busy Mac that takes a while. */
export const LSOF_TIMEOUT_MS = 5_000;

export function lsofPortListenersArgv(port: number): string[] {
  return ['lsof', '-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpcn'];
}

/**
 * Every TCP listener on the host. lsof walks every process's descriptors whatever -i selects,
 * so this costs what one port's lookup does: one run answers for all of them.
 */
export function lsofTcpListenersArgv(): string[] {
  return ['lsof', '-nP', '-iTCP', '-sTCP:LISTEN', '-Fpcn'];
}

/** `f` is asked for explicitly: macOS lsof always prints it, Linux lsof only when selected. */
export function lsofFileOpenersArgv(path: string): string[] {
  return ['lsof', '-Fpcfn', '--', path];
}

/**
 * lsof prints non-printable bytes as \xNN (a space in a name becomes \x20) and a few controls
 * as \t \n \r \b \f. Bytes are gathered first so escaped UTF-8 sequences decode as one char.
 */
export function decodeLsofText(text: string): string {
  if (!text.includes('\\')) return text;
  const bytes: number[] = [];
  const controls: Record<string, number> = { t: 9, n: 10, r: 13, b: 8, f: 12 };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\') {
      const hex = /^x([0-9a-fA-F]{2})/.exec(text.slice(i + 1, i + 4));
      if (hex?.[1]) {
        bytes.push(parseInt(hex[1], 16));
        i += 3;
        continue;
      }
      const control = controls[text[i + 1] ?? ''];
      if (control !== undefined) {
        bytes.push(control);
        i += 1;
        continue;
      }
    }
    bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * `lsof -F pcn` (and `-F pcfn`) output: one field per line, its first character naming it.
 * `p` starts a process, `f` starts a file, `n` names it; an `n` with no `f` before it starts a
 * file of its own. Other fields are ignored, as are lines before the first `p`.
 */
export function parseLsofFields(text: string): LsofProcess[] {
  const processes: LsofProcess[] = [];
  let current: LsofProcess | null = null;
  let file: LsofFile | null = null;
  for (const line of text.split('\n')) {
    const id = line[0];
    const value = line.slice(1).replace(/\r$/, '');
    if (id === 'p') {
      current = /^\d+$/.test(value) ? { pid: Number(value), command: '', files: [] } : null;
      if (current) processes.push(current);
      file = null;
    } else if (!current) {
      continue;
    } else if (id === 'c') {
      current.command = decodeLsofText(value);
    } else if (id === 'f') {
      file = { fd: value, name: '' };
      current.files.push(file);
    } else if (id === 'n') {
      const name = decodeLsofText(value);
      if (file && file.name === '') {
        file.name = name;
      } else {
        current.files.push({ fd: '', name });
      }
      file = null;
    }
  }
  return processes;
}

const WARNING = /^lsof: WARNING:/;

/**
 * lsof exits 1 both when nothing matched (no output) and on real errors (a message on stderr);
 * warnings (e.g. a FUSE mount it cannot stat) come with either exit code and do not matter.
 */
function lsofOutput(result: CommandResult, asked: string[]): Part<LsofProcess[]> {
  // Reasons name what was asked ("lsof <path>"), not lsof's option letters.
  const problem = (r: CommandResult): string => {
    const text = commandProblem(r) ?? 'failed';
    const prefix = `${describeArgv(r.argv.slice(0, 3))}: `;
    return `${describeArgv(asked)}: ${text.startsWith(prefix) ? text.slice(prefix.length) : text}`;
  };
  if (result.error || result.timedOut || result.truncated) return { ok: false, reason: problem(result) };
  const errors = result.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !WARNING.test(l));
  if (result.exitCode === 0 || (result.exitCode === 1 && result.stdout.trim() !== '')) {
    const processes = parseLsofFields(result.stdout);
    if (result.stdout.trim() !== '' && processes.length === 0) {
      return { ok: false, reason: `${describeArgv(asked)}: no p<pid> lines in the output` };
    }
    return { ok: true, value: processes };
  }
  if (result.exitCode === 1 && errors.length === 0) return { ok: true, value: [] };
  return { ok: false, reason: problem({ ...result, stderr: errors.join('\n') }) };
}

/**
 * Processes listening on one TCP port, on any address, read afresh: what an action waits on
 * after a signal. The monitor reads every port at once (readTcpListeners).
 */
export async function readPortListeners(facts: Facts, port: number): Promise<Part<TcpListener[]>> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${port} is not a TCP port (1–65535)` };
  const result = await facts.run(lsofPortListenersArgv(port), { timeoutMs: LSOF_TIMEOUT_MS });
  const part = lsofOutput(result, ['lsof', `-iTCP:${port}`, '-sTCP:LISTEN']);
  if (!part.ok) return part;
  return { ok: true, value: part.value.map((p) => ({ pid: p.pid, command: p.command })) };
}

/**
 * The port of a listening socket's name as `lsof -nP` prints it: `*:11434`, `127.0.0.1:8080`,
 * `[::1]:1234`, `[fe80::1%lo0]:5000`. Null for anything else, a connection (`a->b`) included.
 * A ` (LISTEN)` after the name (column output) is allowed for.
 */
export function listenerPort(name: string): number | null {
  const match = /^(?:\*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Za-z:.%]+\]):(\d{1,5})(?: \(LISTEN\))?$/.exec(name);
  const port = Number(match?.[1]);
  return match && port >= 1 && port <= 65535 ? port : null;
}

/**
 * Listeners by port, in lsof's order. A process listening on both IPv4 and IPv6 (or on two
 * addresses) is named once per port.
 */
export function listenersByPort(processes: readonly LsofProcess[]): Map<number, TcpListener[]> {
  const byPort = new Map<number, TcpListener[]>();
  for (const proc of processes) {
    for (const file of proc.files) {
      const port = listenerPort(file.name);
      if (port === null) continue;
      const listeners = byPort.get(port) ?? [];
      if (!listeners.some((l) => l.pid === proc.pid)) listeners.push({ pid: proc.pid, command: proc.command });
      byPort.set(port, listeners);
    }
  }
  return byPort;
}

/** `lsof -nP -iTCP -sTCP:LISTEN -Fpcn` output as listeners by port. */
export function parseTcpListeners(text: string): Map<number, TcpListener[]> {
  return listenersByPort(parseLsofFields(text));
}

/**
 * Every process listening on TCP, by port, in one lsof run. On Linux an unprivileged lsof
 * sees only the caller's own processes; on macOS it sees every process's sockets.
 */
export async function readTcpListeners(facts: Facts): Promise<Part<Map<number, TcpListener[]>>> {
  const asked = ['lsof', '-iTCP', '-sTCP:LISTEN'];
  const result = await facts.run(lsofTcpListenersArgv(), { timeoutMs: LSOF_TIMEOUT_MS });
  const part = lsofOutput(result, asked);
  if (!part.ok) return part;
  const byPort = listenersByPort(part.value);
  // Names there were, but none read as an address and port: not "nobody listens".
  const named = part.value.some((p) => p.files.some((f) => f.name !== ''));
  if (named && byPort.size === 0) return { ok: false, reason: `${describeArgv(asked)}: no <address>:<port> names in the output` };
  return { ok: true, value: byPort };
}

/** Processes that have the file open, with the descriptors they hold it by. */
export async function readFileOpeners(facts: Facts, path: string): Promise<Part<LsofOpener[]>> {
  const result = await facts.run(lsofFileOpenersArgv(path), { timeoutMs: LSOF_TIMEOUT_MS });
  const part = lsofOutput(result, ['lsof', path]);
  if (!part.ok) return part;
  return { ok: true, value: part.value.map((p) => ({ pid: p.pid, command: p.command, fds: p.files.map((f) => f.fd).filter((fd) => fd !== '') })) };
}
