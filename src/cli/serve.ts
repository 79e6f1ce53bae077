/**
 * `warden serve`: the popover in a browser, over HTTP + Server-Sent Events, and Prometheus
 * /metrics. Loopback only. Reading is open to the page's own origin (a browser's same-origin
 * rule keeps other sites out, and the Host check keeps DNS rebinding out); changing anything
 * needs the per-run token and a same-origin request, and every body passes the IPC checks.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import type net from 'node:net';
import type { EngineHandle } from '../common/api.js';
import { RENDERER_CSP_HEADER } from '../common/csp.js';
import { checkInvoke, configProblemsText, findOffer, type InvokeChannel, notOffered } from '../common/ipc.js';
import { errorText } from '../common/result.js';
import type { ServiceConfig } from '../common/config.js';
import { holdsRedaction, REDACTED, redactConfig } from '../common/redact.js';
import { BODY_ROUTES, READ_PATHS, ROUTES, TOKEN_PATTERN } from '../common/routes.js';
import { plainText } from '../common/text.js';
import { probeSpecOf } from '../engine/services/probes.js';
import { configFacts } from '../engine/config-facts.js';
import { ConfigError } from '../engine/config.js';
import { createMetrics } from './metrics.js';
import { BASE_HEADERS, HttpError, ServeError, bodyFields, readJsonBody, safePathname, sendJson } from './serve-http.js';
import { HEARTBEAT_MS, openEvents, type EventStreams } from './serve-events.js';
import { limitedLog } from './serve-log.js';
import { STATIC_FILES, loadStatic } from './serve-static.js';

export { MAX_BODY_BYTES, HttpError, ServeError } from './serve-http.js';
export { HEARTBEAT_MS } from './serve-events.js';

/**
 * Sockets open at once. Every local process can connect without the token; past this cap a new
 * socket is closed at once, so connections can never take the file descriptors the engine's
 * commands need (the macOS default soft limit is 256). Above the event streams' cap, so pages
 * can still fetch beside their streams.
 */
export const MAX_CONNECTIONS = 64;
/** A request's headers must arrive within this; a half-sent request holds a socket no longer. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request (headers and body) within this. */
export const REQUEST_TIMEOUT_MS = 20_000;
/** An idle keep-alive socket is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/**
 * How often Node looks for sockets past those deadlines: a half-sent request is closed 10–15 s
 * after it began. Every 1 s woke an idle serve 5× as often as its 5 s cycle, for no client.
 */
const TIMEOUT_CHECK_MS = 5_000;

export interface ServeOptions {
  port: number;
  host?: '127.0.0.1';
  token?: string;
  /** dist/renderer */
  staticDir: string;
  log?: (line: string) => void;
  now?: () => number;
  heartbeatMs?: number;
}

export interface RunningServer {
  /** Open this in a browser: the token rides in the fragment, which is never sent to a server. */
  url: string;
  token: string;
  close(): Promise<void>;
}




