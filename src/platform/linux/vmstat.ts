/** The four paging counters Warden reads from /proc/vmstat, as the kernel counts them. */
export interface ProcVmstat {
  /** KiB read from block devices since boot (all reads, not only page faults). */
  pgpgin: number;
  /** KiB written to block devices since boot. */
  pgpgout: number;
  /** Pages (of the kernel's page size) swapped in since boot. */
  pswpin: number;
  /** Pages swapped out since boot. */
  pswpout: number;
}

const WANTED = new Set(['pgpgin', 'pgpgout', 'pswpin', 'pswpout']);

/** /proc/vmstat: one `name value` pair per line. Throws naming the first missing counter. */
export function parseProcVmstat(text: string): ProcVmstat {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const name = line.slice(0, space);
    if (!WANTED.has(name)) continue;
    const value = line.slice(space + 1).trim();
    const n = Number(value);
    if (/^\d+$/.test(value) && Number.isSafeInteger(n)) found.set(name, n);
  }
  const need = (name: string): number => {
    const n = found.get(name);
    if (n === undefined) throw new Error(`/proc/vmstat: no ${name} row`);
    return n;
  };
  return {
    pgpgin: need('pgpgin'),
    pgpgout: need('pgpgout'),
    pswpin: need('pswpin'),
    pswpout: need('pswpout'),
  };
}
