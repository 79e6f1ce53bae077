/**
 * /proc/meminfo in bytes, by row name (`MemTotal`, `Active(anon)`, …). The kernel prints sizes
 * in kB meaning KiB (fs/proc/meminfo.c shifts pages by PAGE_SHIFT − 10). Rows without a unit
 * (HugePages_Total, …) are counts, not sizes, and are left out so nothing here is mistaken for bytes.
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const raw of text.split('\n')) {
    const match = ROW.exec(raw.trimEnd());
    if (!match) continue;
    const kib = Number(match[2]);
    if (!Number.isSafeInteger(kib)) continue;
    out[match[1] as string] = kib * 1024;
  }
  return out;
}

const ROW = /^([^:\s]+):\s+(\d+) kB$/;
