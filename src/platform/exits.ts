import type { ExitInfo } from '../common/services.js';

/**
 * Who reported the exit. It decides the signal numbering (darwin and Linux differ above 6)
 * and which conventions apply: launchctl turns errno values into exit codes, systemd has its
 * own 200+ codes for failures before the program ran.
 */
export type ExitSource = 'launchd' | 'systemd' | 'process';

export interface ExplainExitOptions {
  neverExited?: boolean;
  /** Omitted: read as launchd, since launchd jobs are what Warden explains most. */
  source?: ExitSource;
}

// Numbers that mean the same signal on darwin and Linux.
const COMMON_SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

const DARWIN_SIGNALS: Record<number, string> = {
  ...COMMON_SIGNALS,
  7: 'SIGEMT',
  10: 'SIGBUS',
  12: 'SIGSYS',
  16: 'SIGURG',
  17: 'SIGSTOP',
  18: 'SIGTSTP',
  19: 'SIGCONT',
  20: 'SIGCHLD',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGIO',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGINFO',
  30: 'SIGUSR1',
  31: 'SIGUSR2',
};

const LINUX_SIGNALS: Record<number, string> = {
  ...COMMON_SIGNALS,
  7: 'SIGBUS',
  10: 'SIGUSR1',
  12: 'SIGUSR2',
  16: 'SIGSTKFLT',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  21: 'SIGTTIN',
  22: 'SIGTTOU',
  23: 'SIGURG',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
  26: 'SIGVTALRM',
  27: 'SIGPROF',
  28: 'SIGWINCH',
  29: 'SIGIO',
  30: 'SIGPWR',
  31: 'SIGSYS',
};

const SIGNAL_MEANING: Record<string, string> = {
  SIGHUP: 'hangup',
  SIGINT: 'interrupted',
  SIGQUIT: 'quit',
  SIGILL: 'crashed: illegal instruction',
  SIGTRAP: 'crashed: trace/breakpoint trap',
  SIGABRT: 'aborted itself (assertion or fatal error)',
  SIGFPE: 'crashed: arithmetic error',
  SIGKILL: 'force-killed (kill -9, or the system killing it for memory)',
  SIGBUS: 'crashed: bus error',
  SIGSEGV: 'crashed: invalid memory access',
  SIGPIPE: 'wrote to a closed pipe',
  SIGTERM: 'asked to stop',
};

// <sysexits.h>, the codes daemons and launchd itself use.
const SYSEXITS: Record<number, string> = {
  64: 'EX_USAGE: command line usage error',
  65: 'EX_DATAERR: data format error',
  66: 'EX_NOINPUT: cannot open input',
  67: 'EX_NOUSER: addressee unknown',
  68: 'EX_NOHOST: host name unknown',
  69: 'EX_UNAVAILABLE: service unavailable',
  70: 'EX_SOFTWARE: internal software error',
  71: 'EX_OSERR: system error',
  72: 'EX_OSFILE: critical OS file missing',
  73: 'EX_CANTCREAT: cannot create output file',
  74: 'EX_IOERR: input/output error',
  75: 'EX_TEMPFAIL: temporary failure, retry later',
  76: 'EX_PROTOCOL: remote error in protocol',
  77: 'EX_NOPERM: permission denied',
  78: 'EX_CONFIG: configuration error',
};

// launchctl exits with the errno (or its own error number) it printed, e.g.
// "Bootstrap failed: 5: Input/output error" exits 5; a job script that runs launchctl under
// `set -e` passes that code on to launchd's "last exit code".
const LAUNCHCTL_CODES: Record<number, string> = {
  3: 'ESRCH: No such process; from launchctl: the job was not loaded',
  5: 'EIO: Input/output error; from launchctl: e.g. bootstrap could not load the plist (missing, invalid or already loaded)',
  36: 'EINPROGRESS: Operation now in progress; from launchctl: the job is still stopping',
  37: 'EALREADY: Operation already in progress; from launchctl: the job is already starting',
  112: 'launchctl: no such domain (no GUI session for this user, e.g. an SSH login)',
  113: 'launchctl: no such service (the job is not loaded)',
};

// systemd's own codes for a unit that failed before its program ran (systemd.exec(5)).
const SYSTEMD_CODES: Record<number, string> = {
  200: 'CHDIR: systemd could not change to WorkingDirectory=',
  203: 'EXEC: systemd could not execute the program (path or permissions)',
  209: 'STDOUT: systemd could not set up standard output',
  217: 'USER: systemd could not find or switch to User=',
};

