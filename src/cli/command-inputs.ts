import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { State } from '../common/state.js';
import type { Notification } from '../common/findings.js';
import { readFileBounded } from '../platform/read-file.js';
import { CaptureError, parseCapture, type CaptureBundle } from '../platform/capture.js';
import { ConfigError, loadConfigFile, type LoadedConfig } from '../engine/config.js';
import { configPath as defaultConfigPath } from '../engine/paths.js';
import { createEngine, createReplayEngine } from '../engine/create.js';
import { terminalLine } from './terminal.js';
import { terminalColumns, type Fit } from './table.js';
import { InputError } from './errors.js';
import type { CliValues } from './options.js';

/** What the commands read before they run: the config, a capture, a replay's or a live host's State; and where they write. */

/** Far above any real capture, under the longest string V8 makes (512 MiB). */
const MAX_CAPTURE_BYTES = 256 * 1024 * 1024;

export function out(text: string): void {
  process.stdout.write(text);
}

export function fitOf(values: CliValues): Fit {
  return { columns: terminalColumns(), wide: values.wide === true };
}

export async function loadConfig(values: CliValues): Promise<{ loaded: LoadedConfig; file: string }> {
  const file = values.config ? path.resolve(values.config) : defaultConfigPath();
  // No file at the default place is a valid config; a file named on the command line must be there.
  if (values.config) {
    // What else is wrong with it (a folder, a FIFO, no permission) the config reader names.
    const missing = await stat(file).then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ENOENT' || error.code === 'ENOTDIR');
    if (missing) throw new InputError(`--config ${terminalLine(file)}: no such file`);
  }
  try {
    return { loaded: await loadConfigFile(file, os.homedir()), file };
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new InputError(`config ${error.source} is invalid:\n${error.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    }
    throw error;
  }
}

export async function readCapture(file: string) {
  const read = await readFileBounded(file, { maxBytes: MAX_CAPTURE_BYTES, refuseOver: MAX_CAPTURE_BYTES, timeoutMs: 30_000 });
  if (read.content === null) throw new InputError(`cannot read capture ${file}: ${read.code === 'ENOENT' ? 'ENOENT' : (read.error ?? 'unknown error')}`);
  try {
    return parseCapture(read.content, file);
  } catch (error) {
    if (error instanceof CaptureError) throw new InputError(error.message);
    throw error;
  }
}

/** The replay session of `--replay FILE`, with `--config` over the capture's own config. */
export async function openReplay(values: CliValues): Promise<{ bundle: CaptureBundle; session: ReturnType<typeof createReplayEngine> }> {
  const bundle = await readCapture(values.replay as string);
  const override = values.config ? (await loadConfig(values)).loaded : undefined;
  try {
    return { bundle, session: createReplayEngine(bundle, override) };
  } catch (error) {
    if (error instanceof CaptureError) throw new InputError(error.message);
    throw error;
  }
}

export async function replayState(values: CliValues, onNotification?: (n: Notification) => void): Promise<State> {
  const { session } = await openReplay(values);
  if (onNotification) session.engine.onNotification(onNotification);
  return session.runAll();
}

/** How far apart `status` takes its two samples: rates and CPU need a pair. */
export const RATE_PAIR_MS = 1_000;

/** Two samples RATE_PAIR_MS apart. Nothing is written to disk. */
export async function liveState(values: CliValues): Promise<State> {
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, dataDir: null });
  await engine.tick();
  await new Promise((r) => setTimeout(r, RATE_PAIR_MS));
  const state = await engine.tick();
  await engine.stop();
  return state;
}