export async function startServer(engine: EngineHandle, opts: ServeOptions): Promise<RunningServer> {
  if (opts.host !== undefined && opts.host !== '127.0.0.1') {
    throw new Error(`warden serve binds 127.0.0.1 only (asked for ${String(opts.host)}): it can repair services and must not be reachable from the network`);
  }
  if (opts.token !== undefined && !TOKEN_PATTERN.test(opts.token)) {
    throw new Error('warden serve: a token must be 16 to 128 letters, digits, "-" or "_"');
  }
  const files = await loadStatic(opts.staticDir);
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const now = opts.now ?? Date.now;
  const log = limitedLog(opts.log ?? (() => undefined), now);
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const metrics = createMetrics(() => engine.currentState(), { now });
  const streams = new Set<{ end(): void }>();
  const events: EventStreams = { engine, open: streams, log, heartbeatMs };
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();

  const limits: http.ServerOptions = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    maxHeaderSize: 16 * 1024,
  };
  const server = http.createServer(limits, (req, res) => {
    const method = req.method ?? 'GET';
    const pathname = safePathname(req.url);
    handle(req, res, method, pathname).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : error instanceof ConfigError ? 400 : 500;
      const message = error instanceof HttpError || error instanceof ConfigError ? error.message : `engine error: ${errorText(error)}`;
      // Refusals and failures are what an operator looks for; the answered requests are not logged.
      log(`${method} ${pathname} ${status}: ${message}`);
      if (res.headersSent) res.destroy();
      else sendJson(res, status, { error: message });
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('drop', () => log(`connection refused: ${MAX_CONNECTIONS} connections already open`));
  // A request that never finished, or was not HTTP: answered and closed, as Node would, but logged.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const code = error.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    log(`client error ${status}: ${code === 'ERR_HTTP_REQUEST_TIMEOUT' ? `request not received within ${REQUEST_TIMEOUT_MS / 1000} s` : code || error.message}`);
    // As Node's own handler: write the answer and close at once (an end() would wait on a client that is not reading).
    if ((socket as net.Socket).bytesWritten === 0) socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, method: string, pathname: string): Promise<void> {
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    if (!allowedHosts.has(String(req.headers.host ?? '').toLowerCase())) throw new HttpError(403, 'unexpected Host header');

    const staticFile = STATIC_FILES[pathname];
    if (staticFile) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      const body = files.get(staticFile.file);
      if (!body) throw new HttpError(404, 'not found');
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': staticFile.type, 'Content-Security-Policy': RENDERER_CSP_HEADER, 'Content-Length': body.length });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }

    const route = BODY_ROUTES[`${method} ${pathname}`];
    if (route) {
      checkSameOrigin(req);
      checkToken(req);
      const body = await readJsonBody(req);
      const args = route.fields === null ? [body] : bodyFields(body, route.fields);
      const checked = checkInvoke(route.channel, args);
      if (!checked.ok) throw new HttpError(400, checked.problem);
      sendJson(res, 200, await run(route.channel, checked.value));
      return;
    }

    // HEAD is GET without the body (Node leaves the body out of a HEAD response).
    const get = method === 'GET' || method === 'HEAD';
    if (get && pathname === ROUTES.state.path) return sendJson(res, 200, engine.currentState());
    // The settings form sends the token and gets the secrets to edit; anyone else gets them hidden.
    if (get && pathname === ROUTES.config.path) {
      const config = await engine.getConfig();
      return sendJson(res, 200, tokenGiven(req) ? config : redactConfig(config).value);
    }
    if (get && pathname === ROUTES.configFacts.path) return sendJson(res, 200, configFacts(os.homedir()));
    if (get && pathname === ROUTES.memoryHistory.path) return sendJson(res, 200, await engine.memoryHistory());
    if (method === 'HEAD' && pathname === ROUTES.events.path) {
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.end();
      return;
    }
    if (get && pathname === ROUTES.events.path) return openEvents(req, res, events);
    if (get && pathname === ROUTES.metrics.path) {
      const text = await metrics.text();
      res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': metrics.contentType });
      res.end(text);
      return;
    }
    const known = READ_PATHS.has(pathname) || Object.keys(BODY_ROUTES).some((key) => key.endsWith(` ${pathname}`));
    throw new HttpError(known ? 405 : 404, known ? 'method not allowed' : 'not found');
  }

  async function run(channel: InvokeChannel, args: unknown[]): Promise<unknown> {
    switch (channel) {
      case 'action:run': {
        const id = args[0] as string;
        if (!findOffer(engine.currentState(), id)) {
          log(`action refused: ${JSON.stringify(id.slice(0, 100))} is not offered in the current state`);
          return notOffered(id, now());
        }
        return engine.runAction(id);
      }
      case 'snooze:set':
        await engine.snooze(args[0] as never, args[1] as never);
        return { ok: true };
      case 'config:set': {
        // A form filled from the redacted config would write the placeholders over the secrets.
        if (holdsRedaction(args[0])) throw new HttpError(400, `the config holds "${REDACTED}" placeholders; reload the page from the address warden serve printed (it carries the token) to edit secrets`);
        const saved = await engine.setConfig(args[0] as never);
        if (!saved.ok) log(`config refused: ${configProblemsText(saved.problems)}`);
        return saved;
      }
      case 'probe:test': {
        const service = args[0] as ServiceConfig;
        if (!probeSpecOf(service)) throw new HttpError(400, `service "${plainText(service.name, 100)}" has no url or port to probe`);
        return engine.testProbe(service);
      }
      default:
        throw new HttpError(404, 'not found');
    }
  }

  /** A form or fetch from another site carries its Origin or Sec-Fetch-Site; our own page carries ours. */
  function checkSameOrigin(req: http.IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) throw new HttpError(403, 'cross-origin request refused');
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, `cross-site request refused (Sec-Fetch-Site: ${String(site).slice(0, 40)})`);
  }

  function tokenGiven(req: http.IncomingMessage): boolean {
    const given = req.headers['x-warden-token'];
    const bytes = Buffer.from(typeof given === 'string' ? given : '');
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  }

  function checkToken(req: http.IncomingMessage): void {
    if (!tokenGiven(req)) throw new HttpError(403, 'missing or wrong X-Warden-Token');
  }

  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => reject(listenError(error, opts.port));
    server.once('error', refuse);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('warden serve: no TCP address after listen');
  const port = address.port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  log(`serving on http://127.0.0.1:${port}/`);

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of [...streams]) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why the port could not be had, in words, with what to do. */
function listenError(error: NodeJS.ErrnoException, port: number): Error {
  if (error.code === 'EADDRINUSE') return new ServeError(`port ${port} on 127.0.0.1 is already in use (another warden serve?); choose another with --port N, or --port 0 for any free port`);
  if (error.code === 'EACCES') return new ServeError(`port ${port} needs privileges this user does not have; choose one above 1023 with --port N`);
  return new ServeError(`cannot listen on 127.0.0.1:${port}: ${errorText(error)}`);
}
