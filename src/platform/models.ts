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
 * The entries of the list under `key`: each object in it read by `read` (none, one or several
 * entries). With `named`, a list whose every item yields none is a failure, not "nothing loaded".
 */
function entriesOf(body: string, key: string, what: string, read: (item: Json) => ModelEntry[], named = false): Part<ModelEntry[]> {
  const list = listOf(body, key, what);
  if (!list.ok) return list;
  const out = list.value.flatMap((item) => (isObject(item) ? read(item) : []));
  if (named && out.length === 0 && list.value.length > 0) return { ok: false, reason: `${what}: none of ${list.value.length} entries has a name` };
  return { ok: true, value: out };
}

/**
 * Ollama `GET /api/ps`: `{"models":[{name, model, size, size_vram, expires_at, context_length, details}]}`.
 * `size` is the load-time accounting for GGUF runners and the live figure for the MLX runner
 * (`details.format` says which); `expires_at` is when keep_alive unloads it.
 */
export function parseOllamaPs(body: string): Part<ModelEntry[]> {
  return entriesOf(body, 'models', '/api/ps', (item) => {
    const name = text(item.name) ?? text(item.model);
    if (!name) return [];
    const details = isObject(item.details) ? item.details : {};
    const size = bytes(item.size);
    return [
      entry(name, {
        sizeBytes: size,
        sizeMeaning: size === null ? null : details.format === 'mlx' || details.format === 'safetensors' ? 'live' : 'at-load',
        vramBytes: bytes(item.size_vram),
        contextLength: count(item.context_length),
        expiresAt: instant(item.expires_at),
      }),
    ];
  }, true);
}

/**
 * LM Studio `GET /api/v1/models` (0.4.0+): every downloaded model, each with `size_bytes` (the
 * file) and `loaded_instances[]`. One entry per loaded instance, named by its instance id.
 */
export function parseLmStudioV1(body: string): Part<ModelEntry[]> {
  return entriesOf(body, 'models', '/api/v1/models', (item) => {
    if (!Array.isArray(item.loaded_instances)) return [];
    const size = bytes(item.size_bytes);
    return item.loaded_instances.flatMap((instance: unknown) => {
      if (!isObject(instance)) return [];
      const id = text(instance.id) ?? text(item.key);
      if (!id) return [];
      const config = isObject(instance.config) ? instance.config : {};
      return [entry(id, { sizeBytes: size, sizeMeaning: size === null ? null : 'file', contextLength: count(config.context_length) })];
    });
  });
}

/** LM Studio `GET /api/v0/models` (0.3.6+): `{"data":[{id, state: "loaded" | "not-loaded", …}]}`; no sizes. */
export function parseLmStudioV0(body: string): Part<ModelEntry[]> {
  return entriesOf(body, 'data', '/api/v0/models', (item) => {
    const id = item.state === 'loaded' ? text(item.id) : null;
    return id ? [entry(id, { contextLength: count(item.loaded_context_length) ?? null })] : [];
  });
}

const ROUTER_STATES: Record<string, ModelEntry['state'] | undefined> = { loaded: 'loaded', loading: 'loading', sleeping: 'sleeping' };

/**
 * llama.cpp router mode `GET /models`: `{"data":[{id, status: {value, args}}]}`, `status.value`
 * one of unloaded, loading, loaded, sleeping, downloading. Only what holds or takes memory is kept.
 */
export function parseRouterModels(body: string): Part<ModelEntry[]> {
  return entriesOf(body, 'data', '/models', (item) => {
    const id = text(item.id) ?? text(item.name);
    const status = isObject(item.status) ? item.status.value : item.status;
    const state = typeof status === 'string' ? ROUTER_STATES[status] : undefined;
    return id && state ? [entry(id, { state })] : [];
  });
}

/**
 * OpenAI `GET /v1/models`: `{"object":"list","data":[{id, object: "model", owned_by}]}`. What the
 * server answers for; llama.cpp adds `meta.size` (the model's bytes) to its one entry.
 */
export function parseOpenAiModels(body: string): Part<ModelEntry[]> {
  return entriesOf(body, 'data', '/v1/models', (item) => {
    const id = text(item.id);
    if (!id) return [];
    const size = isObject(item.meta) ? bytes(item.meta.size) : null;
    return [entry(id, { state: 'served', sizeBytes: size, sizeMeaning: size === null ? null : 'file' })];
  });
}

/** mlx_lm.server's `--model` from its command line: what it serves, read without a request. */
export function modelFromArgv(command: string): string | null {
  const m = /(?:^|\s)--model(?:=|\s+)(\S+)/.exec(command);
  return m?.[1] ?? null;
}
