import type { ProcessRow, ProcessTable } from '../../common/processes.js';
import type { ServiceView, SupervisionView } from '../../common/services.js';
import { formatDuration } from '../../common/format.js';
import { serviceOffers } from '../actions/service-offers.js';
import { processRefOf, type Entry, type ServiceMonitorOptions } from './entry.js';
import { classifyEntry } from './inspect.js';
import type { SupervisionCheck } from './supervision.js';
import { tilde } from './urls.js';

function supervisionViewOf(check: SupervisionCheck): SupervisionView {
  return {
    kind: check.kind,
    target: check.target,
    loaded: check.loaded,
    jobState: check.jobState,
    jobPid: check.jobPid,
    lastExit: check.lastExit,
    runs: check.runs,
    plist: check.plist,
    note: check.note,
  };
}

export interface ViewContext {
  options: ServiceMonitorOptions | null;
  /** An inspection older than this is not shown as current: the service is unknown. */
  staleAfterMs: number;
  /** How long a restart or re-adopt waits for the health probe, for the confirmation text. */
  healthWaitSeconds: number;
}

/**
 * The service as shown this cycle, from its latest probe, canary and inspection and this
 * cycle's table. Notes on the entry when its process was last seen and when it went.
 */
export function serviceViewOf(entry: Entry, now: number, table: ProcessTable | null, rows: ReadonlyMap<number, ProcessRow>, ctx: ViewContext): ServiceView {
  const { options } = ctx;
  const base = {
    name: entry.config.name,
    source: entry.source,
    url: entry.probeSpec?.url ?? null,
    port: entry.port,
    probe: entry.lastProbe ? entry.history.view(entry.lastProbe, now, options?.thresholds.probeWindowM ?? 5) : null,
    canary: entry.lastCanary ? entry.canaryHistory.view(entry.lastCanary, now, options?.thresholds.probeWindowM ?? 5) : null,
    // The engine fills it in: snoozes belong to the alert policy.
    snoozedUntil: null,
    goneAt: entry.goneAt,
  };
  const inspection = entry.inspection;
  if (!inspection || now - inspection.at > ctx.staleAfterMs) {
    const reason = !inspection
      ? entry.inspectUnknown ?? 'not checked yet'
      : `last supervision check ${formatDuration((now - inspection.at) / 1000)} ago${entry.inspectUnknown ? `: ${entry.inspectUnknown}` : ''}`;
    return { ...base, state: 'unknown', stateReason: reason, process: null, supervision: null, orphan: null, actions: [] };
  }
  let verdict = classifyEntry(entry, inspection, table, options, rows);
  const seenRow = verdict.pid !== null ? rows.get(verdict.pid) : undefined;
  if (seenRow) {
    entry.lastSeen = { pid: seenRow.pid, name: seenRow.name };
    entry.goneAt = null;
  } else if (entry.lastSeen && entry.goneAt === null && (verdict.state === 'missing' || verdict.state === 'crashed' || verdict.state === 'stopped')) {
    entry.goneAt = now;
    verdict = classifyEntry(entry, inspection, table, options, rows);
  }
  const row = verdict.pid !== null ? rows.get(verdict.pid) : undefined;
  const supervision = inspection.supervision?.ok ? supervisionViewOf(inspection.supervision.value) : null;
  const orphan = verdict.state === 'orphaned' && inspection.orphan?.process.pid === verdict.orphanPid ? inspection.orphan : null;
  const view: ServiceView = {
    ...base,
    goneAt: entry.goneAt,
    state: verdict.state,
    stateReason: verdict.reason,
    process: row ? processRefOf(row) : null,
    supervision,
    orphan,
    actions: [],
  };
  const home = options?.home ?? null;
  view.actions = serviceOffers({
    name: entry.config.name,
    view,
    supervisor: entry.supervisor,
    probeUrl: entry.probeSpec?.url ?? null,
    healthWaitSeconds: ctx.healthWaitSeconds,
    discovered: entry.source === 'discovered',
    port: entry.port,
    shownPath: (path) => tilde(path, home),
  });
  return view;
}
