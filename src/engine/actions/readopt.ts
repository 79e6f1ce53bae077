import { commandProblem, describeArgv, type CommandResult } from '../../platform/facts.js';
import { readLaunchdJob } from '../../platform/darwin/launchctl.js';
import { lintPlist } from '../../platform/darwin/plist.js';
import type { ServiceTarget } from '../services/monitor.js';
import { signalProcess } from './guard.js';
import { type ActionDeps, type Outcome, Steps, seconds, waitForGone, waitForHealth, waitsOf } from './wait.js';

const BOOTSTRAP_TIMEOUT_MS = 10_000;
const BOOTSTRAP_RETRY_MS = 1_000;
/** launchctl's EIO: for a few seconds after a bootout (or a process of the job exiting) bootstrap fails with it. */
const EXIT_EIO = 5;

function said(result: CommandResult): string {
  return `${result.stderr}\n${result.stdout}`.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? `exit ${result.exitCode}`;
}

/**
 * Puts an orphan back under launchd, the way it was done by hand on 2026-05-10: copy the
 * backup whose ProgramArguments match the running command line to the canonical plist path,
 * plutil -lint it, SIGTERM the orphan (identity re-checked), wait for it and its port to go,
 * launchctl bootstrap the plist (retrying launchd's transient EIO), and wait for the health
 * probe. Each failure stops at once and says what state it left.
 */
export async function readoptService(deps: ActionDeps, target: ServiceTarget): Promise<Outcome> {
  const steps = new Steps(deps.clock);
  const { config, view } = target;
  const name = config.name;
  const orphan = view.orphan;
  const supervisor = target.supervisor?.launchdJob?.() ?? null;
  if (!supervisor) return steps.done(false, `${name} is not a launchd service`);
  if (view.state !== 'orphaned' || !orphan) return steps.done(false, `${name} is not orphaned (${view.state}: ${view.stateReason})`);
  const canonical = orphan.canonicalPath;
  const source = orphan.matchingBackup;
  if (!canonical || !source) return steps.done(false, `no plist matches the running command line of PID ${orphan.process.pid}`);
  const waits = waitsOf(deps);

  let copied = false;
  if (source !== canonical) {
    const now = await deps.facts.stat(canonical);
    if (now.exists || now.error) {
      return steps.done(false, `${canonical} ${now.error ? `cannot be checked (${now.error})` : 'exists now'}; not overwriting it. Nothing was changed`);
    }
    const copy = await deps.effects.copyFile(source, canonical);
    if (!copy.ok) return steps.done(false, `could not copy ${source} to ${canonical}: ${copy.reason}. Nothing was changed`);
    copied = true;
    steps.add(`copied ${source} to ${canonical}`);
  }

  const lint = await lintPlist(deps.facts, canonical);
  if (lint.ok !== true) {
    const left = copied ? `; the copy stays at ${canonical}, not loaded` : '';
    return steps.done(false, `plutil -lint ${canonical}: ${lint.message}; PID ${orphan.process.pid} was not touched${left}`);
  }
  steps.add(`plutil -lint ${canonical}: ${lint.message}`);

  const stopAt = deps.clock.now();
  const sent = await signalProcess(deps.facts, deps.effects, orphan.process, 'SIGTERM', deps.uid, stopAt, deps.ownPid !== undefined ? { ownPid: deps.ownPid } : {});
  if (!sent.ok) return steps.done(false, `not stopped: ${sent.reason}. ${canonical} is in place but was not loaded`);
  steps.add(sent.value);

  const gone = await waitForGone(deps, orphan.process, target.port, deps.clock.now() + waits.exitSeconds * 1000);
  if (!gone.ok) {
    return steps.done(false, `${gone.reason} ${waits.exitSeconds} s after SIGTERM; launchd was not asked to load ${canonical}`);
  }
  steps.add(`PID ${orphan.process.pid} exited${target.port !== null ? ` and port ${target.port} is free` : ''}`);

  const argv = ['launchctl', 'bootstrap', supervisor.domain, canonical];
  const retryUntil = deps.clock.now() + waits.bootstrapRetrySeconds * 1000;
  for (;;) {
    const result = await deps.effects.run(argv, { timeoutMs: BOOTSTRAP_TIMEOUT_MS });
    if (!commandProblem(result)) {
      steps.add(`ran ${describeArgv(argv)}: loaded`);
      break;
    }
    if (result.exitCode === EXIT_EIO && !result.timedOut && deps.clock.now() + BOOTSTRAP_RETRY_MS <= retryUntil) {
      steps.add(`ran ${describeArgv(argv)}: ${said(result)}; retrying in ${BOOTSTRAP_RETRY_MS / 1000} s`);
      await deps.clock.sleep(BOOTSTRAP_RETRY_MS);
      continue;
    }
    return steps.done(false, `${describeArgv(argv)} failed: ${commandProblem(result)}. ${name} is stopped and not loaded`);
  }

  let answered = '';
  let upAt: number;
  if (target.probe) {
    const waited = await waitForHealth(deps, target.probe, deps.clock.now() + waits.healthSeconds * 1000);
    if (!waited.ok) {
      return steps.done(false, `launchd loaded ${supervisor.label}, but ${target.probe.url} did not answer within ${waits.healthSeconds} s (last: ${waited.last})`);
    }
    upAt = waited.at;
    answered = waited.outcome.measured;
    steps.add(`${target.probe.url} answered: ${answered}`);
  } else {
    upAt = deps.clock.now();
  }

  const job = await readLaunchdJob(deps.facts, supervisor.domain, supervisor.label);
  const shown = job.ok && job.value.loaded ? `state = ${job.value.job.state}${job.value.job.pid ? `, PID ${job.value.job.pid}` : ''}` : null;
  if (shown) steps.add(`launchctl print ${supervisor.target}: ${shown}`);
  const downtime = Math.round((upAt - stopAt) / 100) / 10;
  return steps.done(
    true,
    `${name} is supervised by launchd again (${supervisor.target}${shown ? `, ${shown}` : ''})${answered ? ` and answers (${answered})` : ''}; down for ${seconds(upAt - stopAt)}`,
    downtime,
  );
}
