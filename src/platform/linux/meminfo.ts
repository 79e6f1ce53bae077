/**
 * /proc/meminfo in bytes, by row name (`MemTotal`, `Active(anon)`, …). The kernel prints sizes
 * in kB meaning KiB (fs/proc/meminfo.c shifts pages by PAGE_SHIFT − 10). Rows without a unit
 * (HugePages_Total, …) are counts, not sizes, and are left out so nothing here is mistaken for bytes.
 */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  // One pass over the text, line by line, without splitting it or running a pattern per line
  // (it is read every cycle): `Name:`, blanks, digits, ` kB`, blanks to the line's end.
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < end) {
      let i = colon + 1;
      while (i < end && isBlank(text.charCodeAt(i))) i += 1;
      const digits = i;
      while (i < end && isDigit(text.charCodeAt(i))) i += 1;
      if (digits > colon + 1 && i > digits && text.startsWith(' kB', i)) {
        let tail = i + 3;
        while (tail < end && (isBlank(text.charCodeAt(tail)) || text.charCodeAt(tail) === CR)) tail += 1;
        const name = text.slice(at, colon);
        const kib = Number(text.slice(digits, i));
        if (tail === end && !hasSpace(name) && Number.isSafeInteger(kib)) out[name] = kib * 1024;
      }
    }
    at = end + 1;
  }
  return out;
}

const CR = 13;
const isBlank = (code: number): boolean => code === 32 || code === 9;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const hasSpace = (name: string): boolean => /\s/.test(name);
