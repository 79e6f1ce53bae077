import { lstat, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import type { State } from '../common/state.js';
import type { Notification } from '../common/findings.js';
import type { ActionOffer } from '../common/services.js';
import type { Severity } from '../common/severity.js';
import { plainText } from '../common/text.js';
import { formatDuration, plural } from '../common/format.js';
import { errorText } from '../common/result.js';
import { redactCapture } from '../platform/capture-redact.js';
import { readFileBounded } from '../platform/read-file.js';
import pc from 'picocolors';
import { stderrLog, terminalLine } from './terminal.js';
import { terminalColumns, type Fit } from './table.js';
import { timeWithZone } from '../common/zoned-time.js';
import { WARDEN_VERSION } from '../common/version.js';
import { CaptureError, parseCapture, type CaptureBundle, type CaptureCadence } from '../platform/capture.js';
import { ConfigError, loadConfigFile, type LoadedConfig } from '../engine/config.js';
import { configPath as defaultConfigPath, dataDir as defaultDataDir } from '../engine/paths.js';
import { bundleFrom, createEngine, createRecordingEngine, createReplayEngine } from '../engine/create.js';
import { HistoryStore } from '../engine/history.js';
import { unloadActionId } from '../engine/models.js';
import { offeredActions } from '../common/ipc.js';
import { ChannelHub } from '../engine/channels/hub.js';
import type { Engine } from '../engine/engine.js';
import { renderStatus } from './render.js';
import { renderNotification, renderServices, renderIncidents } from './render-more.js';
import { InputError, UsageError } from './errors.js';
import type { CliValues } from './options.js';

/** Far above any real capture, under the longest string V8 makes (512 MiB). */
const MAX_CAPTURE_BYTES = 256 * 1024 * 1024;
const EXIT_BY_LEVEL: Record<Severity, number> = { ok: 0, warn: 1, crit: 2, unknown: 3 };

function out(text: string): void {
  process.stdout.write(text);
}

function fitOf(values: CliValues): Fit {
  return { columns: terminalColumns(), wide: values.wide === true };
}

/** A frame drawn over the last: cursor home, each line cleared to its end, the rest of the screen cleared. No flash. */
function inPlace(frame: string): string {
  return `\u001b[H${frame.replace(/\n$/, '').replaceAll('\n', '\u001b[K\n')}\u001b[K\n\u001b[J`;
}

function watchHeader(state: State, now: number): string {
  return pc.dim(`warden watch · ${timeWithZone(now, { seconds: true })} · every ${formatDuration(state.intervalSeconds)} · Ctrl-C to stop`);
}

async function loadConfig(values: CliValues): Promise<{ loaded: LoadedConfig; file: string }> {
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

async function readCapture(file: string) {
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
async function openReplay(values: CliValues): Promise<{ bundle: CaptureBundle; session: ReturnType<typeof createReplayEngine> }> {
  const bundle = await readCapture(values.replay as string);
  const override = values.config ? (await loadConfig(values)).loaded : undefined;
  try {
    return { bundle, session: createReplayEngine(bundle, override) };
  } catch (error) {
    if (error instanceof CaptureError) throw new InputError(error.message);
    throw error;
  }
}

async function replayState(values: CliValues, onNotification?: (n: Notification) => void): Promise<State> {
  const { session } = await openReplay(values);
  if (onNotification) session.engine.onNotification(onNotification);
  return session.runAll();
}

/** Two samples a second apart: rates and CPU need a pair. Nothing is written to disk. */
async function liveState(values: CliValues): Promise<State> {
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, dataDir: null });
  await engine.tick();
  await new Promise((r) => setTimeout(r, 1000));
  const state = await engine.tick();
  await engine.stop();
  return state;
}

export async function runStatus(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`status takes no arguments (got "${rest[0]}")`);
  const state = values.replay ? await replayState(values) : await liveState(values);
  if (values.json) out(`${JSON.stringify(state, null, 2)}\n`);
  else out(renderStatus(state, state.replay ? (state.sampledAt ?? Date.now()) : Date.now(), fitOf(values)));
  return values.check ? EXIT_BY_LEVEL[state.level] : 0;
}

export async function runWatch(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`watch takes no arguments (got "${rest[0]}")`);
  const printNotification = (n: Notification) => out(renderNotification(n));
  if (values.replay) {
    // A replay has no wall clock: print each notification as the engine would send it, then the end state.
    const state = await replayState(values, values.notify ? printNotification : undefined);
    if (!values.notify) out(renderStatus(state, state.sampledAt ?? Date.now(), fitOf(values)));
    return 0;
  }
  const intervalSeconds = values.interval;
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, deliver: true, log: stderrLog('warden'), ...(intervalSeconds === undefined ? {} : { intervalSeconds }) });
  const history = engine.currentState().history;
  if (history.readOnly) process.stderr.write(`warden: history ${plainText(history.reason ?? '', 300)}\n`);
  const tty = process.stdout.isTTY;
  if (values.notify) {
    engine.onNotification(printNotification);
    out(`warden: watching; notifications print here as the app would send them (Ctrl-C to stop)\n`);
  } else {
    engine.subscribe((state) => {
      const now = Date.now();
      const frame = `${watchHeader(state, now)}\n${renderStatus(state, now, fitOf(values))}`;
      out(tty ? inPlace(frame) : `${frame}\n`);
    });
  }
  const metrics = await startOwnMetrics(values, loaded, engine);
  engine.start();
  await untilInterrupted();
  await metrics?.close();
  await engine.stop();
  return 0;
}

