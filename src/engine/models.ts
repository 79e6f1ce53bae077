/**
 * What each local LLM server has loaded, read on its health probe's cadence and deadline, with
 * the memory its process tree holds beside it, and the Unload each loaded model offers.
 */
import type { ActionOffer } from '../common/services.js';
import { SERVER_LABEL, type LoadedModelView, type ModelEntry, type ModelServerKind, type ModelServerProcess, type ModelServerView } from '../common/models.js';
import type { ProcessRow, ProcessTable } from '../common/processes.js';
import type { Part } from '../common/result.js';
import { errorText } from '../common/result.js';
import type { UnknownPart } from '../common/state.js';
import type { Facts } from '../platform/facts.js';
import { START_TOLERANCE_MS } from './actions/guard.js';
import { modelFromArgv, parseLmStudioV0, parseLmStudioV1, parseOllamaPs, parseOpenAiModels, parseRouterModels } from '../platform/models.js';

/** What the services monitor knows of a server whose models can be read. */
export interface ModelTarget {
  service: string;
  kind: ModelServerKind;
  port: number;
  /** The server listens on this machine's loopback: the only case Warden offers to unload. */
  local: boolean;
  /** The health probe's cadence and deadline: the models are read as often and as patiently. */
  intervalSeconds: number;
  timeoutMs: number;
  /** The process serving the port, when known. */
  process: { pid: number; startedAt: number; command: string } | null;
}

/** A list longer than this is cut in the view (and `omitted` counts the rest). */
export const MODELS_SHOWN = 20;
/** A bigger answer is not a list of loaded models; it is refused with the reason. */
export const MODEL_BODY_CAP = 1024 * 1024;

export interface ModelReader {
  path: string;
  parse: (body: string) => Part<ModelEntry[]>;
  /** How Warden asks this server to unload a model read this way; null: it cannot. */
  unload: 'ollama' | 'lmstudio-rest' | 'router' | null;
}

/** Tried in order: the next one only when the server answers 404 (an older version). */
const READERS: Record<ModelServerKind, ModelReader[]> = {
  ollama: [{ path: '/api/ps', parse: parseOllamaPs, unload: 'ollama' }],
  lmstudio: [
    { path: '/api/v1/models', parse: parseLmStudioV1, unload: 'lmstudio-rest' },
    { path: '/api/v0/models', parse: parseLmStudioV0, unload: null },
  ],
  'llama.cpp': [
    { path: '/models', parse: parseRouterModels, unload: 'router' },
    { path: '/v1/models', parse: parseOpenAiModels, unload: null },
  ],
  // mlx_lm.server's /v1/models scans the whole Hugging Face cache on every call: never read.
  'mlx_lm.server': [],
  vllm: [{ path: '/v1/models', parse: parseOpenAiModels, unload: null }],
  localai: [{ path: '/v1/models', parse: parseOpenAiModels, unload: null }],
  jan: [{ path: '/v1/models', parse: parseOpenAiModels, unload: null }],
};

interface Read {
  at: number;
  latencyMs: number;
  reader: ModelReader;
  models: ModelEntry[];
}

interface Tracked {
  target: ModelTarget;
  /** The server process when it was first read: another process (a restart) starts afresh. */
  identity: ModelTarget['process'];
  readerIndex: number;
  last: Read | null;
  unknown: string | null;
  /** When each listed model was first seen; `at` null: listed at the first read of this server. */
  seen: Map<string, { at: number | null }>;
  successes: number;
  nextAt: number;
  busy: boolean;
}

/** What the unload action needs: the server as shown and the model to unload. */
export interface UnloadTarget {
  target: ModelTarget;
  model: LoadedModelView;
  reader: ModelReader;
  process: ModelServerProcess;
}

/** ps dates a start to the second, read at two moments: the same process within the guard's tolerance. */
function sameProcess(a: ModelTarget['process'], b: ModelTarget['process']): boolean {
  return a === null || b === null || (a.pid === b.pid && Math.abs(a.startedAt - b.startedAt) <= START_TOLERANCE_MS);
}

export class ModelMonitor {
  private tracked = new Map<string, Tracked>();
  private readonly inFlight = new Set<Promise<void>>();
  private lastViews = new Map<string, ModelServerView>();

  constructor(private readonly facts: Facts) {}

  /** Starts each read that is due and returns at once; a server that hangs holds up nothing. */
  poll(now: number, targets: readonly ModelTarget[]): void {
    const names = new Set(targets.map((t) => t.service));
    for (const name of this.tracked.keys()) if (!names.has(name)) this.tracked.delete(name);
    for (const target of targets) {
      let t = this.tracked.get(target.service);
      if (!t || t.target.kind !== target.kind || t.target.port !== target.port || !sameProcess(t.identity, target.process)) {
        t = { target, identity: target.process, readerIndex: 0, last: null, unknown: null, seen: new Map(), successes: 0, nextAt: 0, busy: false };
        this.tracked.set(target.service, t);
      }
      t.target = target;
      t.identity ??= target.process;
      if (t.busy || now < t.nextAt || READERS[target.kind].length === 0) continue;
      t.nextAt = now + target.intervalSeconds * 1000;
      this.track(this.read(t, now));
    }
  }

