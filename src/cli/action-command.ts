import { createInterface } from 'node:readline/promises';
import type { State } from '../common/state.js';
import type { ActionOffer } from '../common/services.js';
import { plainText } from '../common/text.js';
import { formatDuration } from '../common/format.js';
import { offeredActions } from '../common/ipc.js';
import { createEngine } from '../engine/create.js';
import { unloadActionId } from '../engine/models.js';
import type { Engine } from '../engine/engine.js';
import { UsageError } from './errors.js';
import type { CliValues } from './options.js';
import { loadConfig, out } from './command-inputs.js';

/** `warden restart|readopt|release|add|unload`: an action on offer, confirmed, then run. */

const ACTION_VERB: Record<string, ActionOffer['kind']> = { restart: 'restart', readopt: 'readopt', release: 'release', add: 'watch', unload: 'unload' };

export async function runAction(command: string, values: CliValues, rest: string[]): Promise<number> {
  const kind = ACTION_VERB[command]!;
  const [target = '', model = '', ...extra] = rest;
  if (target === '' || extra.length > 0 || (kind === 'unload') !== (model !== '')) {
    throw new UsageError(kind === 'unload' ? 'unload takes a SERVER and a MODEL' : `${command} takes exactly one ${command === 'release' ? 'PATH' : 'NAME'}`);
  }
  const { loaded, file } = await loadConfig(values);
  const engine: Engine = await createEngine({ config: loaded, configPath: file });
  try {
    // Two cycles: the second sees probe and supervision results the first started.
    await engine.tick();
    await new Promise((r) => setTimeout(r, 1000));
    const state = await engine.tick();
    const offers = offeredActions(state);
    const offer = kind === 'unload' ? offers.find((a) => a.id === unloadActionId(target, model)) : offers.find((a) => a.kind === kind && a.target === target);
    if (!offer) {
      process.stderr.write(`warden: cannot ${command} ${plainText(rest.join(' '), 200)}: ${notOfferedWhy(state, kind, target, offers)}\n`);
      return 1;
    }
    out(`${plainText(offer.confirm, 1000)}\n`);
    if (!values.yes) {
      if (!process.stdin.isTTY) {
        process.stderr.write('warden: not a terminal; pass --yes to confirm\n');
        return 1;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question('Go ahead? [y/N] ');
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        out('nothing done\n');
        return 1;
      }
    }
    const result = await engine.runAction(offer.id);
    for (const step of result.steps) out(`  ${plainText(step, 300)}\n`);
    const downtime = result.downtimeSeconds === null ? '' : ` (downtime ${formatDuration(result.downtimeSeconds)})`;
    out(`${result.ok ? 'done' : 'FAILED'}: ${plainText(result.message, 300)}${downtime}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await engine.stop();
  }
}

/** Why the action asked for is not on offer, with what is. */
function notOfferedWhy(state: State, kind: ActionOffer['kind'], target: string, offers: ActionOffer[]): string {
  if (kind === 'unload') {
    const server = state.models.find((m) => m.service === target);
    if (!server) return `no local LLM server named "${plainText(target, 100)}" is watched now`;
    if (server.read !== 'ok') return `its models are ${server.read === 'unknown' ? 'unknown' : 'not read'}: ${server.reason ?? ''}`;
    const unloadable = server.models.filter((m) => m.actions.length > 0).map((m) => m.name);
    return unloadable.length > 0 ? `it has ${unloadable.map((n) => plainText(n, 80)).join(', ')} to unload` : 'it has no model Warden can unload now';
  }
  const same = offers.filter((a) => a.target === target).map((a) => a.kind);
  return same.length > 0 ? `only ${same.join(', ')} is offered for it now` : `nothing is offered for "${plainText(target, 100)}" now`;
}
