import path from 'node:path';
import type { LoadedConfig } from '../engine/config.js';
import type { Engine } from '../engine/engine.js';
import { InputError, UsageError } from './errors.js';
import type { CliValues } from './options.js';

/** What the long-running commands (watch, serve) share: their own /metrics and the wait for Ctrl-C. */

/**
 * /metrics on its own port when the config's `metrics` or --metrics-port asks (the flags win
 * over the config). A problem (a token file others can read, a port taken) ends the command
 * with the reason before anything is watched.
 */
export async function startOwnMetrics(values: CliValues, loaded: LoadedConfig, engine: Engine): Promise<{ close(): Promise<void> } | null> {
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

export function untilInterrupted(): Promise<void> {
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
