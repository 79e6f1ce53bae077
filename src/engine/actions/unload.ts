import type { ProcessTable } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import { formatBytes, formatDecimalGB } from '../../common/format.js';
import { readMemory } from '../../platform/memory.js';
import { readProcessTable } from '../../platform/processes.js';
import { readPortListeners } from '../../platform/lsof.js';
import { readFootprints } from '../../platform/darwin/footprint.js';
import { SERVER_LABEL } from '../../common/models.js';
import { readModels, treeOf, unloadRequest, type UnloadTarget } from '../models.js';
import { START_TOLERANCE_MS } from './guard.js';
import { type ActionDeps, type Outcome, Steps, waitsOf } from './wait.js';

/** How long the server gets to drop the model from its list, and the memory to settle after. */
export const UNLOAD_WAIT_SECONDS = 20;
const UNLOAD_REQUEST_MS = 30_000;
/** Less than this given back is "nothing measurable": page-ins and allocator noise move a few MiB. */
const NOTHING_FREED_BYTES = 16 * 1024 * 1024;
const FOOTPRINT_TOP = 20;

interface Measure {
  availableBytes: number | null;
  availableWhy: string | null;
  treeBytes: number | null;
  metric: 'footprint' | 'rss';
  table: ProcessTable | null;
  tableWhy: string | null;
}

async function measure(deps: ActionDeps, u: UnloadTarget): Promise<Measure> {
  const at = deps.clock.now();
  const [memory, table, footprints] = await Promise.all([
    readMemory(deps.facts, deps.platform, at),
    readProcessTable(deps.facts, at),
    deps.platform === 'darwin' ? readFootprints(deps.facts, FOOTPRINT_TOP) : Promise.resolve(null),
  ]);
  if (table.ok && footprints?.ok) for (const row of table.value.rows) {
    const fp = footprints.value.get(row.pid);
    if (fp !== undefined) row.footprintBytes = fp;
  }
  const tree = table.ok ? treeOf(u.target, table.value) : null;
  return {
    availableBytes: memory.ok ? memory.value.availableBytes : null,
    availableWhy: memory.ok ? null : memory.reason,
    treeBytes: tree?.memoryBytes ?? (table.ok ? 0 : null),
    metric: tree?.memoryMetric ?? 'rss',
    table: table.ok ? table.value : null,
    tableWhy: table.ok ? null : table.reason,
  };
}

/** The server on the port is still the process that was shown: same pid on the port, same start, same command. */
function stillTheServer(u: UnloadTarget, table: ProcessTable | null, listeners: Part<number[]>): string | null {
  const expected = u.target.process;
  if (!expected) return 'the server process is not known';
  if (!listeners.ok) return `cannot see who listens on port ${u.target.port}: ${listeners.reason}`;
  if (!listeners.value.includes(expected.pid)) {
    const now = listeners.value.length > 0 ? `PID ${listeners.value.join(', ')}` : 'nothing';
    return `port ${u.target.port} is now served by ${now}, not PID ${expected.pid}`;
  }
  const row = table?.rows.find((r) => r.pid === expected.pid);
  if (!row) return `PID ${expected.pid} is no longer running`;
  if (Math.abs(row.startedAt - expected.startedAt) > START_TOLERANCE_MS) return `PID ${expected.pid} started at another time than the server shown: it is another process`;
  if (row.command !== expected.command) return `PID ${expected.pid} now runs another command`;
  return null;
}

function change(before: number | null, after: number | null, format: (n: number) => string): string {
  if (before === null || after === null) return 'not measured';
  return `${format(before)} → ${format(after)}`;
}

/**
 * Asks a local LLM server to unload one model, after checking that the server on the port is
 * still the process that was shown, and measures what that gave back: the server's process
 * tree and the host's available memory, before and after.
 */
