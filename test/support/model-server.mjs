#!/usr/bin/env node
// A real OpenAI-style model server for integration tests.
//   node test/support/model-server.mjs --port N [--pidfile F] [--daemonize] [--mode ok|slow|500|hang|slow59|flap]
// flap: /v1/models and /health answer 500 and 200 in turn, 500 first.
// GET /v1/models, GET /health; POST /__mode {"mode":"…"} switches behaviour at run time.
// Test-only paths: /__big (10 MiB JSON), /__loop (redirects to itself), /__text (plain text).
// --daemonize double-forks: a detached grandchild serves, its pid goes to the pidfile, and the
// process that was started exits, so the server is reparented away from its starter.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MODES = ['ok', 'slow', '500', 'hang', 'slow59', 'flap'];

function parseArgs(argv) {
  const out = { port: 0, pidfile: null, daemonize: false, mode: 'ok', host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') out.port = Number(argv[++i]);
    else if (arg === '--pidfile') out.pidfile = argv[++i];
    else if (arg === '--daemonize') out.daemonize = true;
    else if (arg === '--mode') out.mode = argv[++i];
    else if (arg === '--host') out.host = argv[++i];
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error('--port needs a number');
  if (!MODES.includes(out.mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}`);
  return out;
}

const opts = parseArgs(process.argv.slice(2));

if (opts.daemonize) {
  const args = process.argv.slice(2).filter((a) => a !== '--daemonize');
  // The pidfile is written here, by the parent, with the grandchild's pid; drop it from the child's args.
  const pidIndex = args.indexOf('--pidfile');
  if (pidIndex >= 0) args.splice(pidIndex, 2);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], { detached: true, stdio: 'ignore' });
  child.once('spawn', () => {
    if (opts.pidfile) writeFileSync(opts.pidfile, `${child.pid}\n`);
    child.unref();
    process.exit(0);
  });
  child.once('error', (error) => {
    process.stderr.write(`model-server: ${error.message}\n`);
    process.exit(1);
  });
} else {
  serve(opts);
}

function serve({ port, pidfile, host, mode: initialMode }) {
  let mode = initialMode;
  let flaps = 0;
  const models = JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] });
  const big = JSON.stringify({ object: 'list', data: [{ id: 'x'.repeat(10 * 1024 * 1024), object: 'model' }] });

  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const answer = (res, status, body, type) => {
    if (mode === 'hang') return;
    if (mode === '500') return send(res, 500, '{"error":"internal"}');
    if (mode === 'flap' && flaps++ % 2 === 0) return send(res, 500, '{"error":"internal"}');
    const delay = mode === 'slow' ? 2_000 : mode === 'slow59' ? 59_000 : 0;
    if (delay === 0) return send(res, status, body, type);
    const timer = setTimeout(() => send(res, status, body, type), delay);
    res.on('close', () => clearTimeout(timer));
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/__mode') {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        try {
          const next = JSON.parse(text).mode;
          if (!MODES.includes(next)) return send(res, 400, JSON.stringify({ error: `mode must be one of ${MODES.join(', ')}` }));
          mode = next;
          flaps = 0;
          send(res, 200, JSON.stringify({ mode }));
        } catch {
          send(res, 400, '{"error":"body must be JSON"}');
        }
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '{"error":"method not allowed"}');
    switch (path) {
      case '/v1/models':
        return answer(res, 200, models);
      case '/health':
        return answer(res, 200, '{"status":"ok"}');
      case '/__big':
        return send(res, 200, big);
      case '/__loop':
        res.writeHead(302, { location: '/__loop', 'content-length': 0 });
        return res.end();
      case '/__text':
        return send(res, 200, 'hello, this is not JSON\n', 'text/plain');
      default:
        return send(res, 404, '{"error":"not found"}');
    }
  });

  server.listen(port, host, () => {
    if (pidfile) writeFileSync(pidfile, `${process.pid}\n`);
    const address = server.address();
    process.stdout.write(`listening ${address.port} pid ${process.pid}\n`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
