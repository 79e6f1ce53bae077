/**
 * The one IPC contract between the popover (via the preload) and the main process, and the
 * checks every argument passes before the engine sees it, read from the schemas (the config's
 * own for a service and a config). `warden serve` checks its HTTP bodies with the same
 * functions, so both doors refuse the same things.
 */
import type { ConfigProblem, ConfigSaveResult, MemoryHistoryPoint, SnoozeFor, SnoozeTarget } from './api.js';
import type { ServiceConfig, WardenConfigInput } from './config.js';
import type { ConfigFacts } from './config-facts.js';
import type { ActionOffer, ActionResult, ProbeView } from './services.js';
import type { State } from './state.js';
import { CONFIG_SCHEMA, ServiceSchema } from './config-schema.js';
import { all, type Check, checkOf, isPlainObject, jsonValue, shapeOf } from './schema-check.js';

/** Request/response channels (ipcRenderer.invoke → ipcMain.handle). */
export interface InvokeChannels {
  'state:get': { args: []; result: State };
  'action:run': { args: [actionId: string]; result: ActionResult };
  'snooze:set': { args: [target: SnoozeTarget, duration: SnoozeFor]; result: void };
  'config:get': { args: []; result: WardenConfigInput };
  'config:set': { args: [config: WardenConfigInput]; result: ConfigSaveResult };
  'probe:test': { args: [service: ServiceConfig]; result: ProbeView };
  'history:memory': { args: []; result: MemoryHistoryPoint[] };
  'config:facts': { args: []; result: ConfigFacts };
  /** Opens (or brings up) the settings window. */
  'window:settings': { args: []; result: void };
  /** Closes the sender's own window: the popover hides (Esc), the settings window closes (Done). */
  'window:close': { args: []; result: void };
}

/** Main → renderer messages. */
export interface PushChannels {
  'state:push': State;
}

export type InvokeChannel = keyof InvokeChannels;
export type PushChannel = keyof PushChannels;
export type InvokeArgs<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C]['result'];

export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['state:get', 'action:run', 'snooze:set', 'config:get', 'config:set', 'probe:test', 'history:memory', 'config:facts', 'window:settings', 'window:close'];
export const STATE_PUSH: PushChannel = 'state:push';

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && (INVOKE_CHANNELS as readonly string[]).includes(value);
}

// The channels' own arguments, as JSON Schema the same check reads.
const name = { type: 'string', minLength: 1, maxLength: 100 };

export const checkActionId: Check = checkOf({ type: 'string', minLength: 1, maxLength: 300 });

export const checkSnoozeTarget: Check = checkOf({
  anyOf: [
    { type: 'object', additionalProperties: false, required: ['scope'], properties: { scope: { const: 'all' } } },
    { type: 'object', additionalProperties: false, required: ['scope', 'name'], properties: { scope: { const: 'service' }, name } },
  ],
});

export const checkSnoozeFor: Check = checkOf({ enum: ['1h', 'tomorrow', 'off'] });

/** probe:test: the service it would probe, against the config schema's own service (the engine then checks it as it checks a file). */
export const checkServiceConfig: Check = checkOf(ServiceSchema);

/**
 * config:set checks the shape only: a JSON object with the schema's top-level fields, each of
 * the right kind. Field-level rules (URLs, paths, ranges, duplicates) are the engine's, which
 * answers with ConfigProblems the settings view shows next to each field. The engine also
 * refuses any change to a service's supervisor (what Warden runs and signals): those come only
 * from the file.
 */
const CONFIG_SHAPE = shapeOf(CONFIG_SCHEMA);
const listItems = jsonValue({ depth: 6, nodes: 2000 });
export const checkConfigInput: Check = all(
  jsonValue({ depth: 8, nodes: 20000 }),
  (value, path) => {
    if (!isPlainObject(value)) return null;
    for (const [key, items] of Object.entries(value)) {
      if (!Array.isArray(items) || CONFIG_SHAPE.properties?.[key]?.type !== 'array') continue;
      for (let i = 0; i < items.length && i < 1000; i++) {
        const problem = listItems(items[i], `${path}.${key}.${i}`);
        if (problem) return problem;
      }
    }
    return null;
  },
  checkOf(CONFIG_SHAPE),
);

const ARG_CHECKS: { [C in InvokeChannel]: { names: string[]; checks: Check[] } } = {
  'state:get': { names: [], checks: [] },
  'action:run': { names: ['actionId'], checks: [checkActionId] },
  'snooze:set': { names: ['target', 'duration'], checks: [checkSnoozeTarget, checkSnoozeFor] },
  'config:get': { names: [], checks: [] },
  'config:set': { names: ['config'], checks: [checkConfigInput] },
  'probe:test': { names: ['service'], checks: [checkServiceConfig] },
  'history:memory': { names: [], checks: [] },
  'config:facts': { names: [], checks: [] },
  'window:settings': { names: [], checks: [] },
  'window:close': { names: [], checks: [] },
};

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Checks the arguments of one invoke: the channel is known, the count is exact, every argument fits. */
export function checkInvoke<C extends InvokeChannel>(channel: C, args: readonly unknown[]): Checked<InvokeArgs<C>>;
export function checkInvoke(channel: unknown, args: readonly unknown[]): Checked<unknown[]>;
export function checkInvoke(channel: unknown, args: readonly unknown[]): Checked<unknown[]> {
  if (!isInvokeChannel(channel)) return { ok: false, problem: `unknown channel ${JSON.stringify(String(channel).slice(0, 60))}` };
  if (!Array.isArray(args)) return { ok: false, problem: `${channel}: arguments must be a list` };
  const spec = ARG_CHECKS[channel];
  if (args.length !== spec.checks.length) {
    return { ok: false, problem: `${channel}: expected ${spec.checks.length} argument(s) (${spec.names.join(', ') || 'none'}), got ${args.length}` };
  }
  for (let i = 0; i < spec.checks.length; i++) {
    const problem = spec.checks[i]!(args[i], spec.names[i]!);
    if (problem) return { ok: false, problem: `${channel}: ${problem}` };
  }
  return { ok: true, value: [...args] };
}

/** Every action the current State offers, from findings, services and locks, once each. */
export function offeredActions(state: State): ActionOffer[] {
  const byId = new Map<string, ActionOffer>();
  const add = (offers: readonly ActionOffer[]) => {
    for (const offer of offers) if (!byId.has(offer.id)) byId.set(offer.id, offer);
  };
  for (const finding of state.findings) add(finding.actions);
  for (const service of state.services) add(service.actions);
  for (const lock of state.locks) add(lock.actions);
  for (const server of state.models ?? []) for (const model of server.models) add(model.actions);
  return [...byId.values()];
}

export function findOffer(state: State, actionId: string): ActionOffer | null {
  return offeredActions(state).find((offer) => offer.id === actionId) ?? null;
}

/** One log line for a config a view asked to save and the engine refused (a supervisor changed, a bad field). */
export function configProblemsText(problems: readonly ConfigProblem[]): string {
  const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/** The answer both shells give for an action the current State does not offer: nothing is done. */
export function notOffered(actionId: string, at: number): ActionResult {
  return {
    id: actionId,
    ok: false,
    steps: [],
    message: `Not offered now: "${actionId.slice(0, 100)}". The state changed since it was shown; nothing was done.`,
    downtimeSeconds: null,
    startedAt: at,
    finishedAt: at,
  };
}
