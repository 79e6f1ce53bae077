import type { ServiceConfig } from '../common/config.js';
import type { ModelServerKind } from '../common/models.js';
import type { ProcessRef } from '../common/services.js';
import { kindFromCommand, type ServerKind } from './services/discovery.js';
import { DEFAULT_PROBE_INTERVAL_SECONDS, type ProbeSpec } from './services/probes.js';
import type { ModelTarget } from './models.js';

/** Ports only one kind of server uses by default (8080, 8000 and 1337 are shared or ambiguous). */
const UNIQUE_PORTS: ReadonlyMap<number, ModelServerKind> = new Map([
  [11434, 'ollama'],
  [1234, 'lmstudio'],
]);

export interface ModelTargetEntry {
  config: ServiceConfig;
  server: ServerKind | null;
  port: number | null;
  local: boolean;
  probeSpec: ProbeSpec | null;
}

/**
 * A service whose models can be read: a discovered server by what discovery identified, a
 * configured one by its process's command line or a port only one kind of server uses.
 */
export function modelTargetOf(entry: ModelTargetEntry, process: ProcessRef | null): ModelTarget | null {
  if (entry.port === null || !entry.local) return null;
  const kind = entry.server ?? (process ? kindFromCommand(process.command) : null) ?? UNIQUE_PORTS.get(entry.port) ?? null;
  if (!kind) return null;
  return {
    service: entry.config.name,
    kind,
    port: entry.port,
    local: entry.local,
    intervalSeconds: entry.config.intervalSeconds ?? DEFAULT_PROBE_INTERVAL_SECONDS,
    timeoutMs: entry.probeSpec?.timeoutMs ?? 10_000,
    process: process ? { pid: process.pid, startedAt: process.startedAt, command: process.command } : null,
  };
}
