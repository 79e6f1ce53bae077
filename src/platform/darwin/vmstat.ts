/** `vm_stat` (no interval argument): a page-size header, then one `Label:   count.` row per counter. */
export interface VmStat {
  pageSizeBytes: number;
  /** Counts by label, quotes stripped: `"Translation faults"` is stored as `Translation faults`. */
  pages: Record<string, number>;
}

// The page size differs by machine (4096 Intel, 16384 Apple Silicon); hard-coding it is a
// known 4× error (macos-command-formats.md §1.5), so the header is required.
const HEADER = /^Mach Virtual Memory Statistics: \(page size of (\d+) bytes\)\s*$/;
// Column widths changed across releases (%-25s, %-30s, %-35s), so rows are matched by shape.
const ROW = /^(.+?):\s+(\d+)\.$/;

export function parseVmStat(text: string): VmStat {
  let pageSizeBytes: number | null = null;
  const pages: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pageSizeBytes === null) {
      const header = HEADER.exec(line);
      if (header) pageSizeBytes = Number(header[1]);
      continue;
    }
    const row = ROW.exec(line);
    if (!row) continue;
    const count = Number(row[2]);
    // Counters are uint64; one past 2^53 would lose precision, so it is dropped rather than rounded.
    if (!Number.isSafeInteger(count)) continue;
    pages[stripQuotes(row[1] as string)] = count;
  }
  if (pageSizeBytes === null) throw new Error('vm_stat: no page-size header');
  if (!Number.isSafeInteger(pageSizeBytes) || pageSizeBytes <= 0) {
    throw new Error(`vm_stat: page size ${pageSizeBytes} is not a positive integer`);
  }
  return { pageSizeBytes, pages };
}

function stripQuotes(label: string): string {
  return label.length >= 2 && label.startsWith('"') && label.endsWith('"') ? label.slice(1, -1) : label;
}
