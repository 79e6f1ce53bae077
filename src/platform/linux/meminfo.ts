/**
 * /proc/meminfo in bytes, by row name (`MemTotal`, `Active(anon)`, …). The kernel prints sizes
 * in kB meaning KiB (fs/proc/meminfo.c shifts pages by PAGE_SHIFT − 10). Rows without a unit
 * (HugePages_Total, …) are counts, not sizes, and are left out so nothing here is mistaken for bytes.
 * With `only`, just those rows are kept (the sampler reads six of some 55 every cycle): the
 * others are passed over without a string made for their names or values.
 */
export function parseMeminfo(text: string, only?: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.create(null) as Record<string, number>;
  // One pass over the text, line by line, without splitting it or running a pattern per line
  // (it is read every cycle): `Name:`, blanks, digits, ` kB`, blanks to the line's end.
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', at);
    if (colon > at && colon < end && (!only || namedOneOf(text, at, colon, only))) {
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
/** Whether text[at, colon) is one of the names, told without slicing it out. */
function namedOneOf(text: string, at: number, colon: number, names: readonly string[]): boolean {
  for (const name of names) if (colon === at + name.length && text.startsWith(name, at)) return true;
  return false;
}
const isBlank = (code: number): boolean => code === 32 || code === 9;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const hasSpace = (name: string): boolean => /\s/.test(name);