  /** Reads this server at the next poll (an unload just changed it). */
  reread(service: string): void {
    const t = this.tracked.get(service);
    if (t) t.nextAt = 0;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(task: Promise<void>): void {
    const guarded = task.catch(() => undefined);
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private async read(t: Tracked, now: number): Promise<void> {
    t.busy = true;
    try {
      const result = await readModels(this.facts, t.target, t.readerIndex);
      if (!result.ok) {
        t.unknown = result.reason;
        return;
      }
      t.readerIndex = READERS[t.target.kind].indexOf(result.value.reader);
      t.unknown = null;
      const first = t.successes === 0;
      t.successes += 1;
      const listed = new Set(result.value.models.map((m) => m.name));
      for (const name of t.seen.keys()) if (!listed.has(name)) t.seen.delete(name);
      for (const name of listed) if (!t.seen.has(name)) t.seen.set(name, { at: first ? null : now });
      t.last = { ...result.value, at: now };
    } catch (error) {
      t.unknown = errorText(error);
    } finally {
      t.busy = false;
    }
  }

  views(now: number, table: ProcessTable | null): ModelServerView[] {
    const out: ModelServerView[] = [];
    for (const t of this.tracked.values()) out.push(this.viewOf(t, table));
    this.lastViews = new Map(out.map((v) => [v.service, v]));
    void now;
    return out;
  }

  private viewOf(t: Tracked, table: ProcessTable | null): ModelServerView {
    const target = t.target;
    const process = treeOf(target, table);
    const readers = READERS[target.kind];
    const base = { service: target.service, kind: target.kind, omitted: 0, process };
    if (readers.length === 0) {
      // mlx_lm.server: what it serves is on its command line; its /v1/models is never asked.
      const model = target.process ? modelFromArgv(target.process.command) : null;
      const why = "mlx_lm.server's /v1/models scans the whole Hugging Face cache on every call, so Warden does not ask it";
      if (!model) return { ...base, source: 'command line', read: 'not-read', reason: `${why}, and its command line names no --model`, at: null, latencyMs: null, models: [] };
      const served: LoadedModelView = { name: model, state: 'served', sizeBytes: null, sizeMeaning: null, vramBytes: null, contextLength: null, expiresAt: null, loadedAt: null, loadedAtSource: null, actions: [] };
      return { ...base, source: 'command line --model', read: 'ok', reason: why, at: null, latencyMs: null, models: [served] };
    }
    const reader = t.last?.reader ?? readers[t.readerIndex] ?? readers[0]!;
    const source = `GET http://127.0.0.1:${target.port}${reader.path}`;
    if (!t.last || t.unknown) {
      const reason = t.unknown ?? 'not read yet';
      // Shown stale would be a lie: a server that stopped answering has no known models.
      return { ...base, source, read: 'unknown', reason, at: t.last?.at ?? null, latencyMs: null, models: [] };
    }
    const models = t.last.models.map((m) => this.modelView(t, m, reader, process, table));
    return {
      ...base,
      source,
      read: 'ok',
      reason: null,
      at: t.last.at,
      latencyMs: t.last.latencyMs,
      models: models.slice(0, MODELS_SHOWN),
      omitted: Math.max(0, models.length - MODELS_SHOWN),
    };
  }

  private modelView(t: Tracked, m: ModelEntry, reader: ModelReader, process: ModelServerProcess | null, table: ProcessTable | null): LoadedModelView {
    const seen = t.seen.get(m.name)?.at ?? null;
    let loadedAt: number | null = seen;
    let loadedAtSource: LoadedModelView['loadedAtSource'] = seen === null ? null : 'seen';
    if (seen === null && t.last?.models.length === 1) {
      // Loaded before Warden looked: the one model lives in the worker the server started for it.
      const worker = newestWorker(process, table);
      if (worker) {
        loadedAt = worker.startedAt;
        loadedAtSource = 'process';
      }
    }
    const view: LoadedModelView = { ...m, loadedAt, loadedAtSource, actions: [] };
    const offer = unloadOffer(t.target, view, reader, process);
    if (offer) view.actions = [offer];
    return view;
  }

  /** The model as last shown, with what the unload needs; null when it is not shown now. */
  unloadTarget(service: string, model: string): UnloadTarget | null {
    const t = this.tracked.get(service);
    const view = this.lastViews.get(service);
    const shown = view?.models.find((m) => m.name === model);
    const reader = t?.last?.reader;
    if (!t || !view || !shown || !reader || !view.process) return null;
    return { target: t.target, model: shown, reader, process: view.process };
  }

  unknowns(): UnknownPart[] {
    const out: UnknownPart[] = [];
    for (const t of this.tracked.values()) if (t.unknown) out.push({ part: `models ${t.target.service}`, reason: t.unknown });
    return out;
  }
}

/** One read: the server's reader, then (on 404, an older version) the next one. */
export async function readModels(facts: Facts, target: ModelTarget, from = 0): Promise<Part<Omit<Read, 'at'>>> {
  const readers = READERS[target.kind];
  let reason = 'no reader for this kind of server';
  for (let i = from; i < readers.length; i++) {
    const reader = readers[i]!;
    const url = `http://127.0.0.1:${target.port}${reader.path}`;
    const res = await facts.http({ url, method: 'GET', timeoutMs: target.timeoutMs, maxBodyBytes: MODEL_BODY_CAP });
    const what = `GET ${reader.path}`;
    if (res.timedOut) return { ok: false, reason: `${what}: no answer within ${target.timeoutMs / 1000} s` };
    if (res.status === null) return { ok: false, reason: `${what}: ${res.error ?? 'no answer'}` };
    if (res.status === 404 && i + 1 < readers.length) {
      reason = `${what}: 404`;
      continue;
    }
    if (res.status === 404) return { ok: false, reason: `${from < i ? `${reason}, ` : ''}${what}: 404 (a version without this endpoint)` };
    if (res.status === 401 || res.status === 403) return { ok: false, reason: `${what}: HTTP ${res.status} (the server wants an API key Warden does not have)` };
    if (res.status !== 200) return { ok: false, reason: `${what}: HTTP ${res.status}` };
    if (res.bodyTruncated) return { ok: false, reason: `${what}: the answer is over ${MODEL_BODY_CAP / 1024 / 1024} MiB; not read` };
    const parsed = reader.parse(res.body);
    if (!parsed.ok) return { ok: false, reason: `${what}: ${parsed.reason.replace(/^\/\S+ /, '')}` };
    return { ok: true, value: { latencyMs: res.latencyMs, reader, models: parsed.value } };
  }
  return { ok: false, reason };
}

/** The server's process and every descendant, with the memory they hold together. */
export function treeOf(target: ModelTarget, table: ProcessTable | null): ModelServerProcess | null {
  const root = target.process;
  if (!root || !table) return null;
  const rootRow = table.rows.find((r) => r.pid === root.pid);
  if (!rootRow) return null;
  const children = new Map<number, ProcessRow[]>();
  for (const row of table.rows) {
    if (row.zombie) continue;
    const list = children.get(row.ppid) ?? [];
    list.push(row);
    children.set(row.ppid, list);
  }
  const rows: ProcessRow[] = [];
  const queue = [rootRow];
  while (queue.length > 0 && rows.length < 256) {
    const row = queue.shift()!;
    if (rows.includes(row)) continue;
    rows.push(row);
    queue.push(...(children.get(row.pid) ?? []).filter((c) => c.pid !== row.pid));
  }
  const footprint = rows.every((r) => r.footprintBytes !== undefined);
  const memoryBytes = rows.reduce((sum, r) => sum + (footprint ? r.footprintBytes! : r.rssBytes), 0);
  return { pid: root.pid, pids: rows.map((r) => r.pid), memoryBytes, memoryMetric: footprint ? 'footprint' : 'rss' };
}

/** The newest process the server started after itself: where a model it loaded lives. */
export function newestWorker(process: ModelServerProcess | null, table: ProcessTable | null): ProcessRow | null {
  if (!process || !table) return null;
  const rows = table.rows.filter((r) => process.pids.includes(r.pid));
  const root = rows.find((r) => r.pid === process.pid);
  if (!root) return null;
  const workers = rows.filter((r) => r.pid !== root.pid && r.startedAt > root.startedAt + 60_000);
  return workers.sort((a, b) => b.startedAt - a.startedAt)[0] ?? null;
}

/** The request that unloads `model` from this kind of server, as the confirmation quotes it. */
export function unloadRequest(kind: ModelReader['unload'], model: string): { path: string; body: string } | null {
  switch (kind) {
    case 'ollama':
      return { path: '/api/generate', body: JSON.stringify({ model, keep_alive: 0 }) };
    case 'lmstudio-rest':
      return { path: '/api/v1/models/unload', body: JSON.stringify({ instance_id: model }) };
    case 'router':
      return { path: '/models/unload', body: JSON.stringify({ model }) };
    default:
      return null;
  }
}

export function unloadActionId(service: string, model: string): string {
  return `unload:${service}:${model}`;
}

function unloadOffer(target: ModelTarget, model: LoadedModelView, reader: ModelReader, process: ModelServerProcess | null): ActionOffer | null {
  if (!target.local || !target.process || !process) return null;
  if (model.state !== 'loaded' && model.state !== 'sleeping') return null;
  const request = unloadRequest(reader.unload, model.name);
  if (!request) return null;
  const label = SERVER_LABEL[target.kind];
  return {
    id: unloadActionId(target.service, model.name),
    kind: 'unload',
    target: target.service,
    label: 'Unload',
    confirm:
      `Check that PID ${target.process.pid} still serves 127.0.0.1:${target.port}, then ask ${label} to unload ${model.name} ` +
      `(POST ${request.path} ${request.body}), and measure the memory given back (host available, and PID ${target.process.pid} with its children).`,
  };
}
