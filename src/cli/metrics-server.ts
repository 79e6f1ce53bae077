/**
 * Prometheus /metrics from wherever Warden runs (the app, `warden watch`), opt in. Only GET
 * /metrics exists. On loopback it answers anyone on this machine, with the Host header checked
 * (a web page cannot read it through DNS rebinding); anywhere else every request must carry the
 * bearer token (Prometheus' `authorization` in its scrape config), compared in constant time.
 * The token is read from a file only its owner can read, never from the config itself.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { MetricsConfig } from '../common/config.js';
import type { State } from '../common/state.js';
import { isLoopback } from '../engine/config.js';
import { createMetrics } from './metrics.js';

export interface MetricsServerOptions {
  port: number;
  /** Default 127.0.0.1. */
  listen?: string;
  /** Required off loopback. */
  token?: string | null;
  getState(): State;
  now?: () => number;
  log?: (line: string) => void;
}

export interface RunningMetricsServer {
  /** http://ADDRESS:PORT/metrics */
  url: string;
  close(): Promise<void>;
}

export class MetricsServerError extends Error {
  override name = 'MetricsServerError';
}

/** The token in `file`: refused when others may read it, when it is empty or too short to guess. */
export async function readTokenFile(file: string): Promise<string> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(file)).mode;
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MetricsServerError(`metrics token file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if ((mode & 0o077) !== 0) throw new MetricsServerError(`metrics token file ${file} can be read by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`);
  const token = text.trim();
  if (!/^[\x21-\x7e]{16,4096}$/.test(token)) throw new MetricsServerError(`metrics token file ${file}: the token must be one line of 16 or more printable characters`);
  return token;
}

/** Options from the config (and the CLI's overrides): refuses an address off loopback without a token. */
export async function metricsOptionsFrom(config: MetricsConfig): Promise<{ port: number; listen: string; token: string | null }> {
  const listen = config.listen ?? '127.0.0.1';
  const token = config.tokenFile ? await readTokenFile(config.tokenFile) : null;
  if (!isLoopback(listen) && token === null) {
    throw new MetricsServerError(`metrics on ${listen} need a token file: off loopback every request must carry a bearer token (metrics.tokenFile or --metrics-token-file)`);
  }
  return { port: config.port, listen, token };
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<RunningMetricsServer> {
  const listen = opts.listen ?? '127.0.0.1';
  const token = opts.token ?? null;
  if (!isLoopback(listen) && token === null) throw new MetricsServerError(`metrics on ${listen} need a bearer token`);
  const expected = token === null ? null : Buffer.from(`Bearer ${token}`);
  const metrics = createMetrics(opts.getState, { now: opts.now ?? Date.now });
  let allowedHosts = new Set<string>();

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers });
      res.end(body);
    };
    const pathname = (req.url ?? '/').split('?')[0];
    if (expected !== null) {
      const given = Buffer.from(String(req.headers.authorization ?? ''));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        reply(401, 'missing or wrong bearer token\n', { 'WWW-Authenticate': 'Bearer realm="warden"' });
        return;
      }
    } else if (!allowedHosts.has(String(req.headers.host ?? '').toLowerCase())) {
      reply(403, 'unexpected Host header\n');
      return;
    }
    if (pathname !== '/metrics') return reply(404, 'not found: Warden serves /metrics only here\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        opts.log?.(`metrics failed: ${String(error)}`);
        reply(500, 'metrics failed\n');
      },
    );
  });
  // A scraper that opens a connection and says nothing does not hold it for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new MetricsServerError(`metrics cannot listen on ${listen}:${opts.port}: ${error.code ?? error.message}`)));
    server.listen(opts.port, listen, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const hostPart = listen.includes(':') && !listen.startsWith('[') ? `[${listen}]` : listen;
  allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`].map((h) => h.toLowerCase()));
  opts.log?.(`metrics on http://${hostPart}:${port}/metrics${token === null ? '' : ' (bearer token required)'}`);
  return {
    url: `http://${hostPart}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
