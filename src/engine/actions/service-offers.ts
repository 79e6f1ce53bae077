import type { ActionOffer, ServiceView } from '../../common/services.js';
import { baseName } from '../../common/text.js';
import { describeArgv } from '../../platform/facts.js';
import type { Supervisor } from '../services/supervision.js';

/**
 * The actions a service offers and their confirmation text, each saying exactly what restart.ts
 * or readopt.ts will do. What differs by supervisor is asked of the supervisor (its own restart,
 * its launchd job, the command Warden runs), never by instanceof.
 */

export interface ServiceOfferInput {
  name: string;
  view: ServiceView;
  supervisor: Supervisor | null;
  /** The health URL the action waits for, if the service has one. */
  probeUrl: string | null;
  healthWaitSeconds: number;
  /** Found by discovery, not in the config file: Watch is offered. */
  discovered: boolean;
  port: number | null;
  /** A path as the operator reads it (~ for the home folder). */
  shownPath: (path: string) => string;
}

export function serviceOffers(input: ServiceOfferInput): ActionOffer[] {
  const { name, view, supervisor, probeUrl } = input;
  const wait = probeUrl ? `, then wait up to ${input.healthWaitSeconds} s for ${probeUrl} to answer` : '';
  const offers: ActionOffer[] = [];
  const own = supervisor?.restartConfirm?.(view) ?? null;
  if (own) offers.push({ id: `restart:${name}`, kind: 'restart', target: name, label: 'Restart', confirm: `${own}${wait}.` });
  const control = supervisor?.commandControl?.() ?? null;
  if (control) {
    const config = control.config;
    const stop = view.process
      ? config.stop
        ? `Run ${describeArgv(config.stop)} to stop PID ${view.process.pid}`
        : `Stop PID ${view.process.pid} (${view.process.name}) with SIGTERM after checking it is still the same process`
      : 'Nothing runs, so nothing is stopped';
    offers.push({
      id: `restart:${name}`,
      kind: 'restart',
      target: name,
      label: view.process ? 'Restart' : 'Start',
      confirm: `${stop}; start ${describeArgv(config.start)}${wait}.`,
    });
  }
  if (input.discovered) {
    const where = [probeUrl, input.port !== null ? `port ${input.port}` : null].filter(Boolean).join(', ');
    offers.push({
      id: `watch:${name}`,
      kind: 'watch',
      target: name,
      label: 'Watch from now on',
      confirm: `Add ${name} (${where}) to the config file as a service: Warden then pages when it stops or stops answering. Only its URL and port are written; no command.`,
    });
  }
  const orphan = view.orphan;
  const job = supervisor?.launchdJob?.() ?? null;
  if (view.state === 'orphaned' && job && orphan?.matchingBackup && orphan.canonicalPath && view.process) {
    const canonical = input.shownPath(orphan.canonicalPath);
    const copy = orphan.matchingBackup === orphan.canonicalPath ? `Check ${canonical}` : `Copy ${baseName(orphan.matchingBackup)} to ${canonical}, check it`;
    const then = probeUrl ? `wait for ${probeUrl} to answer` : `check that launchd runs ${job.label}`;
    offers.push({
      id: `readopt:${name}`,
      kind: 'readopt',
      target: name,
      label: 'Re-adopt',
      confirm: `${copy} with plutil -lint, stop PID ${view.process.pid} (SIGTERM), load it with launchctl bootstrap ${job.domain}, and ${then}.`,
    });
  }
  return offers;
}
