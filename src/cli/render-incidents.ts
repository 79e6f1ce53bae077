import pc from 'picocolors';
import type { IncidentReading, IncidentRecord } from '../engine/history.js';
import { formatDuration } from '../common/format.js';
import { plainText } from '../common/text.js';
import { LEVEL_NAME } from '../common/level-words.js';
import { dateTimeWithZone, timeWithZone } from '../common/zoned-time.js';

const t = (s: string, max = 200) => plainText(s, max);

/** `warden incidents`: each incident since a time, with what it paged for, its notices, actions and deliveries. */
export function renderIncidents(incidents: IncidentRecord[], reading: IncidentReading, since: number): string {
  const lines: string[] = [];
  for (const file of reading.unreadable) lines.push(pc.red(`history incomplete: cannot read ${t(file, 300)}`));
  if (reading.skipped > 0) lines.push(pc.yellow(`${reading.skipped} history lines could not be read (${t(reading.problems.join('; '), 300)})`));
  if (incidents.length === 0) {
    lines.push(`No incidents since ${dateTimeWithZone(since)}${reading.unreadable.length > 0 ? ' in the history that could be read' : ''}.`);
    return `${lines.join('\n')}\n`;
  }
  for (const i of incidents) {
    const opened = i.openedAt === null ? '?' : dateTimeWithZone(i.openedAt);
    const lasted = i.openedAt !== null && i.closedAt !== null ? formatDuration((i.closedAt - i.openedAt) / 1000) : 'open';
    // What it paged for, with the cause as it stood then; the latest only where it differs.
    lines.push(`${opened}  ${(i.severity ? LEVEL_NAME[i.severity] : '?').padEnd(5)} ${lasted.padEnd(10)} ${t(i.pagedTitle ?? i.title ?? '(untitled)', 160)}`);
    const latestCause = i.diagnosis?.cause ?? null;
    const cause = i.pagedTitle !== null ? i.pagedCause : latestCause;
    if (cause) lines.push(pc.dim(`    cause: ${t(cause, 200)}`));
    if (i.pagedTitle !== null && i.title !== null && i.title !== i.pagedTitle) lines.push(pc.dim(`    latest: ${t(i.title, 160)}`));
    if (i.pagedTitle !== null && latestCause && latestCause !== i.pagedCause) lines.push(pc.dim(`    latest cause: ${t(latestCause, 200)}`));
    for (const n of i.notifications) lines.push(pc.dim(`    notified ${timeWithZone(n.at, { seconds: true })}: ${t(n.title, 160)}`));
    for (const a of i.actions) lines.push(pc.dim(`    action ${a.ok ? 'ok' : 'failed'}: ${t(a.message, 160)}`));
    for (const d of i.deliveries ?? []) {
      const what = `${d.kind} to ${t(d.channel, 40)}`;
      if (d.ok) lines.push(pc.dim(`    delivered ${what} (${d.attempts === 1 ? '1 attempt' : `${d.attempts} attempts`})`));
      else lines.push(pc.red(`    NOT DELIVERED ${what}: ${t(d.error ?? 'unknown error', 200)}`));
    }
  }
  return `${lines.join('\n')}\n`;
}
