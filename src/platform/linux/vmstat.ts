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
  for (let from = text.startsWith(key) ? key.length : afterNextLine(text, key, 0); from >= 0; from = afterNextLine(text, key, from)) {
    const end = text.indexOf('\n', from);
    const value = text.slice(from, end < 0 ? text.length : end).trim();
    const n = Number(value);
    if (/^\d+$/.test(value) && Number.isSafeInteger(n)) return n;
  }
  throw new Error(`/proc/vmstat: no ${name} row`);
}

/** Where the value starts on the next line after `from` that begins with `key`; -1 when none does. */
function afterNextLine(text: string, key: string, from: number): number {
  const at = text.indexOf(`\n${key}`, from);
  return at < 0 ? -1 : at + 1 + key.length;
}
