import type { PressureLevel } from '../../common/memory.js';

// Every OID Warden asks for has at least one dot; this keeps stray text (a shell prompt,
// "sysctl: unknown oid …" if stderr ever lands here) from being read as a value.
const NAME = /^[A-Za-z_][\w]*(?:\.[\w]+)+$/;

/** `sysctl a b c` prints one `name: value` line per name it knows; unknown names go to stderr. */
export function parseSysctlLines(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const raw of text.split('\n')) {
    const colon = raw.indexOf(': ');
    if (colon <= 0) continue;
    const name = raw.slice(0, colon);
    if (!NAME.test(name)) continue;
    out[name] = raw.slice(colon + 2).trim();
  }
  return out;
}

export interface SwapUsage {
  totalBytes: number;
  usedBytes: number;
  freeBytes: number;
  encrypted: boolean;
}

const MIB = 1024 * 1024;
const AMOUNT = String.raw`(\d+(?:[.,]\d+)?)M`;
const SWAP = new RegExp(String.raw`^total = ${AMOUNT}\s+used = ${AMOUNT}\s+free = ${AMOUNT}\s*(\(encrypted\))?\s*$`);

/**
 * The value of `vm.swapusage`. sysctl.c prints `%.2fM` (MiB) whatever the size, and the decimal
 * separator follows LC_NUMERIC, so a comma is accepted in case a capture was taken without LC_ALL=C.
 */
export function parseSwapUsage(value: string): SwapUsage {
  const match = SWAP.exec(value.trim());
  if (!match) throw new Error(`vm.swapusage: unexpected value ${JSON.stringify(value.slice(0, 120))}`);
  return {
    totalBytes: mebibytes(match[1] as string),
    usedBytes: mebibytes(match[2] as string),
    freeBytes: mebibytes(match[3] as string),
    encrypted: match[4] !== undefined,
  };
}

function mebibytes(text: string): number {
  return Math.round(Number(text.replace(',', '.')) * MIB);
}

/**
 * kern.memorystatus_vm_pressure_level is the dispatch level XNU hands to apps: 1 normal,
 * 2 warn (internal warning or urgent), 4 critical. Any other number is not a level.
 */
export function pressureFromLevel(n: number): PressureLevel | null {
  if (n === 1) return 'normal';
  if (n === 2) return 'warn';
  if (n === 4) return 'critical';
  return null;
}
