#!/usr/bin/env node
// A stand-in local LLM server for integration tests, answering in the exact JSON shapes of
// Ollama, LM Studio and llama.cpp's router (shared/reference/local-llm-servers.md §1).
//   node llm-stand-in.mjs --kind ollama|lmstudio|router --port N [--model NAME --mb M]...
// Each loaded model is held by a real child process ("runner") that keeps M MiB resident, so an
// unload really gives memory back. Test-only: POST /__mode {"mode": …}, POST /__load {"model", "mb"}.
// Modes: ok | garbage | 404 | hang | huge | refuse (unload → 500) | ignore (unload → 200, nothing done) | v0 (LM Studio before 0.4).
import http from 'node:http';
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const kind = opt('kind', 'ollama');
const port = Number(opt('port', '0'));
let mode = opt('mode', 'ok');
/** name → { runner, mb, loadedAt } */
const models = new Map();

// The runner keeps its MiB resident (filled, so every page is touched) and ends with its server.
const RUNNER = `const b = Buffer.alloc(Number(process.argv[1]) * 1048576, 1);
setInterval(() => { b[0]++; try { process.kill(Number(process.argv[2]), 0); } catch { process.exit(0); } }, 250);`;

function load(name, mb) {
  const runner = spawn(process.execPath, ['-e', RUNNER, String(mb), String(process.pid), name], { stdio: 'ignore' });
  models.set(name, { runner, mb, loadedAt: Date.now() });
}

for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--model') continue;
  load(args[i + 1], args[i + 2] === '--mb' ? Number(args[i + 3]) : 64);
}

function unload(name) {
  const m = models.get(name);
  if (!m) return false;
  models.delete(name);
  return new Promise((resolve) => {
    m.runner.once('exit', () => resolve(true));
    m.runner.kill('SIGTERM');
  });
}

const MB = 1048576;
const iso = (ms) => new Date(ms).toISOString();

function ollamaPs() {
  return {
    models: [...models].map(([name, m]) => ({
      name,
      model: name,
      size: m.mb * MB,
      digest: 'c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb',
      details: { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '1.2B', quantization_level: 'Q4_K_M' },
      expires_at: iso(m.loadedAt + 5 * 60_000),
      size_vram: m.mb * MB,
      context_length: 4096,
    })),
  };
}

function lmStudioV1() {
  const loaded = [...models].map(([name, m]) => ({
    type: 'llm',
    publisher: 'lmstudio-community',
    key: name,
    display_name: name,
    architecture: 'qwen2',
    quantization: { name: 'Q4_K_M', bits_per_weight: 4 },
    size_bytes: m.mb * MB,
    params_string: '1.5B',
    loaded_instances: [{ id: name, config: { context_length: 4096, eval_batch_size: 512, parallel: 4, flash_attention: true, offload_kv_cache_to_gpu: true } }],
    max_context_length: 32768,
    format: 'gguf',
  }));
  const notLoaded = { type: 'llm', publisher: 'google', key: 'google/gemma-4-26b-a4b', display_name: 'Gemma 4 26B A4B', architecture: 'gemma4', quantization: { name: 'Q4_K_M', bits_per_weight: 4 }, size_bytes: 17990911801, params_string: '26B-A4B', loaded_instances: [], max_context_length: 262144, format: 'gguf' };
  return { models: [...loaded, notLoaded] };
}

function lmStudioV0() {
  const row = (id, state) => ({ id, object: 'model', type: 'llm', publisher: 'lmstudio-community', arch: 'qwen2', compatibility_type: 'gguf', quantization: 'Q4_K_M', state, max_context_length: 32768 });
  return { object: 'list', data: [...[...models.keys()].map((id) => row(id, 'loaded')), row('meta-llama-3.1-8b-instruct', 'not-loaded')] };
}

function routerModels() {
  const row = (id, value) => ({ id, object: 'model', owned_by: 'llamacpp', created: 1764000000, status: { value, args: ['llama-server', '-ctx', '4096'] } });
  return { object: 'list', data: [...[...models.keys()].map((id) => row(id, 'loaded')), row('gemma-3-4b-it-Q4_K_M', 'unloaded')] };
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function listing(res, build) {
  if (mode === 'hang') return; // accepts, never answers
  if (mode === '404') return send(res, 404, '404 page not found', 'text/plain');
  if (mode === 'garbage') return send(res, 200, '\u0000\u00ff<html>not json', 'text/html');
  if (mode === 'huge') {
    const many = Array.from({ length: 20_000 }, (_, i) => ({ name: `model-${i}:latest`, model: `model-${i}:latest`, id: `model-${i}`, size: 1, status: { value: 'loaded' } }));
    return send(res, 200, kind === 'ollama' ? { models: many } : kind === 'lmstudio' ? { models: many } : { data: many });
  }
  return send(res, 200, build());
}

async function readBody(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

async function unloadRoute(res, name, ok) {
  if (mode === 'refuse') return send(res, 500, { error: 'unload refused by the stand-in' });
  if (mode === 'ignore') return send(res, 200, ok(name));
  if (!models.has(name)) return send(res, 404, { error: `model "${name}" not found` });
  await unload(name);
  return send(res, 200, ok(name));
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const route = `${req.method} ${url.pathname}`;
  if (route === 'POST /__mode') {
    mode = (await readBody(req))?.mode ?? 'ok';
    return send(res, 200, { mode });
  }
  if (route === 'POST /__load') {
    const b = await readBody(req);
    load(b.model, b.mb ?? 64);
    return send(res, 200, { loaded: b.model });
  }
  if (kind === 'ollama') {
    if (route === 'GET /') return send(res, 200, 'Ollama is running', 'text/plain; charset=utf-8');
    if (route === 'GET /api/version') return send(res, 200, { version: '0.12.3' });
    if (route === 'GET /api/ps') return listing(res, ollamaPs);
    if (route === 'POST /api/generate') {
      const b = await readBody(req);
      // Warden may only ever send the unload form: no prompt, keep_alive 0.
      if (!b || b.keep_alive !== 0 || 'prompt' in b) return send(res, 400, { error: 'the stand-in only unloads' });
      return unloadRoute(res, b.model, (name) => ({ model: name, created_at: iso(Date.now()), response: '', done: true, done_reason: 'unload' }));
    }
  }
  if (kind === 'lmstudio') {
    if (route === 'GET /api/v1/models') return mode === 'v0' ? send(res, 404, { error: 'Unexpected endpoint or method. (GET /api/v1/models)' }) : listing(res, lmStudioV1);
    if (route === 'GET /api/v0/models') return listing(res, lmStudioV0);
    if (route === 'POST /api/v1/models/unload' && mode !== 'v0') {
      const b = await readBody(req);
      return unloadRoute(res, b?.instance_id, (name) => ({ instance_id: name }));
    }
  }
  if (kind === 'router') {
    if (route === 'GET /health') return send(res, 200, { status: 'ok' });
    if (route === 'GET /models') return listing(res, routerModels);
    if (route === 'POST /models/unload') {
      const b = await readBody(req);
      return unloadRoute(res, b?.model, () => ({ success: true }));
    }
  }
  return send(res, 404, { error: 'not found' });
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const m of models.values()) m.runner.kill('SIGKILL');
    process.exit(0);
  });
}
server.listen(port, '127.0.0.1');
