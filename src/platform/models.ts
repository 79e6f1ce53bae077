/**
 * Pure parsers for what local LLM servers say they have loaded (local-llm-servers.md §1–2).
 * Each takes the body of one GET and returns the models, or a reason naming what was wrong.
 */
import type { ModelEntry } from '../common/models.js';
import type { Part } from '../common/result.js';

/** More entries than this in one answer is not a list of loaded models; Warden says so instead. */
export const MAX_MODEL_ENTRIES = 1_000;

type Json = Record<string, unknown>;

function parseJson(body: string, what: string): Part<unknown> {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    const start = body.trim().slice(0, 40);
    return { ok: false, reason: `${what} is not JSON${start ? ` (starts ${JSON.stringify(start)})` : ' (empty body)'}` };
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The array under `key`, or the reason it is not there. */
function listOf(body: string, key: string, what: string): Part<unknown[]> {
  const parsed = parseJson(body, what);
  if (!parsed.ok) return parsed;
  if (!isObject(parsed.value)) return { ok: false, reason: `${what} is not a JSON object` };
  const list = parsed.value[key];
  if (!Array.isArray(list)) return { ok: false, reason: `${what} has no "${key}" list` };
  if (list.length > MAX_MODEL_ENTRIES) return { ok: false, reason: `${what} lists ${list.length} entries (more than ${MAX_MODEL_ENTRIES}); not read` };
  return { ok: true, value: list };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A byte count as servers write it: a non-negative integer (or a float JSON gave us). */
function bytes(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

/** RFC 3339 with an offset (Go's time.Time), to epoch ms; Go's zero time and far future mean "never". */
function instant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year < 1971 || year > 2200 ? null : ms;
}

function entry(name: string, fields: Partial<ModelEntry> = {}): ModelEntry {
  return { name, state: 'loaded', sizeBytes: null, sizeMeaning: null, vramBytes: null, contextLength: null, expiresAt: null, ...fields };
}

/**
 * Ollama `GET /api/ps`: `{"models":[{name, model, size, size_vram, expires_at, context_length, details}]}`.
 * `size` is the load-time accounting for GGUF runners and the live figure for the MLX runner
 * (`details.format` says which); `expires_at` is when keep_alive unloads it.
 */
export function parseOllamaPs(body: string): Part<ModelEntry[]> {
  const list = listOf(body, 'models', '/api/ps');
  if (!list.ok) return list;
  const out: ModelEntry[] = [];
  for (const item of list.value) {
    if (!isObject(item)) continue;
    const name = text(item.name) ?? text(item.model);
    if (!name) continue;
    const details = isObject(item.details) ? item.details : {};
    const size = bytes(item.size);
    out.push(
      entry(name, {
        sizeBytes: size,
        sizeMeaning: size === null ? null : details.format === 'mlx' || details.format === 'safetensors' ? 'live' : 'at-load',
        vramBytes: bytes(item.size_vram),
        contextLength: count(item.context_length),
        expiresAt: instant(item.expires_at),
      }),
    );
  }
  if (out.length === 0 && list.value.length > 0) return { ok: false, reason: `/api/ps: none of ${list.value.length} entries has a name` };
  return { ok: true, value: out };
}

/**
 * LM Studio `GET /api/v1/models` (0.4.0+): every downloaded model, each with `size_bytes` (the
 * file) and `loaded_instances[]`. One entry per loaded instance, named by its instance id.
 */
export function parseLmStudioV1(body: string): Part<ModelEntry[]> {
  const list = listOf(body, 'models', '/api/v1/models');
  if (!list.ok) return list;
  const out: ModelEntry[] = [];
  for (const item of list.value) {
    if (!isObject(item) || !Array.isArray(item.loaded_instances)) continue;
    const size = bytes(item.size_bytes);
    for (const instance of item.loaded_instances) {
      if (!isObject(instance)) continue;
      const id = text(instance.id) ?? text(item.key);
      if (!id) continue;
      const config = isObject(instance.config) ? instance.config : {};
      out.push(entry(id, { sizeBytes: size, sizeMeaning: size === null ? null : 'file', contextLength: count(config.context_length) }));
    }
  }
  return { ok: true, value: out };
}

/** LM Studio `GET /api/v0/models` (0.3.6+): `{"data":[{id, state: "loaded" | "not-loaded", …}]}`; no sizes. */
export function parseLmStudioV0(body: string): Part<ModelEntry[]> {
  const list = listOf(body, 'data', '/api/v0/models');
  if (!list.ok) return list;
  const out: ModelEntry[] = [];
  for (const item of list.value) {
    if (!isObject(item) || item.state !== 'loaded') continue;
    const id = text(item.id);
    if (id) out.push(entry(id, { contextLength: count(item.loaded_context_length) ?? null }));
  }
  return { ok: true, value: out };
}

const ROUTER_STATES: Record<string, ModelEntry['state'] | undefined> = { loaded: 'loaded', loading: 'loading', sleeping: 'sleeping' };

/**
 * llama.cpp router mode `GET /models`: `{"data":[{id, status: {value, args}}]}`, `status.value`
 * one of unloaded, loading, loaded, sleeping, downloading. Only what holds or takes memory is kept.
 */
export function parseRouterModels(body: string): Part<ModelEntry[]> {
  const list = listOf(body, 'data', '/models');
  if (!list.ok) return list;
  const out: ModelEntry[] = [];
  for (const item of list.value) {
    if (!isObject(item)) continue;
    const id = text(item.id) ?? text(item.name);
    const status = isObject(item.status) ? item.status.value : item.status;
    const state = typeof status === 'string' ? ROUTER_STATES[status] : undefined;
    if (id && state) out.push(entry(id, { state }));
  }
  return { ok: true, value: out };
}

/**
 * OpenAI `GET /v1/models`: `{"object":"list","data":[{id, object: "model", owned_by}]}`. What the
 * server answers for; llama.cpp adds `meta.size` (the model's bytes) to its one entry.
 */
export function parseOpenAiModels(body: string): Part<ModelEntry[]> {
  const list = listOf(body, 'data', '/v1/models');
  if (!list.ok) return list;
  const out: ModelEntry[] = [];
  for (const item of list.value) {
    if (!isObject(item)) continue;
    const id = text(item.id);
    if (!id) continue;
    const size = isObject(item.meta) ? bytes(item.meta.size) : null;
    out.push(entry(id, { state: 'served', sizeBytes: size, sizeMeaning: size === null ? null : 'file' }));
  }
  return { ok: true, value: out };
}

/** mlx_lm.server's `--model` from its command line: what it serves, read without a request. */
export function modelFromArgv(command: string): string | null {
  const m = /(?:^|\s)--model(?:=|\s+)(\S+)/.exec(command);
  return m?.[1] ?? null;
}
