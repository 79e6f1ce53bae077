import type { ServiceConfig } from '../../common/config.js';
import type { DiscoveredService, ServerKind } from './discovery.js';
import type { Entry } from './entry.js';

/** A discovered server seen to stop stays shown (amber, never paged) this long, with the offer to watch it. */
export const VANISHED_SHOWN_MS = 60 * 60_000;

/**
 * Folds one discovery round into the watched services: a discovered server no longer found
 * goes, unless it was seen running and went lately (it may have crashed); a configured
 * service is never replaced by a discovered one of the same name.
 */
export function mergeDiscovered(
  entries: Map<string, Entry>,
  found: readonly DiscoveredService[],
  now: number,
  entryFor: (config: ServiceConfig, server: ServerKind) => Entry,
): void {
  const names = new Set(found.map((s) => s.name));
  for (const [name, entry] of entries) {
    if (entry.source !== 'discovered' || names.has(name)) continue;
    // A server seen running and now gone stays shown a while: it may have crashed.
    const shown = entry.lastSeen !== null && (entry.goneAt === null || now - entry.goneAt < VANISHED_SHOWN_MS);
    if (!shown) entries.delete(name);
  }
  for (const service of found) {
    if (entries.get(service.name)?.source === 'config') continue;
    const { source: _source, server, pid: _pid, ...config } = service;
    entries.set(service.name, entryFor(config, server));
  }
}
