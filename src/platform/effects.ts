import { spawn } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { commandNotRun, type CommandResult, type HttpRequest, type HttpResult, type RunOptions } from './facts.js';
import { httpRequest } from './http.js';
import { runCommand } from './runner.js';
import { errorText } from '../common/result.js';

/**
 * Everything that changes the world goes through an Effects object, kept apart from Facts so
 * a replay of a capture can read all it likes and still never act.
 */

export type EffectResult = { ok: true } | { ok: false; reason: string };

export type SpawnResult = { pid: number } | { reason: string };

export interface SpawnOptions {
  cwd?: string;
  /** stdout and stderr are appended here; without it they go nowhere. */
  logPath?: string;
}

export interface Effects {
  readonly mode: 'live' | 'replay';
  signal(pid: number, signal: NodeJS.Signals): Promise<EffectResult>;
  /** Starts argv (never a shell) detached in its own process group, so it outlives Warden. */
  spawnDetached(argv: readonly string[], options?: SpawnOptions): Promise<SpawnResult>;
  /** Copies src to dst; refuses to overwrite an existing dst. */
  copyFile(src: string, dst: string): Promise<EffectResult>;
  /** A command that changes state (launchctl bootstrap, systemctl restart): same runner, same deadline. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** A request that changes state (a model unload): same client and deadline as the probes. */
  http(request: HttpRequest): Promise<HttpResult>;
}

export const REPLAY_REFUSAL = 'this is a replay of a capture; nothing can be changed';

export class LiveEffects implements Effects {
  readonly mode = 'live' as const;

  async signal(pid: number, signal: NodeJS.Signals): Promise<EffectResult> {
    if (!Number.isInteger(pid) || pid <= 1) return { ok: false, reason: `refusing to signal PID ${pid}` };
    try {
      process.kill(pid, signal);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: errnoText(error) };
    }
  }

  async spawnDetached(argv: readonly string[], options: SpawnOptions = {}): Promise<SpawnResult> {
    const [file, ...args] = argv;
    if (!file) return { reason: 'empty command' };
    let log: fs.FileHandle | undefined;
    try {
      if (options.logPath) log = await fs.open(options.logPath, 'a');
      const out = log ? log.fd : 'ignore';
      const child = spawn(file, args, {
        cwd: options.cwd,
        detached: true,
        stdio: ['ignore', out, out],
        env: process.env,
        windowsHide: true,
      });
      const outcome = await new Promise<SpawnResult>((resolve) => {
        child.once('spawn', () => resolve({ pid: child.pid as number }));
        child.once('error', (error) => resolve({ reason: errnoText(error) }));
      });
      child.unref();
      return outcome;
    } catch (error) {
      return { reason: errnoText(error) };
    } finally {
      // The child holds its own copy of the descriptor; ours can go.
      await log?.close();
    }
  }

  async copyFile(src: string, dst: string): Promise<EffectResult> {
    try {
      await fs.copyFile(src, dst, fsConstants.COPYFILE_EXCL);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: errnoText(error) };
    }
  }

  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return runCommand(argv, options);
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return httpRequest(request);
  }
}

export class ReplayEffects implements Effects {
  readonly mode = 'replay' as const;

  async signal(): Promise<EffectResult> {
    return { ok: false, reason: REPLAY_REFUSAL };
  }

  async spawnDetached(): Promise<SpawnResult> {
    return { reason: REPLAY_REFUSAL };
  }

  async copyFile(): Promise<EffectResult> {
    return { ok: false, reason: REPLAY_REFUSAL };
  }

  async run(argv: readonly string[]): Promise<CommandResult> {
    return commandNotRun(argv, REPLAY_REFUSAL);
  }

  async http(request: HttpRequest): Promise<HttpResult> {
    const method = request.method ?? 'GET';
    return { url: request.url, method, status: null, latencyMs: 0, timedOut: false, error: REPLAY_REFUSAL, headers: {}, body: '', bodyTruncated: false };
  }
}

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ESRCH':
      return 'ESRCH: no such process';
    case 'EPERM':
      return 'EPERM: not permitted';
    case 'EEXIST':
      return 'EEXIST: the destination already exists';
    case 'ENOENT':
      return 'ENOENT: no such file or directory';
    case 'EACCES':
      return 'EACCES: permission denied';
    default:
      return errorText(error);
  }
}
