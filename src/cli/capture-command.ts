import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { plural } from '../common/format.js';
import { errorText } from '../common/result.js';
import { WARDEN_VERSION } from '../common/version.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { redactCapture } from '../platform/capture-redact.js';
import type { CaptureCadence } from '../platform/capture.js';
import { bundleFrom, createRecordingEngine } from '../engine/create.js';
import { terminalLine } from './terminal.js';
import { InputError, UsageError } from './errors.js';
import type { CliValues } from './options.js';
import { loadConfig, out } from './command-inputs.js';

/** `warden capture -o FILE`: samples recorded into a replayable file only its owner can read. */

export async function runCapture(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`capture takes no arguments (got "${rest[0]}")`);
  if (!values.output) throw new UsageError('capture needs -o FILE');
  const samples = values.samples ?? 3;
  const interval = values.interval ?? 5;
  // Refused before minutes of sampling, not after.
  await refuseNonRegular(path.resolve(values.output));
  const { loaded } = await loadConfig(values);
  const { engine, recording } = createRecordingEngine(loaded, interval);
  const probes: CaptureCadence['probes'] = {};
  for (let i = 0; i < samples; i++) {
    const started = Date.now();
    await engine.tick();
    // A service discovered part way through keeps the intervals it was probed at.
    Object.assign(probes, engine.cadence().probes);
    process.stderr.write(`warden: sample ${i + 1} of ${samples} recorded\n`);
    if (i < samples - 1) await new Promise((r) => setTimeout(r, Math.max(0, interval * 1000 - (Date.now() - started))));
  }
  await engine.identitySettled();
  await engine.stop();
  const cadence: CaptureCadence = { intervalSeconds: engine.cadence().intervalSeconds, probes };
  const recorded = bundleFrom(recording, loaded.input, cadence, WARDEN_VERSION, `warden capture, ${samples} samples every ${interval} s`, engine.hostIdentity());
  const keep = values.includeSecrets === true;
  const { bundle, secrets } = keep ? { bundle: recorded, secrets: 0 } : redactCapture(recorded);
  const target = path.resolve(values.output);
  await writeOwnerOnly(target, `${JSON.stringify(bundle)}\n`);
  const count = (what: 'commands' | 'http' | 'files') => bundle.samples.reduce((n, s) => n + s[what].length, 0);
  const held = `${plural(samples, 'sample')}: ${plural(count('commands'), 'command')}, ${plural(count('http'), 'HTTP request')}, ${plural(count('files'), 'file read')}`;
  const secretNote = keep
    ? 'secrets kept (--include-secrets): share it with no one you would not give them to'
    : `${plural(secrets, 'secret')} redacted (URL credentials, tokens, canary bodies; --include-secrets keeps them)`;
  out(`wrote ${terminalLine(target)} (readable by you only, 0600): ${held}; ${secretNote}.\nReplay anywhere: warden status --replay ${terminalLine(target)}\n`);
  return 0;
}

async function refuseNonRegular(target: string): Promise<void> {
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) throw new InputError(`${terminalLine(target)} is not a regular file; choose another -o FILE`);
}

/**
 * Writes a file only its owner can read: a fresh 0600 file renamed over the target (a mode
 * given to writeFile applies only when it creates the file). A target that is not a regular
 * file (a FIFO, a device, a folder) is refused rather than written through.
 */
async function writeOwnerOnly(target: string, text: string): Promise<void> {
  await refuseNonRegular(target);
  try {
    await writeFileAtomic(target, text, { mode: 0o600 });
  } catch (error) {
    throw new InputError(`cannot write ${terminalLine(target)}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
  }
}
