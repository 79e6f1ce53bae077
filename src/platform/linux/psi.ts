import type { PressureLevel } from '../../common/memory.js';

/** One PSI line: percentages of wall time stalled over 10 s / 60 s / 300 s, and total stall in µs. */
export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  total: number;
}

export interface Psi {
  /** Share of time at least one task waited for memory. */
  some: PsiLine;
  /** Share of time every non-idle task waited at once; null where the kernel prints no full line. */
  full: PsiLine | null;
}

/** /proc/pressure/memory: `some avg10=… avg60=… avg300=… total=…` and a `full` line alike. */
export function parsePsi(text: string): Psi {
  let some: PsiLine | null = null;
  let full: PsiLine | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('some ')) some = parseLine(line, 'some');
    else if (line.startsWith('full ')) full = parseLine(line, 'full');
  }
  if (!some) throw new Error('/proc/pressure/memory: no "some" line');
  return { some, full };
}

const FIELD = /^(avg10|avg60|avg300|total)=(\d+(?:\.\d+)?)$/;

function parseLine(line: string, kind: string): PsiLine {
  const values = new Map<string, number>();
  for (const token of line.split(/\s+/).slice(1)) {
    const match = FIELD.exec(token);
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  const get = (name: string): number => {
    const n = values.get(name);
    if (n === undefined) throw new Error(`/proc/pressure/memory: "${kind}" line has no ${name}`);
    return n;
  };
  return { avg10: get('avg10'), avg60: get('avg60'), avg300: get('avg300'), total: get('total') };
}

/** Thresholds on avg10, in percent of wall time. */
export const PSI_THRESHOLDS = { warnSome: 10, criticalSome: 40, criticalFull: 10 } as const;

/**
 * The closest Linux match for darwin's pressure level. avg10, not avg60: darwin's level is
 * instantaneous and the sampler polls every few seconds, so a one-minute average would report a
 * crisis a minute late and its end a minute late too.
 * - warn: some ≥ 10 % — tasks lose a tenth of their time to reclaim, refaults or swap-in; people
 *   notice the machine is slow.
 * - critical: full ≥ 10 % — for a tenth of the time nothing useful runs at all (thrashing); or
 *   some ≥ 40 % — someone is stalled most of the time.
 * Both sit well below systemd-oomd's default kill point (60 % full pressure held 30 s,
 * oomd.conf(5)), so Warden turns red before a killer acts, not after.
 */
export function pressureFromPsi(psi: Psi): PressureLevel {
  const t = PSI_THRESHOLDS;
  if ((psi.full && psi.full.avg10 >= t.criticalFull) || psi.some.avg10 >= t.criticalSome) return 'critical';
  if (psi.some.avg10 >= t.warnSome) return 'warn';
  return 'normal';
}
