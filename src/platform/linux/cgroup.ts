/**
 * Which systemd unit a process runs in, from /proc/PID/cgroup (cgroup v2: "0::/system.slice/
 * ollama.service"; v1: the "name=systemd" line). systemd puts every process of a service, its
 * children included, in the unit's cgroup, so this names the unit that starts and restarts it.
 */
import type { Facts } from '../facts.js';
import type { Part } from '../../common/result.js';

export interface CgroupUnit {
  unit: string;
  scope: 'system' | 'user';
}

/** The unit in a cgroup path, or null when the process is in no service (a login session, a scope, the root). */
export function unitOfCgroup(text: string): CgroupUnit | null {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => l.startsWith('0::')) ?? lines.find((l) => /^\d+:name=systemd:/.test(l));
  if (!line) return null;
  const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
  const parts = path.split('/').filter(Boolean);
  // The innermost .service is the unit; user@UID.service is the user manager, not a service of its own.
  const services = parts.filter((p) => p.endsWith('.service'));
  const unit = services.at(-1);
  if (!unit || /^user@\d+\.service$/.test(unit)) return null;
  const user = parts.some((p) => /^user@\d+\.service$/.test(p));
  return { unit, scope: user ? 'user' : 'system' };
}

export async function readCgroupUnit(facts: Facts, pid: number): Promise<Part<CgroupUnit | null>> {
  const path = `/proc/${pid}/cgroup`;
  const read = await facts.readFile(path, { maxBytes: 16 * 1024 });
  if (read.error) return { ok: false, reason: `${path}: ${read.error}` };
  if (!read.exists || read.content === null) return { ok: false, reason: `${path} does not exist (the process is gone)` };
  return { ok: true, value: unitOfCgroup(read.content) };
}
