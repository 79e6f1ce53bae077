import type { HostIdentity } from '../common/host-identity.js';
import { formatBytes } from '../common/format.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';

/** systeminformation runs sysctl, ioreg and system_profiler on macOS; once, beside the loop. */
export const IDENTITY_TIMEOUT_MS = 20_000;

/** The parts of systeminformation's answers Warden uses (osInfo, system, cpu, graphics, mem). */
export interface IdentityFacts {
  osInfo: { platform?: string; distro?: string; release?: string };
  system: { manufacturer?: string; model?: string; raspberry?: unknown; virtual?: boolean };
  cpu: { manufacturer?: string; brand?: string; cores?: number; physicalCores?: number; performanceCores?: number; efficiencyCores?: number };
  graphics: { controllers?: Array<{ model?: string }> };
  mem: { total?: number };
}

const clean = (s: string | undefined) => (s ?? '').replace(/[®™]|\(R\)|\(TM\)/g, '').replace(/\s+/g, ' ').trim();

/** Pure: systeminformation's answers to one identity. */
export function identityFrom(f: IdentityFacts): HostIdentity {
  const darwin = f.osInfo.platform === 'darwin';
  const os = `${darwin ? 'macOS' : clean(f.osInfo.distro) || f.osInfo.platform || 'unknown OS'} ${clean(f.osInfo.release)}`.trim();
  const model = clean(f.system.model);
  const chip = [clean(f.cpu.manufacturer), clean(f.cpu.brand)].filter(Boolean).join(' ');
  const perf = f.cpu.performanceCores ?? null;
  const eff = f.cpu.efficiencyCores ?? null;
  const cores = { logical: f.cpu.cores ?? 0, physical: f.cpu.physicalCores ?? null, performance: perf, efficiency: eff };
  const gpus = (f.graphics.controllers ?? []).map((c) => clean(c.model)).filter(Boolean);
  const memoryBytes = f.mem.total ?? 0;
  const split = perf && eff ? ` (${perf} P + ${eff} E)` : '';
  const coreText = `${cores.physical ?? cores.logical} cores${split}`;
  const parts = [os, model && model !== 'Docker Container' ? model : model ? 'container' : null, `${chip || 'CPU'}, ${coreText}`, formatBytes(memoryBytes)];
  const gpu = gpus.filter((g) => !chip.includes(g.replace(/^Apple /, '')));
  if (gpu.length > 0) parts.push(`GPU ${gpu.join(', ')}`);
  return { os, model: model || null, chip: chip || null, cores, memoryBytes, gpus, summary: parts.filter(Boolean).join(' · ') };
}

/** Reads the identity through systeminformation, loaded only here (it is not needed by the cycle). */
export async function readHostIdentity(timeoutMs = IDENTITY_TIMEOUT_MS): Promise<Part<HostIdentity>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Part<HostIdentity>>((resolve) => {
    timer = setTimeout(() => resolve(unknownPart(`host identity: systeminformation gave no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    timer.unref?.();
  });
  const work = (async (): Promise<Part<HostIdentity>> => {
    try {
      const si = await import('systeminformation');
      const [osInfo, system, cpu, graphics, mem] = await Promise.all([si.osInfo(), si.system(), si.cpu(), si.graphics(), si.mem()]);
      return known(identityFrom({ osInfo, system, cpu, graphics, mem }));
    } catch (error) {
      return unknownPart(`host identity: ${errorText(error)}`);
    }
  })();
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