function signalTable(source: ExitSource | undefined): Record<number, string> {
  if (source === 'systemd') return LINUX_SIGNALS;
  if (source === 'process') return COMMON_SIGNALS;
  return DARWIN_SIGNALS;
}

function signalNumberOf(name: string, source: ExitSource | undefined): number | null {
  for (const [n, known] of Object.entries(signalTable(source))) {
    if (known === name) return Number(n);
  }
  return null;
}

/** `9`, `"9"`, `"SIGKILL"`, `"KILL"` → name and number (either may be unknown). */
function normalizeSignal(signal: string | number, source: ExitSource | undefined): { name: string | null; number: number | null } {
  const table = signalTable(source);
  const asText = String(signal).trim();
  if (/^\d+$/.test(asText)) {
    const n = Number(asText);
    return { name: table[n] ?? null, number: n };
  }
  const upper = asText.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return { name, number: signalNumberOf(name, source) };
}

function signalText(name: string | null, n: number | null): string {
  const label = name && n !== null ? `${name} (${n})` : name ?? `signal ${n}`;
  const meaning = name ? SIGNAL_MEANING[name] : undefined;
  return `killed by ${label}${meaning ? `: ${meaning}` : ''}`;
}

function codeMeaning(code: number, source: ExitSource | undefined): string | null {
  if (code === 0) return 'success';
  if (code === 1) return 'general failure';
  if (code === 2) return 'misuse: bad arguments';
  const sysexit = SYSEXITS[code];
  if (sysexit) {
    if (code === 78 && source === 'launchd') return `${sysexit}; from launchd: the job could not be spawned (check the program path and the plist)`;
    return sysexit;
  }
  if (code === 126) return 'found but not executable';
  if (code === 127) return 'command not found';
  if ((source === 'launchd' || source === undefined) && LAUNCHCTL_CODES[code]) return LAUNCHCTL_CODES[code] ?? null;
  if (source === 'systemd' && SYSTEMD_CODES[code]) return SYSTEMD_CODES[code] ?? null;
  if (code > 128 && code <= 128 + 64) {
    const n = code - 128;
    const name = signalTable(source)[n];
    return `128+${n}: a shell reporting its child ${name ? `killed by ${name}` : `killed by signal ${n}`}`;
  }
  if (code === 255) return 'exit -1 or out of range';
  return null;
}

/**
 * One exit, explained for an operator. A signal wins over a code (the process never chose
 * its code). A negative code is `launchctl list`'s way of writing "killed by that signal".
 */
export function explainExit(code: number | null, signal: string | number | null, opts: ExplainExitOptions = {}): ExitInfo {
  const source = opts.source;
  if (opts.neverExited) {
    return { code: null, signal: null, neverExited: true, text: 'never exited' };
  }
  if (signal !== null && signal !== '') {
    const s = normalizeSignal(signal, source);
    return { code: null, signal: s.name ?? (s.number !== null ? String(s.number) : null), neverExited: false, text: signalText(s.name, s.number) };
  }
  if (code === null || !Number.isInteger(code)) {
    return { code: null, signal: null, neverExited: false, text: 'exit status unknown' };
  }
  if (code < 0) {
    return explainExit(null, -code, { source });
  }
  const meaning = codeMeaning(code, source);
  return { code, signal: null, neverExited: false, text: meaning ? `exit ${code} (${meaning})` : `exit ${code}` };
}

/**
 * The value of launchd's `last exit code` or `last terminating signal` line:
 * "0", "78: EX_CONFIG", "(never exited)", "Terminated: 15", "Killed: 9".
 * Null when the text is none of those shapes.
 */
export function parseLaunchdExitText(text: string): ExitInfo | null {
  const value = text.trim();
  if (value === '(never exited)') return explainExit(null, null, { neverExited: true, source: 'launchd' });
  const code = /^(-?\d+)(?::\s*\S.*)?$/.exec(value);
  if (code) return explainExit(Number(code[1]), null, { source: 'launchd' });
  // strsignal(3) text, then the number: "Terminated: 15", "Segmentation fault: 11".
  const signal = /^[A-Za-z][A-Za-z /-]*:\s*(\d+)$/.exec(value);
  if (signal) return explainExit(null, Number(signal[1]), { source: 'launchd' });
  return null;
}