/**
 * /metrics on its own port when the config's `metrics` or --metrics-port asks (the flags win
 * over the config). A problem (a token file others can read, a port taken) ends the command
 * with the reason before anything is watched.
 */
async function startOwnMetrics(values: CliValues, loaded: LoadedConfig, engine: Engine): Promise<{ close(): Promise<void> } | null> {
  const fromConfig = loaded.config.metrics;
  const flagPort = values.metricsPort;
  if (flagPort === undefined && !fromConfig) {
    if (values.metricsListen !== undefined || values.metricsTokenFile !== undefined) throw new UsageError('--metrics-listen and --metrics-token-file need --metrics-port (or metrics.port in the config)');
    return null;
  }
  const port = flagPort ?? fromConfig!.port;
  const listen = values.metricsListen ?? fromConfig?.listen;
  const tokenFile = values.metricsTokenFile ? path.resolve(values.metricsTokenFile) : fromConfig?.tokenFile;
  const { metricsOptionsFrom, startMetricsServer, MetricsServerError } = await import('./metrics-server.js');
  try {
    const options = await metricsOptionsFrom({ port, ...(listen ? { listen } : {}), ...(tokenFile ? { tokenFile } : {}) });
    const server = await startMetricsServer({ ...options, getState: () => engine.currentState() });
    process.stderr.write(`warden: metrics at ${server.url}${options.token ? ' (bearer token required)' : ''}\n`);
    return server;
  } catch (error) {
    if (error instanceof MetricsServerError) throw new InputError(error.message);
    throw error;
  }
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    // Our listeners stay until this signal's other listeners ran: a signal-exit style hook in a
    // dependency re-sends the signal, killing the process mid-shutdown, when it finds itself alone.
    const done = () => {
      resolve();
      setImmediate(() => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
      });
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

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
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new InputError(`cannot write ${terminalLine(target)}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
  }
}

export async function runServices(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`services takes no arguments (got "${rest[0]}")`);
  const state = values.replay ? await replayState(values) : await liveState(values);
  if (values.json) out(`${JSON.stringify(state.services, null, 2)}\n`);
  else out(renderServices(state));
  return 0;
}

export async function runIncidents(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`incidents takes no arguments (got "${rest[0]}")`);
  const since = values.since ? parseSince(values.since, Date.now()) : Date.now() - 7 * 86_400_000;
  const store = await HistoryStore.open(defaultDataDir());
  const reading = await store.readIncidents();
  const incidents = reading.incidents.filter((i) => (i.closedAt ?? Date.now()) >= since);
  if (values.json) out(`${JSON.stringify({ incidents, skipped: reading.skipped, problems: reading.problems, unreadable: reading.unreadable }, null, 2)}\n`);
  else out(renderIncidents(incidents, reading, since));
  return 0;
}

export function parseSince(text: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/.exec(text.trim());
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000;
    return now - n * unit;
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--since takes 30m, 24h, 7d or an ISO date (got "${text}")`);
  return t;
}

const ACTION_VERB: Record<string, ActionOffer['kind']> = { restart: 'restart', readopt: 'readopt', release: 'release', add: 'watch', unload: 'unload' };

