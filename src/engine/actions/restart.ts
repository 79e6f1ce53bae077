import type { ProcessRow } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import { commandProblem, describeArgv } from '../../platform/facts.js';
import { readPortListeners } from '../../platform/lsof.js';
import type { ServiceTarget } from '../services/monitor.js';
import type { CommandControl } from '../services/supervision.js';
import { signalProcess } from './guard.js';
import { type ActionDeps, type Outcome, Steps, seconds, waitForGone, waitForHealth, waitsOf } from './wait.js';

/** A file name for the service's log that cannot leave the log folder, whatever the name holds. */
export function logFileName(service: string): string {
  return `service-${service.replace(/[^A-Za-z0-9._-]/g, '_')}.log`;
}

/**
 * Restarts a supervised service the supervisor's way (launchctl kickstart -k, systemctl
 * restart) or, for a command, stops it (its stop command, or a guarded SIGTERM) and starts it
 * detached; then waits for the health probe. Downtime runs from the stop to the first answer.
 */
export async function restartService(deps: ActionDeps, target: ServiceTarget): Promise<Outcome> {
  const steps = new Steps(deps.clock);
  const name = target.config.name;
  let downSince: number;
  let started = '';
  const own = target.supervisor?.restartCommand?.() ?? null;
  const control = target.supervisor?.commandControl?.() ?? null;
  if (own) {
    const argv = own.argv;
    downSince = deps.clock.now();
    steps.add(`ran ${describeArgv(argv)}`);
    const result = await deps.effects.run(argv, { timeoutMs: own.timeoutMs });
    const problem = commandProblem(result);
    if (problem) return steps.done(false, `restart failed: ${problem}`);
  } else if (control) {
    const stopped = await stopCommand(deps, target, control, steps);
    if (!stopped.ok) return steps.done(false, stopped.reason);
    downSince = stopped.at;
    const logPath = deps.logDir ? `${deps.logDir.replace(/\/+$/, '')}/${logFileName(name)}` : undefined;
    const spawned = await deps.effects.spawnDetached(control.config.start, {
      ...(control.config.cwd ? { cwd: control.config.cwd } : {}),
      ...(logPath ? { logPath } : {}),
    });
    if ('reason' in spawned) return steps.done(false, `could not start ${describeArgv(control.config.start)}: ${spawned.reason}`);
    control.adopt(spawned.pid);
    started = `PID ${spawned.pid}`;
    steps.add(`started ${describeArgv(control.config.start)} as PID ${spawned.pid}${logPath ? `, output to ${logPath}` : ''}`);
  } else {
    return steps.done(false, `${name} has no supervisor to restart it with`);
  }

  if (!target.probe) return steps.done(true, `${name} ${started ? `started as ${started}` : 'restarted'}; no health URL is configured, so Warden did not wait for it`);
  const waited = await waitForHealth(deps, target.probe, deps.clock.now() + waitsOf(deps).healthSeconds * 1000);
  if (!waited.ok) {
    return steps.done(false, `${name} was restarted but ${target.probe.url} did not answer within ${waitsOf(deps).healthSeconds} s (last: ${waited.last})`);
  }
  const downtime = Math.round((waited.at - downSince) / 100) / 10;
  steps.add(`${target.probe.url} answered: ${waited.outcome.measured}`);
  return steps.done(true, `${name} answers again (${waited.outcome.measured}), ${seconds(waited.at - downSince)} after it was stopped`, downtime);
}

async function stopCommand(
  deps: ActionDeps,
  target: ServiceTarget,
  supervisor: CommandControl,
  steps: Steps,
): Promise<{ ok: true; at: number } | { ok: false; reason: string }> {
  const running = target.view.process;
  if (!running) {
    steps.add('nothing runs, so nothing was stopped');
    return { ok: true, at: deps.clock.now() };
  }
  const at = deps.clock.now();
  const stop = supervisor.config.stop;
  if (stop) {
    steps.add(`ran ${describeArgv(stop)}`);
    const result = await deps.effects.run(stop, { timeoutMs: waitsOf(deps).exitSeconds * 1000 });
    const problem = commandProblem(result);
    if (problem) return { ok: false, reason: `the stop command failed: ${problem}; nothing was started` };
  } else {
    const belongs = (row: ProcessRow) => servesService(deps, supervisor, target.port, row);
    const sent = await signalProcess(deps.facts, deps.effects, running, 'SIGTERM', deps.uid, at, { belongs, ...(deps.ownPid !== undefined ? { ownPid: deps.ownPid } : {}) });
    if (!sent.ok) return { ok: false, reason: `not stopped: ${sent.reason}` };
    steps.add(sent.value);
  }
  const gone = await waitForGone(deps, running, target.port, deps.clock.now() + waitsOf(deps).exitSeconds * 1000);
  if (!gone.ok) return { ok: false, reason: `${gone.reason} ${waitsOf(deps).exitSeconds} s after it was asked to stop; nothing was started` };
  steps.add(`PID ${running.pid} is gone${target.port !== null ? ` and port ${target.port} is free` : ''}`);
  return { ok: true, at };
}

/**
 * The process a command service's Restart would SIGTERM must be that service's: it runs the
 * configured start command (or the service's `match`), or it listens on the service's port now.
 * A pidfile alone proves nothing: it may be stale, its pid reused, or written by someone else.
 */
async function servesService(deps: ActionDeps, supervisor: CommandControl, port: number | null, row: ProcessRow): Promise<Part<true>> {
  if (supervisor.runsStart(row.command)) return { ok: true, value: true };
  const start = describeArgv(supervisor.config.start);
  const runs = `PID ${row.pid} runs ${JSON.stringify(row.command.slice(0, 120))}, not ${start.length > 120 ? `${start.slice(0, 119)}…` : start}`;
  if (port === null) return { ok: false, reason: `${runs}, and no port is configured to vouch for it: not this service's process` };
  const listeners = await readPortListeners(deps.facts, port);
  if (!listeners.ok) return { ok: false, reason: `${runs}, and who listens on port ${port} cannot be read (${listeners.reason})` };
  if (listeners.value.some((l) => l.pid === row.pid)) return { ok: true, value: true };
  return { ok: false, reason: `${runs}, and does not listen on port ${port}: not this service's process` };
}