export async function unloadModel(deps: ActionDeps, u: UnloadTarget): Promise<Outcome> {
  const steps = new Steps(deps.clock);
  const label = `${SERVER_LABEL[u.target.kind]} (${u.target.service})`;
  const name = u.model.name;
  const request = unloadRequest(u.reader.unload, name);
  if (!request) return steps.done(false, `${label} cannot be asked to unload over HTTP; nothing was done`);

  const before = await measure(deps, u);
  const listeners = await readPortListeners(deps.facts, u.target.port);
  const mismatch = stillTheServer(u, before.table, listeners.ok ? { ok: true, value: listeners.value.map((l) => l.pid) } : listeners);
  if (mismatch) return steps.done(false, `not unloaded: ${mismatch}`);
  const pid = u.target.process!.pid;
  steps.add(`PID ${pid} still serves 127.0.0.1:${u.target.port}; it and its children hold ${before.treeBytes === null ? 'an unknown amount' : formatDecimalGB(before.treeBytes)} (${before.metric}), host available ${before.availableBytes === null ? `unknown (${before.availableWhy})` : formatBytes(before.availableBytes)}`);

  const url = `http://127.0.0.1:${u.target.port}${request.path}`;
  const res = await deps.effects.http({ url, method: 'POST', body: request.body, headers: { 'content-type': 'application/json' }, timeoutMs: UNLOAD_REQUEST_MS, maxBodyBytes: 4096 });
  if (res.status === null) return steps.done(false, `${label} did not take the unload: ${res.timedOut ? `no answer within ${UNLOAD_REQUEST_MS / 1000} s` : res.error ?? 'no answer'}`);
  const said = res.body.trim().replace(/\s+/g, ' ').slice(0, 160);
  if (res.status < 200 || res.status > 299) return steps.done(false, `${label} refused to unload ${name}: HTTP ${res.status}${said ? ` ${said}` : ''}`);
  steps.add(`POST ${request.path} ${request.body}: HTTP ${res.status}`);

  // Wait for the model to leave the list, then for the memory to stop falling.
  const waits = waitsOf(deps);
  const deadline = deps.clock.now() + UNLOAD_WAIT_SECONDS * 1000;
  let listed = true;
  let listWhy = '';
  while (deps.clock.now() < deadline) {
    const read = await readModels(deps.facts, { ...u.target, timeoutMs: Math.min(u.target.timeoutMs, 5_000) });
    if (read.ok) {
      listed = read.value.models.some((m) => m.name === name && m.state !== 'served');
      if (!listed) break;
    } else listWhy = read.reason;
    await deps.clock.sleep(waits.pollMs);
  }
  let after = await measure(deps, u);
  while (deps.clock.now() < deadline) {
    await deps.clock.sleep(waits.pollMs);
    const next = await measure(deps, u);
    const settled = next.treeBytes !== null && after.treeBytes !== null && Math.abs(next.treeBytes - after.treeBytes) < 1024 * 1024;
    after = next;
    if (settled) break;
  }
  const freed = before.treeBytes !== null && after.treeBytes !== null ? before.treeBytes - after.treeBytes : null;
  const hostGain = before.availableBytes !== null && after.availableBytes !== null ? after.availableBytes - before.availableBytes : null;
  const tree = `PID ${pid} and its children ${change(before.treeBytes, after.treeBytes, formatDecimalGB)}`;
  const host = `host available ${change(before.availableBytes, after.availableBytes, formatBytes)}${hostGain === null ? '' : ` (${hostGain >= 0 ? '+' : '−'}${formatBytes(Math.abs(hostGain))})`}`;
  const numbers = `${tree}${freed !== null && freed > 0 ? ` (${formatDecimalGB(freed)} given back)` : ''}; ${host}`;
  if (listed) {
    return steps.done(false, `${label} still lists ${name} ${UNLOAD_WAIT_SECONDS} s after accepting the unload${listWhy ? ` (${listWhy})` : ''}; ${numbers}`);
  }
  if (freed === null || freed < NOTHING_FREED_BYTES) {
    return steps.done(true, `${label} unloaded ${name}, but that freed nothing measurable: ${numbers}`);
  }
  return steps.done(true, `${label} unloaded ${name}: ${numbers}`);
}
