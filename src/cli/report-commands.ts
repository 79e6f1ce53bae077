import type { State } from '../common/state.js';
import type { Notification } from '../common/findings.js';
import type { Severity } from '../common/severity.js';
import { plainText } from '../common/text.js';
import { formatDuration } from '../common/format.js';
import { timeWithZone } from '../common/zoned-time.js';
import pc from 'picocolors';
import { dataDir as defaultDataDir } from '../engine/paths.js';
import { createEngine } from '../engine/create.js';
import { tuneLongRun } from '../engine/long-run.js';
import { HistoryStore } from '../engine/history.js';
import { stderrLog } from './terminal.js';
import { renderStatus } from './render.js';
import { renderNotification } from './render-notification.js';
import { renderServices } from './render-services.js';
import { renderIncidents } from './render-incidents.js';
import { UsageError } from './errors.js';
import type { CliValues } from './options.js';
import { fitOf, liveState, loadConfig, out, replayState } from './command-inputs.js';
import { startOwnMetrics, untilInterrupted } from './command-lifetime.js';

/** The commands that report: `warden status`, `watch`, `services` and `incidents`. */

const EXIT_BY_LEVEL: Record<Severity, number> = { ok: 0, warn: 1, crit: 2, unknown: 3 };

/** A frame drawn over the last: cursor home, each line cleared to its end, the rest of the screen cleared. No flash. */
function inPlace(frame: string): string {
  return `\u001b[H${frame.replace(/\n$/, '').replaceAll('\n', '\u001b[K\n')}\u001b[K\n\u001b[J`;
}

function watchHeader(state: State, now: number): string {
  return pc.dim(`warden watch · ${timeWithZone(now, { seconds: true })} · every ${formatDuration(state.intervalSeconds)} · Ctrl-C to stop`);
}

export async function runStatus(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`status takes no arguments (got "${rest[0]}")`);
  const state = values.replay ? await replayState(values) : await liveState(values);
  if (values.json) out(`${JSON.stringify(state, null, 2)}\n`);
  else out(renderStatus(state, state.replay ? (state.sampledAt ?? Date.now()) : Date.now(), fitOf(values)));
  return values.check ? EXIT_BY_LEVEL[state.level] : 0;
}

export async function runWatch(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`watch takes no arguments (got "${rest[0]}")`);
  const printNotification = (n: Notification) => out(renderNotification(n));
  if (values.replay) {
    // A replay has no wall clock: print each notification as the engine would send it, then the end state.
    const state = await replayState(values, values.notify ? printNotification : undefined);
    if (!values.notify) out(renderStatus(state, state.sampledAt ?? Date.now(), fitOf(values)));
    return 0;
  }
  const intervalSeconds = values.interval;
  const { loaded, file } = await loadConfig(values);
  const engine = await createEngine({ config: loaded, configPath: file, deliver: true, log: stderrLog('warden'), ...(intervalSeconds === undefined ? {} : { intervalSeconds }) });
  const history = engine.currentState().history;
  if (history.readOnly) process.stderr.write(`warden: history ${plainText(history.reason ?? '', 300)}\n`);
  const tty = process.stdout.isTTY;
  if (values.notify) {
    engine.onNotification(printNotification);
    out(`warden: watching; notifications print here as the app would send them (Ctrl-C to stop)\n`);
  } else {
    engine.subscribe((state) => {
      const now = Date.now();
      const frame = `${watchHeader(state, now)}\n${renderStatus(state, now, fitOf(values))}`;
      out(tty ? inPlace(frame) : `${frame}\n`);
    });
  }
  const metrics = await startOwnMetrics(values, loaded, engine);
  const tuning = tuneLongRun(engine);
  engine.start();
  await untilInterrupted();
  tuning.stop();
  await metrics?.close();
  await engine.stop();
  return 0;
}

export async function runServices(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`services takes no arguments (got "${rest[0]}")`);
  const state = values.replay ? await replayState(values) : await liveState(values);
  if (values.json) out(`${JSON.stringify(state.services, null, 2)}\n`);
  else out(renderServices(state));
  return 0;
}

export async function runIncidents(values: CliValues, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError(`incidents takes no arguments (got "${rest[0]}")`);
  const since = values.since ? parseSince(values.since, Date.now()) : Date.now() - 7 * 86_400_000;
  const store = await HistoryStore.open(defaultDataDir());
  const reading = await store.readIncidents();
  const incidents = reading.incidents.filter((i) => (i.closedAt ?? Date.now()) >= since);
  if (values.json) out(`${JSON.stringify({ incidents, skipped: reading.skipped, problems: reading.problems, unreadable: reading.unreadable }, null, 2)}\n`);
  else out(renderIncidents(incidents, reading, since));
  return 0;
}

export function parseSince(text: string, now: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/.exec(text.trim());
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] === 'd' ? 86_400_000 : m[2] === 'h' ? 3_600_000 : 60_000;
    return now - n * unit;
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--since takes 30m, 24h, 7d or an ISO date (got "${text}")`);
  return t;
}
