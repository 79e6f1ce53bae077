/**
 * Zero-config supervision: which launchd job or systemd unit owns a service nobody configured a
 * supervisor for. Found, it becomes the service's supervisor (shown, and Restart works); not
 * found, "nothing restarts it" is said because it was looked for.
 */
import type { SupervisorConfig } from '../../common/config.js';
import type { ProcessRow } from '../../common/processes.js';
import type { Part } from '../../common/result.js';
import type { Facts } from '../../platform/facts.js';
import { readCgroupUnit } from '../../platform/linux/cgroup.js';
import { ownedBy } from './classify.js';

export type Owner = { found: true; supervisor: SupervisorConfig } | { found: false; reason: string };

export interface OwnerContext {
  facts: Facts;
  platform: 'darwin' | 'linux';
  uid: number;
  rows: ReadonlyMap<number, ProcessRow>;
  /** The user's launchd domain, pid → label (the monitor's cached listing). */
  launchdOwners: (domain: string) => Promise<Part<Map<number, string>>>;
}

/** Who owns `pid` (or an ancestor of it): measured, or the reason it could not be. */
export async function findOwner(ctx: OwnerContext, pid: number): Promise<Part<Owner>> {
  if (ctx.platform === 'darwin') {
    const domain = `gui/${ctx.uid}`;
    const owners = await ctx.launchdOwners(domain);
    if (!owners.ok) return owners;
    for (const [jobPid, label] of owners.value) {
      if (ownedBy(pid, new Set([jobPid]), ctx.rows)) return { ok: true, value: { found: true, supervisor: { kind: 'launchd', label, domain } } };
    }
    return { ok: true, value: { found: false, reason: `no launchd job in ${domain} runs PID ${pid} or a parent of it (launchctl print ${domain}, ${owners.value.size} jobs running)` } };
  }
  const unit = await readCgroupUnit(ctx.facts, pid);
  if (!unit.ok) return unit;
  if (unit.value) return { ok: true, value: { found: true, supervisor: { kind: 'systemd', unit: unit.value.unit, scope: unit.value.scope } } };
  return { ok: true, value: { found: false, reason: `PID ${pid} is in no systemd service (/proc/${pid}/cgroup)` } };
}

/** What a service without a configured supervisor has adopted, kept between inspections. */
export interface Adoption {
  /** The supervisor found, as JSON, so an unchanged owner keeps its supervisor (and its plist lint memo). */
  key: string | null;
  supervisor: SupervisorConfig | null;
  /** Said in the service's state when no supervisor owns it: measured, or why it could not be. */
  note: string | null;
}

export const NO_ADOPTION: Adoption = { key: null, supervisor: null, note: null };

/** The next adoption for the process serving the port; nothing listening keeps the last one (a job restarting it). */
export async function adopt(ctx: OwnerContext, pid: number | undefined, last: Adoption): Promise<Adoption> {
  if (pid === undefined) return last;
  const owner = await findOwner(ctx, pid);
  if (!owner.ok) return { ...last, note: `whether a job supervises it is not known: ${owner.reason}` };
  if (!owner.value.found) return { key: null, supervisor: null, note: `${owner.value.reason}: nothing restarts it` };
  return { key: JSON.stringify(owner.value.supervisor), supervisor: owner.value.supervisor, note: null };
}
