/**
 * The straw as a model: a model that loaded inside the arrival window before an event, named
 * with its server and the memory it took, and the Unload that takes it back.
 */
import type { Thresholds } from '../common/config.js';
import { SERVER_LABEL, type LoadedModelView, type ModelServerView } from '../common/models.js';
import type { ProcessRow } from '../common/processes.js';
import type { ActionOffer } from '../common/services.js';
import { formatDecimalGB, formatDuration } from '../common/format.js';

export interface ModelArrival {
  server: ModelServerView;
  model: LoadedModelView;
  loadedAt: number;
  /** What it took, as measured: its worker process's memory when it has one, else the server's own size. */
  bytes: number;
  /** The worker process that holds it, when it has one of its own. */
  holderPid: number | null;
  unload: ActionOffer | null;
}

/** Models that loaded within the window before `eventAt`, the largest first. */
export function modelArrivals(servers: readonly ModelServerView[] | undefined, processes: readonly ProcessRow[] | undefined, eventAt: number, t: Thresholds): ModelArrival[] {
  const window = t.arrivalWindowMinutes * 60_000;
  const out: ModelArrival[] = [];
  for (const server of servers ?? []) {
    for (const model of server.models) {
      const at = model.loadedAt;
      if (at === null || at > eventAt || eventAt - at > window || model.state === 'served') continue;
      const holder = model.loadedAtSource === 'process' ? holderOf(server, processes, at) : null;
      const bytes = holder ? (holder.footprintBytes ?? holder.rssBytes) : model.sizeBytes;
      if (bytes === null || bytes < t.arrivalMinBytes) continue;
      out.push({ server, model, loadedAt: at, bytes, holderPid: holder?.pid ?? null, unload: model.actions.find((a) => a.kind === 'unload') ?? null });
    }
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

function holderOf(server: ModelServerView, processes: readonly ProcessRow[] | undefined, startedAt: number): ProcessRow | null {
  const pids = new Set(server.process?.pids ?? []);
  return processes?.find((p) => pids.has(p.pid) && p.pid !== server.process?.pid && p.startedAt === startedAt) ?? null;
}

/** "LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure" */
export function modelArrivalLine(a: ModelArrival, eventAt: number, event: string): string {
  return `${SERVER_LABEL[a.server.kind]} loaded ${a.model.name} (${formatDecimalGB(a.bytes)}) ${formatDuration((eventAt - a.loadedAt) / 1000)} before ${event}`;
}

/** "Unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b)" */
export function unloadSuggestion(a: ModelArrival): string {
  const how = a.unload ? ` (warden unload ${a.server.service} ${a.model.name})` : '';
  return `unload ${a.model.name} from ${SERVER_LABEL[a.server.kind]}${how}`;
}
