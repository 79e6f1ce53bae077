import { execa } from 'execa';
import { commandNotRun, type CommandResult, type RunOptions } from './facts.js';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** After SIGTERM, how long a command gets before SIGKILL. */
export const KILL_GRACE_MS = 1_000;
/** After SIGKILL, how long we wait for the streams to close before giving up on them. */
const ABANDON_AFTER_MS = 500;

/**
 * Numbers, dates and messages in the C locale (so `%cpu` prints "12.5", never "12,5"), but
 * characters in UTF-8: under a plain LC_ALL=C, procps prints every byte of a non-ASCII process
 * name as "?". The user's LANG and LC_* are dropped so none of them can override this.
 */
const COMMAND_ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (key !== 'LANG' && !key.startsWith('LC_')) env[key] = value;
  env.LANG = 'C';
  env.LC_CTYPE = process.platform === 'darwin' ? 'UTF-8' : 'C.UTF-8';
  return env;
})();

/**
 * Runs one command from an argv array (never a shell), in the C locale, a deadline, an output
 * cap, and a hard stop: even a command whose grandchildren keep its pipes open resolves by
 * deadline + grace + 0.5 s, so a hung command never stalls the loop.
 */
export async function runCommand(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const started = performance.now();
  const [file, ...args] = argv;
  if (!file) {
    return commandNotRun(argv, 'empty command');
  }
  let child: ReturnType<typeof execa>;
  try {
    child = spawnCommand(file, args, timeoutMs, maxBytes);
  } catch (error) {
    return commandNotRun(argv, spawnErrorText(error), performance.now() - started);
  }
  let abandonTimer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    abandonTimer = setTimeout(() => resolve('abandoned'), timeoutMs + KILL_GRACE_MS + ABANDON_AFTER_MS);
  });
  try {
    const outcome = await Promise.race([child.catch((error: unknown) => ({ thrown: error }) as const), abandoned]);
    if (outcome === 'abandoned') {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      return {
        argv: [...argv],
        exitCode: null,
        signal: 'SIGKILL',
        stdout: '',
        stderr: '',
        durationMs: performance.now() - started,
        timedOut: true,
        truncated: false,
        error: null,
      };
    }
    // reject: false makes execa resolve on every failure it knows; anything else is still a result.
    if ('thrown' in outcome) return commandNotRun(argv, spawnErrorText(outcome.thrown), performance.now() - started);
    const r = outcome;
    const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !r.isMaxBuffer && !r.signal ? r.cause : undefined;
    return {
      argv: [...argv],
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      durationMs: performance.now() - started,
      timedOut: Boolean(r.timedOut),
      truncated: Boolean(r.isMaxBuffer),
      error: spawnError ? spawnErrorText(spawnError) : null,
    };
  } finally {
    clearTimeout(abandonTimer);
  }
}

/**
 * execa, with its one leak closed: when the process is out of file descriptors, Node's spawn
 * returns before it made the child's stdio, execa throws a TypeError reading it, and the
 * ChildProcess it can no longer reach emits EMFILE on the next tick with no listener, which
 * would end Warden. That one expected error is caught when it comes; the command's result says EMFILE.
 */
function spawnCommand(file: string, args: string[], timeoutMs: number, maxBytes: number): ReturnType<typeof execa> {
  try {
    return execa(file, args, {
      env: COMMAND_ENV,
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      timeout: timeoutMs,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: KILL_GRACE_MS,
      maxBuffer: maxBytes,
      stripFinalNewline: false,
      encoding: 'utf8',
      cleanup: true,
      windowsHide: true,
    });
  } catch (error) {
    if (isStdioLeak(error)) expectLeakedSpawnError(file);
    throw isStdioLeak(error) ? Object.assign(new Error(`spawn ${file}: out of file descriptors`), { code: 'EMFILE' }) : error;
  }
}

/** execa's TypeError when Node's spawn returned before making the child's stdio (EMFILE, ENFILE). */
function isStdioLeak(error: unknown): boolean {
  return error instanceof TypeError && /stdio is not iterable/.test(error.message);
}

/** "spawn FILE" → how many of those leaked errors are still to come (each arrives on the next tick). */
const leakedSpawns = new Map<string, number>();

function expectLeakedSpawnError(file: string): void {
  const key = `spawn ${file}`;
  if (leakedSpawns.size === 0) process.on('uncaughtException', onLeakedSpawnError);
  leakedSpawns.set(key, (leakedSpawns.get(key) ?? 0) + 1);
}

function onLeakedSpawnError(error: Error): void {
  const e = error as NodeJS.ErrnoException;
  const key = e.syscall ?? '';
  const waiting = leakedSpawns.get(key);
  if ((e.code === 'EMFILE' || e.code === 'ENFILE') && waiting) {
    if (waiting > 1) leakedSpawns.set(key, waiting - 1);
    else leakedSpawns.delete(key);
    if (leakedSpawns.size === 0) process.off('uncaughtException', onLeakedSpawnError);
    return;
  }
  // Not ours: with this listener out of the way, uncaught again, so Node ends the process as it
  // would have (unless the host has its own listeners, which have just seen it).
  leakedSpawns.clear();
  process.off('uncaughtException', onLeakedSpawnError);
  if (process.listenerCount('uncaughtException') === 0) {
    process.nextTick(() => {
      throw error;
    });
  }
}

function spawnErrorText(cause: unknown): string {
  const code = (cause as { code?: string } | undefined)?.code;
  if (code === 'ENOENT') return 'ENOENT: no such command on this system';
  if (code === 'EACCES') return 'EACCES: not executable';
  if (code === 'EMFILE' || code === 'ENFILE') return `${code}: Warden is out of file descriptors; not run`;
  if (code === 'EAGAIN') return 'EAGAIN: no process could be started (process limit?); not run';
  return cause instanceof Error ? cause.message : String(cause);
}
