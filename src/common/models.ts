import type { ActionOffer } from './services.js';

/** The kinds of local LLM server whose loaded models Warden knows how to read. */
export type ModelServerKind = 'ollama' | 'lmstudio' | 'llama.cpp' | 'mlx_lm.server' | 'vllm' | 'localai' | 'jan';

/** The servers' own names, for people. */
export const SERVER_LABEL: Record<ModelServerKind, string> = {
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  'llama.cpp': 'llama.cpp',
  'mlx_lm.server': 'mlx_lm.server',
  vllm: 'vLLM',
  localai: 'LocalAI',
  jan: 'Jan',
};

/**
 * What a server's own number for a model is. `at-load`: Ollama's `size` for a GGUF model,
 * parsed from the load log and never updated, so it cannot show a leak. `file`: LM Studio's
 * size of the model file on disk. `live`: Ollama's MLX runner, asked for its memory now.
 */
export type ModelSizeMeaning = 'at-load' | 'file' | 'live';

/**
 * `loaded`: in memory. `loading`, `sleeping` (llama.cpp router). `served`: an OpenAI
 * `/v1/models` entry, which says what the server answers for, not what is in memory.
 */
export type ModelLoadState = 'loaded' | 'loading' | 'sleeping' | 'served';

/** One model as a server reported it. */
export interface ModelEntry {
  /** The name to unload it by: Ollama's `name`, LM Studio's instance id, the router's id. */
  name: string;
  state: ModelLoadState;
  sizeBytes: number | null;
  sizeMeaning: ModelSizeMeaning | null;
  /** Ollama `size_vram`: the part offloaded to the GPU (on Apple Silicon the same unified memory). */
  vramBytes: number | null;
  contextLength: number | null;
  /** When the server will unload it by itself (Ollama `expires_at`); null: not said or never. */
  expiresAt: number | null;
}

export interface LoadedModelView extends ModelEntry {
  /**
   * When it loaded, as far as Warden can tell; null: it was already loaded when Warden first
   * looked and nothing dates it.
   */
  loadedAt: number | null;
  /**
   * `seen`: first seen in a read (it loaded after the previous read, at most one read interval
   * earlier). `process`: the start of the server's worker process that holds it.
   */
  loadedAtSource: 'seen' | 'process' | null;
  actions: ActionOffer[];
}

/** The memory of the server's process and its children, as measured from the OS. */
export interface ModelServerProcess {
  pid: number;
  /** The server and every descendant (runners, workers). */
  pids: number[];
  memoryBytes: number;
  /** Physical footprint where the OS gave it for every pid (darwin's top few), else RSS. */
  memoryMetric: 'footprint' | 'rss';
}

export interface ModelServerView {
  /** The service it belongs to (configured or discovered). */
  service: string;
  kind: ModelServerKind;
  /** What was read: "GET http://127.0.0.1:11434/api/ps". */
  source: string;
  /** `ok`: read; `unknown`: could not be read (reason says why); `not-read`: Warden chose not to (reason). */
  read: 'ok' | 'unknown' | 'not-read';
  reason: string | null;
  /** When the list was last read. */
  at: number | null;
  latencyMs: number | null;
  models: LoadedModelView[];
  /** Models left out of `models` because the list was longer than Warden shows. */
  omitted: number;
  process: ModelServerProcess | null;
}