export async function runAction(command: string, values: CliValues, rest: string[]): Promise<number> {
  const kind = ACTION_VERB[command]!;
  const [target = '', model = '', ...extra] = rest;
  if (target === '' || extra.length > 0 || (kind === 'unload') !== (model !== '')) {
    throw new UsageError(kind === 'unload' ? 'unload takes a SERVER and a MODEL' : `${command} takes exactly one ${command === 'release' ? 'PATH' : 'NAME'}`);
  }
  const { loaded, file } = await loadConfig(values);
  const engine: Engine = await createEngine({ config: loaded, configPath: file });
  try {
    // Two cycles: the second sees probe and supervision results the first started.
    await engine.tick();
    await new Promise((r) => setTimeout(r, 1000));
    const state = await engine.tick();
    const offers = offeredActions(state);
    const offer = kind === 'unload' ? offers.find((a) => a.id === unloadActionId(target, model)) : offers.find((a) => a.kind === kind && a.target === target);
    if (!offer) {
      process.stderr.write(`warden: cannot ${command} ${plainText(rest.join(' '), 200)}: ${notOfferedWhy(state, kind, target, offers)}\n`);
      return 1;
    }
    out(`${plainText(offer.confirm, 1000)}\n`);
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write('warden: not a terminal; pass --yes to confirm\n');
        return 1;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question('Go ahead? [y/N] ');
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        out('nothing done\n');
        return 1;
      }
    }
    const result = await engine.runAction(offer.id);
    for (const step of result.steps) out(`  ${plainText(step, 300)}\n`);
    const downtime = result.downtimeSeconds === null ? '' : ` (downtime ${formatDuration(result.downtimeSeconds)})`;
    out(`${result.ok ? 'done' : 'FAILED'}: ${plainText(result.message, 300)}${downtime}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Why the action asked for is not on offer, with what is. */
function notOfferedWhy(state: State, kind: ActionOffer['kind'], target: string, offers: ActionOffer[]): string {
  if (kind === 'unload') {
    const server = state.models.find((m) => m.service === target);
    if (!server) return `no local LLM server named "${plainText(target, 100)}" is watched now`;
    if (server.read !== 'ok') return `its models are ${server.read === 'unknown' ? 'unknown' : 'not read'}: ${server.reason ?? ''}`;
    const unloadable = server.models.filter((m) => m.actions.length > 0).map((m) => m.name);
    return unloadable.length > 0 ? `it has ${unloadable.map((n) => plainText(n, 80)).join(', ')} to unload` : 'it has no model Warden can unload now';
  }
  const same = offers.filter((a) => a.target === target).map((a) => a.kind);
  return same.length > 0 ? `only ${same.join(', ')} is offered for it now` : `nothing is offered for "${plainText(target, 100)}" now`;
}

export async function runServe(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`serve takes no arguments (got "${rest[0]}")`);
  const port = values.port ?? 7719;
  if (values.replay) return serveReplay(values, port);
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, deliver: true, log: stderrLog('warden') });
  const { startServer, ServeError } = await import('./serve.js');
  // A file path, not the URL's pathname: "/Applications/My%20Tools/…" names no folder.
  const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server;
  try {
    server = await startServer(engine, { port, staticDir, log: stderrLog('warden serve') });
  } catch (error) {
    await engine.stop();
    if (error instanceof ServeError) throw new UsageError(error.message);
    throw error;
  }
  const metrics = await startOwnMetrics(values, loaded, engine);
  engine.start();
  const origin = new URL(server.url).origin;
  out(`warden serve: open ${server.url}\n  metrics: ${origin}/metrics (Prometheus)\n  bound to 127.0.0.1 only; Ctrl-C to stop\n`);
  await untilInterrupted();
  await server.close();
  await metrics?.close();
  await engine.stop();
  return 0;
}

/** `warden serve --replay FILE`: the capture's end state in the popover, read-only. */
async function serveReplay(values: CliValues, port: number): Promise<number> {
  if (values.metricsPort !== undefined) throw new UsageError('serve --replay has no live host to serve /metrics for; /metrics on the page\'s port shows the replay');
  const { bundle, session } = await openReplay(values);
  const state = await session.runAll();
  const engine = session.engine;
  const { startServer, ServeError } = await import('./serve.js');
  const { replayHandle } = await import('./serve-replay.js');
  const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server;
  try {
    server = await startServer(replayHandle(state, () => engine.memoryHistory(), () => engine.getConfig()), { port, staticDir, log: stderrLog('warden serve') });
  } catch (error) {
    await engine.stop();
    if (error instanceof ServeError) throw new UsageError(error.message);
    throw error;
  }
  out(`warden serve: open ${server.url}\n  replay of ${terminalLine(values.replay!)} (${plural(bundle.samples.length, 'sample')} from ${terminalLine(bundle.host.hostname, 60)}): read-only, actions refused\n  bound to 127.0.0.1 only; Ctrl-C to stop\n`);
  await untilInterrupted();
  await server.close();
  await engine.stop();
  return 0;
}

/** `warden notify-test [CHANNEL]`: one test notice to each channel (or the one named), outside the queue. */
export async function runNotifyTest(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 1) throw new UsageError(`notify-test takes at most one CHANNEL (got ${rest.length})`);
  const only = rest[0] ?? null;
  const { loaded } = await loadConfig(values);
  const hub = await ChannelHub.open({ history: null, host: { hostname: os.hostname(), platform: process.platform } });
  hub.configure(loaded.config.notifications.channels);
  const names = hub.names();
  if (names.length === 0) {
    process.stderr.write('warden: no channels configured (notifications.channels in the config; see docs/judgement.md)\n');
    return 1;
  }
  if (only !== null && !names.includes(only)) {
    throw new UsageError(`no channel named "${plainText(only, 60)}"; configured: ${names.join(', ')}`);
  }
  const results = await hub.test(only);
  await hub.stop();
  for (const { name, kind, result } of results) {
    out(`${result.ok ? 'sent' : 'FAILED'}  ${name} (${kind}): ${result.text}\n`);
  }
  return results.every((r) => r.result.ok) ? 0 : 1;
}
