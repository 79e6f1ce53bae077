import os from 'node:os';
import { plainText } from '../common/text.js';
import { ChannelHub } from '../engine/channels/hub.js';
import { UsageError } from './errors.js';
import type { CliValues } from './options.js';
import { loadConfig, out } from './command-inputs.js';

/** `warden notify-test [CHANNEL]`: one test notice to each channel (or the one named), outside the queue. */
export async function runNotifyTest(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 1) throw new UsageError(`notify-test takes at most one CHANNEL (got ${rest.length})`);
  const only = rest[0] ?? null;
  const { loaded } = await loadConfig(values);
  const hub = await ChannelHub.open({ history: null, host: { hostname: os.hostname(), platform: process.platform } });
  hub.configure(loaded.config.notifications.channels);
  const names = hub.names();
  if (names.length === 0) {
    process.stderr.write('warden: no channels configured (notifications.channels in the config; see docs/judgement.md)\n');
    return 1;
  }
  if (only !== null && !names.includes(only)) {
    throw new UsageError(`no channel named "${plainText(only, 60)}"; configured: ${names.join(', ')}`);
  }
  const results = await hub.test(only);
  await hub.stop();
  for (const { name, kind, result } of results) {
    out(`${result.ok ? 'sent' : 'FAILED'}  ${name} (${kind}): ${result.text}\n`);
  }
  return results.every((r) => r.result.ok) ? 0 : 1;
}
