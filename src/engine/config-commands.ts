import type { ConfigProblem } from '../common/api.js';
import type { SupervisorConfig, WardenConfigInput } from '../common/config.js';

/**
 * What Warden may run, restart or signal comes only from the config file on disk, edited by its
 * owner. A service's supervisor is exactly that: a command supervisor's `start`/`stop` argv (and
 * the `cwd`, pidfile and port that say where it runs and whom it signals), a launchd plist that
 * re-adopt bootstraps, a launchd label or systemd unit that restart kicks. So the views (the
 * popover over IPC, `warden serve` over HTTP, both only as strong as the token) may change
 * thresholds, URLs, notifications and the rest, never a supervisor: not add one, not change one,
 * not remove one. Returns one problem per supervisor that differs from the file's.
 */
export function supervisorChanges(onDisk: WardenConfigInput, next: WardenConfigInput, file: string): ConfigProblem[] {
  const before = supervisorsByService(onDisk);
  const problems: ConfigProblem[] = [];
  const where = `commands and supervisors are set only in the config file (${file}), by editing it; nothing was saved`;
  (next.services ?? []).forEach((service, i) => {
    const was = before.get(service.name);
    const now = service.supervisor;
    if (now === undefined && was === undefined) return;
    if (now === undefined) problems.push({ field: `services.${i}.supervisor`, message: `${service.name}: its supervisor cannot be removed from here: ${where}` });
    else if (was === undefined) problems.push({ field: `services.${i}.supervisor`, message: `${service.name}: a supervisor cannot be added from here: ${where}` });
    else if (canonical(was) !== canonical(now)) problems.push({ field: `services.${i}.supervisor`, message: `${service.name}: its supervisor cannot be changed from here: ${where}` });
  });
  for (const [name] of before) {
    if (!(next.services ?? []).some((s) => s.name === name)) {
      problems.push({ field: 'services', message: `${name}: a supervised service cannot be removed or renamed from here: ${where}` });
    }
  }
  return problems;
}

function supervisorsByService(input: WardenConfigInput): Map<string, SupervisorConfig> {
  const map = new Map<string, SupervisorConfig>();
  for (const service of input.services ?? []) if (service.supervisor !== undefined) map.set(service.name, service.supervisor);
  return map;
}

/** JSON with its keys sorted, so key order never reads as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
