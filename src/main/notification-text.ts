/**
 * A notification body cut to what macOS shows (about 400 characters) without losing what the
 * operator needs: the body the engine composes is, line by line, the measured cause, the
 * thieves (the straw among them), "Also:" lines and "Next:". The cause, the straw and `Next:`
 * are kept; the other thieves and the Also lines go first, last first, and a count of what was
 * left out says the popover has it.
 */

/** macOS shows about this much of a body. */
export const BODY_MAX = 400;

type Role = 'lead' | 'straw' | 'next' | 'reminder' | 'other';

/**
 * The straw is the thief that arrived just before the failure: the engine's arrival lines say
 * "… before the first failure" (or "before memory ran short").
 */
const STRAW = / before (the first failure|memory ran short)/;

function roles(lines: string[]): Role[] {
  let lead = false;
  let straw = false;
  return lines.map((line) => {
    if (/^Still open after /.test(line)) return 'reminder';
    if (line.startsWith('Next: ')) return 'next';
    if (line.startsWith('Also: ') || /^…and \d+ more$/.test(line)) return 'other';
    if (!lead) {
      lead = true;
      return 'lead';
    }
    if (!straw && STRAW.test(line)) {
      straw = true;
      return 'straw';
    }
    return 'other';
  });
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function notificationBody(body: string, max = BODY_MAX): string {
  if (body.length <= max) return body;
  const lines = body.split('\n');
  const role = roles(lines);
  const kept = lines.map(() => true);
  const size = (dropped: number) => {
    const text = lines.filter((_, i) => kept[i]).join('\n');
    return text.length + (dropped > 0 ? `\n+${dropped} more in Warden`.length : 0);
  };
  let dropped = 0;
  for (let i = lines.length - 1; i >= 0 && size(dropped) > max; i--) {
    if (role[i] !== 'other') continue;
    kept[i] = false;
    dropped += 1;
  }
  const out = lines.filter((_, i) => kept[i]);
  const keptRoles = role.filter((_, i) => kept[i]);
  if (dropped > 0) out.push(`+${dropped} more in Warden`);
  // Still too long with only what must stay: shorten the cause, then the straw, never Next.
  for (const shorten of ['lead', 'straw', 'reminder'] as const) {
    const over = out.join('\n').length - max;
    if (over <= 0) break;
    const i = keptRoles.indexOf(shorten);
    if (i === -1) continue;
    out[i] = cut(out[i]!, Math.max(40, out[i]!.length - over));
  }
  return cut(out.join('\n'), max);
}
