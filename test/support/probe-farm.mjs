#!/usr/bin/env node
// Real HTTP services for the load test, in a process of their own so their work is not counted
// as Warden's: `node probe-farm.mjs --fast 4 --slow-ms 400` prints one JSON line
// {"fast":[ports…],"slow":port,"error":port,"hang":port} once every server listens on 127.0.0.1.
//   fast  answers 200 with an OpenAI-style model list on any path
//   slow  the same after --slow-ms
//   error 500 on any path
//   hang  accepts the connection and never answers
import http from 'node:http';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const fastCount = option('--fast', 4);
const slowMs = option('--slow-ms', 400);
const models = JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model' }] });

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const handlers = {
  fast: (_req, res) => send(res, 200, models),
  slow: (_req, res) => {
    const timer = setTimeout(() => send(res, 200, models), slowMs);
    res.on('close', () => clearTimeout(timer));
  },
  error: (_req, res) => send(res, 500, '{"error":"internal"}'),
  hang: () => undefined,
};

function listen(kind) {
  const server = http.createServer(handlers[kind]);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

const fast = [];
for (let i = 0; i < fastCount; i++) fast.push(await listen('fast'));
const ports = { fast, slow: await listen('slow'), error: await listen('error'), hang: await listen('hang') };
process.stdout.write(`${JSON.stringify(ports)}\n`);
