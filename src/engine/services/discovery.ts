import type { ServiceConfig } from '../../common/config.js';
import type { ProcessTable } from '../../common/processes.js';
import type { UnknownPart } from '../../common/state.js';
import { errorText } from '../../common/result.js';
import type { Facts, HttpResult } from '../../platform/facts.js';
import { ListenerTable } from './listeners.js';

export type ServerKind = 'ollama' | 'lmstudio' | 'jan' | 'llama.cpp' | 'mlx_lm.server' | 'localai' | 'vllm';

/** The default ports of local LLM servers (local-llm-servers.md §1); 8080 is shared by three. */
export const DISCOVERY_PORTS: ReadonlyArray<{ port: number; kinds: ServerKind[] }> = [
  { port: 11434, kinds: ['ollama'] },
  { port: 1234, kinds: ['lmstudio'] },
  { port: 1337, kinds: ['jan'] },
  { port: 8080, kinds: ['llama.cpp', 'mlx_lm.server', 'localai'] },
  { port: 9931, kinds: ['llama.cpp'] },
  { port: 8000, kinds: ['vllm'] },
];

export const DISCOVERY_INTERVAL_SECONDS = 300;
/** Fingerprint requests are cheap GETs on loopback; a server that takes longer is not identified this round. */
const FINGERPRINT_TIMEOUT_MS = 2_000;

export interface DiscoveredService extends ServiceConfig {
  source: 'discovered';
  server: ServerKind;
  pid: number;
}

export interface DiscoveryResult {
  services: DiscoveredService[];
  problems: UnknownPart[];
}

const NAMES: Record<ServerKind, string> = {
  ollama: 'ollama',
  lmstudio: 'lm-studio',
  jan: 'jan',
  'llama.cpp': 'llama.cpp',
  'mlx_lm.server': 'mlx_lm.server',
  localai: 'localai',
  vllm: 'vllm',
};

/** The cheapest GET that says the server is up, per local-llm-servers.md §6. Never a POST, never mlx's /v1/models. */
function healthOf(kind: ServerKind, port: number, lmStudioAuth = false): Pick<ServiceConfig, 'url' | 'expect'> {
  const base = `http://127.0.0.1:${port}`;
  switch (kind) {
    case 'ollama':
      return { url: `${base}/`, expect: { keyword: 'Ollama is running' } };
    case 'lmstudio':
      return { url: `${base}/api/v0/models`, expect: lmStudioAuth ? { status: 401 } : {} };
    case 'jan':
      return { url: `${base}/`, expect: { keyword: 'API Docs' } };
    case 'llama.cpp':
    case 'mlx_lm.server':
    case 'vllm':
      return { url: `${base}/health`, expect: {} };
    case 'localai':
      return { url: `${base}/readyz`, expect: {} };
  }
}

