import type { ConfigSaveResult } from '../../common/api.js';
import type { ServiceConfig, WardenConfigInput } from '../../common/config.js';
import type { ServiceTarget } from '../services/monitor.js';
import type { Outcome } from './wait.js';

export interface WatchDiscoveredDeps {
  /** The service as last shown; null for a name not shown. */
  target: ServiceTarget | null;
  /** The config input in force. */
  input: WardenConfigInput;
  /** Validates and writes the config (Engine.setConfig). */
  save: (input: WardenConfigInput) => Promise<ConfigSaveResult>;
  configPath: string | null;
}

/** The "Watch from now on" action: a discovered service joins the config file, URL and port only. */
export async function watchDiscovered(name: string, { target, input: applied, save, configPath }: WatchDiscoveredDeps): Promise<Outcome> {
  const refused = (message: string): Outcome => ({ ok: false, steps: [], message, downtimeSeconds: null });
  if (!target || target.view.source !== 'discovered') return refused(`${name} is not a discovered service now; nothing was added`);
  const { url, port, expect } = target.config;
  const service: ServiceConfig = { name, ...(url ? { url } : {}), ...(port !== undefined ? { port } : {}), ...(expect && Object.keys(expect).length > 0 ? { expect } : {}) };
  const input = structuredClone(applied);
  input.services = [...(input.services ?? []).filter((s) => s.name !== name), service];
  const saved = await save(input);
  if (!saved.ok) return refused(`the config was not saved: ${saved.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  return { ok: true, steps: [`added ${name} (${[url, port !== undefined ? `port ${port}` : null].filter(Boolean).join(', ')}) to ${configPath}`], message: `${name} is watched from now on`, downtimeSeconds: null };
}
