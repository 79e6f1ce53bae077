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

/** /proc/vmstat: one `name value` pair per line. Throws naming the first missing counter. */
export function parseProcVmstat(text: string): ProcVmstat {
  return {
    pgpgin: counter(text, 'pgpgin'),
    pgpgout: counter(text, 'pgpgout'),
    pswpin: counter(text, 'pswpin'),
    pswpout: counter(text, 'pswpout'),
  };
}

/** One counter's line found by its name (the file has some 170; four are read), its value a whole number. */
function counter(text: string, name: string): number {
  const key = `${name} `;
  let at = text.startsWith(key) ? 0 : text.indexOf(`\n${key}`);
  while (at >= 0) {
    const from = at === 0 && text.startsWith(key) ? key.length : at + 1 + key.length;
    const end = text.indexOf('\n', from);
    const value = text.slice(from, end < 0 ? text.length : end).trim();
    const n = Number(value);
    if (/^\d+$/.test(value) && Number.isSafeInteger(n)) return n;
    at = text.indexOf(`\n${key}`, from);
  }
  throw new Error(`/proc/vmstat: no ${name} row`);
}
