import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineHandle } from '../common/api.js';
import { plural } from '../common/format.js';
import { createEngine } from '../engine/create.js';
import { tuneLongRun } from '../engine/long-run.js';
import { stderrLog, terminalLine } from './terminal.js';
import { UsageError } from './errors.js';
import type { CliValues } from './options.js';
import type { RunningServer } from './serve.js';
import { loadConfig, openReplay, out } from './command-inputs.js';
import { startOwnMetrics, untilInterrupted } from './command-lifetime.js';

/** `warden serve`: the popover over HTTP for a live host, or a capture's end state read-only. */

export async function runServe(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`serve takes no arguments (got "${rest[0]}")`);
  const port = values.port ?? 7719;
  if (values.replay) return serveReplay(values, port);
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, deliver: true, log: stderrLog('warden') });
  const server = await startServerOrStop(engine, port, () => engine.stop());
  const metrics = await startOwnMetrics(values, loaded, engine);
  const tuning = tuneLongRun(engine);
  engine.start();
  const origin = new URL(server.url).origin;
  out(`warden serve: open ${server.url}\n  metrics: ${origin}/metrics (Prometheus)\n  bound to 127.0.0.1 only; Ctrl-C to stop\n`);
  await untilInterrupted();
  tuning.stop();
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
  const { replayHandle } = await import('./serve-replay.js');
  const server = await startServerOrStop(replayHandle(state, () => engine.memoryHistory(), () => engine.getConfig()), port, () => engine.stop());
  out(`warden serve: open ${server.url}\n  replay of ${terminalLine(values.replay!)} (${plural(bundle.samples.length, 'sample')} from ${terminalLine(bundle.host.hostname, 60)}): read-only, actions refused\n  bound to 127.0.0.1 only; Ctrl-C to stop\n`);
  await untilInterrupted();
  await server.close();
  await engine.stop();
  return 0;
}

/** The page's server on `port`; when it cannot start, the engine is stopped and a port taken is a usage error. */
async function startServerOrStop(handle: EngineHandle, port: number, stopEngine: () => Promise<void>): Promise<RunningServer> {
  const { startServer, ServeError } = await import('./serve.js');
  // A file path, not the URL's pathname: "/Applications/My%20Tools/…" names no folder.
  const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  try {
    return await startServer(handle, { port, staticDir, log: stderrLog('warden serve') });
  } catch (error) {
    await stopEngine();
    if (error instanceof ServeError) throw new UsageError(error.message);
    throw error;
  }
}