/** What the process's command line says it is; ps names (local-llm-servers.md §5). */
export function kindFromCommand(command: string): ServerKind | null {
  if (/(^|\/)ollama(\s|$)/i.test(command) || /Ollama\.app\//.test(command)) return 'ollama';
  if (/LM Studio|lmstudio|llmster/i.test(command)) return 'lmstudio';
  if (/mlx_lm(\.server|\s+server)/.test(command)) return 'mlx_lm.server';
  if (/(^|\/)llama-server(\s|$)/.test(command)) return 'llama.cpp';
  if (/(^|\/)local-ai(-\S+)?(\s|$)/.test(command)) return 'localai';
  if (/(^|\/|\s)vllm\s+serve(\s|$)/.test(command) || /VLLM::/.test(command)) return 'vllm';
  if (/(^|\/)Jan(\.app\/|\s|$)/.test(command)) return 'jan';
  return null;
}

interface Cached {
  pid: number;
  startedAt: number | null;
  found: DiscoveredService | null;
}

/**
 * Finds local LLM servers on their default ports. A port is probed only when a process listens
 * on it, and only again when that process changes: the answer is cached by pid and start time.
 */
export class Discovery {
  private readonly cache = new Map<number, Cached>();

  /** `listeners`: the engine's shared table, so discovery and the inspections run one lsof between them. */
  constructor(
    private readonly facts: Facts,
    private readonly listeners: ListenerTable = new ListenerTable(facts),
  ) {}

  async discover(table: ProcessTable | null, skipPorts: ReadonlySet<number>, now: number): Promise<DiscoveryResult> {
    const services: DiscoveredService[] = [];
    const problems: UnknownPart[] = [];
    const rows = new Map((table?.rows ?? []).map((r) => [r.pid, r]));
    const ports = DISCOVERY_PORTS.filter(({ port }) => !skipPorts.has(port));
    if (ports.length === 0) return { services, problems };
    const read = await this.listeners.read(now, ports.map(({ port }) => port));
    if (!read.ok) return { services, problems: ports.map(({ port }) => ({ part: `discovery: port ${port}`, reason: read.reason })) };
    for (const { port, kinds } of ports) {
      const listener = read.value.byPort.get(port)?.[0];
      if (!listener) {
        this.cache.delete(port);
        continue;
      }
      const row = rows.get(listener.pid);
      const startedAt = row?.startedAt ?? null;
      const cached = this.cache.get(port);
      if (cached && cached.pid === listener.pid && cached.startedAt === startedAt) {
        if (cached.found) services.push(cached.found);
        continue;
      }
      let found: DiscoveredService | null = null;
      try {
        const command = row?.command ?? listener.command;
        const kind = await this.identify(port, kinds, kindFromCommand(command));
        if (kind) {
          const name = port === DISCOVERY_PORTS.find((p) => p.kinds.includes(kind.kind))?.port ? NAMES[kind.kind] : `${NAMES[kind.kind]}-${port}`;
          found = { name, source: 'discovered', server: kind.kind, pid: listener.pid, port, ...healthOf(kind.kind, port, kind.auth) };
        }
      } catch (error) {
        problems.push({ part: `discovery: port ${port}`, reason: errorText(error) });
        continue;
      }
      this.cache.set(port, { pid: listener.pid, startedAt, found });
      if (found) services.push(found);
    }
    return { services, problems };
  }

  private get(port: number, path: string): Promise<HttpResult> {
    return this.facts.http({ url: `http://127.0.0.1:${port}${path}`, method: 'GET', timeoutMs: FINGERPRINT_TIMEOUT_MS, maxBodyBytes: 16 * 1024 });
  }

  /** The probe matrix (local-llm-servers.md §6), narrowed to the kinds that use this port. */
  private async identify(port: number, kinds: ServerKind[], byProcess: ServerKind | null): Promise<{ kind: ServerKind; auth?: boolean } | null> {
    if (kinds.includes('ollama')) {
      const r = await this.get(port, '/');
      if (r.status === 200 && r.body.includes('Ollama is running')) return { kind: 'ollama' };
    }
    if (kinds.includes('lmstudio')) {
      const r = await this.get(port, '/api/v0/models');
      // The list of downloaded models can pass the body cap; its opening is enough.
      if (r.status === 200 && /^\s*\{[^]*"data"\s*:\s*\[/.test(r.body.slice(0, 4096))) return { kind: 'lmstudio' };
      if (r.status === 401 && byProcess === 'lmstudio') return { kind: 'lmstudio', auth: true };
    }
    if (kinds.includes('jan')) {
      const r = await this.get(port, '/');
      if (r.status === 200 && r.body.includes('API Docs')) return { kind: 'jan' };
    }
    if (kinds.includes('llama.cpp') || kinds.includes('mlx_lm.server')) {
      const health = await this.get(port, '/health');
      if (health.status === 200 || health.status === 503) {
        const props = await this.get(port, '/props');
        if (props.status === 200 && jsonHas(props.body, 'build_info')) return { kind: 'llama.cpp' };
        const python = /BaseHTTP\/[\d.]+ Python/.test(health.headers['server'] ?? '');
        if (kinds.includes('mlx_lm.server') && props.status === 404 && (python || byProcess === 'mlx_lm.server')) return { kind: 'mlx_lm.server' };
        if (byProcess === 'llama.cpp' && kinds.includes('llama.cpp')) return { kind: 'llama.cpp' };
      }
    }
    if (kinds.includes('localai')) {
      const r = await this.get(port, '/readyz');
      if (r.status === 200 && (byProcess === 'localai' || r.body.trim() === '')) return { kind: 'localai' };
    }
    if (kinds.includes('vllm')) {
      const r = await this.get(port, '/health');
      if (r.status === 200 && (byProcess === 'vllm' || r.body.trim() === '')) return { kind: 'vllm' };
    }
    return null;
  }
}

function jsonHas(body: string, field: string): boolean {
  try {
    const data: unknown = JSON.parse(body);
    return typeof data === 'object' && data !== null && Object.hasOwn(data, field);
  } catch {
    return false;
  }
}
