import pc from 'picocolors';
import type { Notification } from '../common/findings.js';
import type { State } from '../common/state.js';
import { actionVerb } from '../common/services.js';
import type { IncidentReading, IncidentRecord } from '../engine/history.js';
import { formatDuration, formatPercent } from '../common/format.js';
import { plainText } from '../common/text.js';
import { LEVEL_NAME } from '../common/level-words.js';
import { dateTimeWithZone, timeWithZone } from '../common/zoned-time.js';
import { availability } from './render.js';

const t = (s: string, max = 200) => plainText(s, max);

/** A notification as the app would show it: title, then the body's lines. */
export function renderNotification(n: Notification): string {
  const stamp = dateTimeWithZone(n.at, { seconds: true });
  const head = n.kind === 'recovery' ? pc.green('RECOVERED') : n.severity === 'crit' ? pc.red('NOTIFY') : pc.yellow('NOTIFY');
  const body = n.body
    .split('\n')
    .map((line) => `  ${t(line, 300)}`)
    .join('\n');
  return `${pc.dim(stamp)} ${head} ${pc.bold(t(n.title, 200))}\n${body}\n`;
}

export function renderServices(state: State): string {
  if (state.services.length === 0) {
    return 'No services: add one to the config, or start a local LLM server on its default port (discovery is on by default).\n';
  }
  const lines: string[] = [];
  for (const s of state.services) {
    lines.push(`${pc.bold(t(s.name, 60))}  ${s.state}  ${pc.dim(`(${s.source})`)}  ${t(s.stateReason)}`);
    if (s.url) lines.push(`  url        ${t(s.url)}`);
    if (s.probe) {
      const p = s.probe;
      const day = p.availability24h === null ? '-' : formatPercent(p.availability24h * 100);
      lines.push(`  probe      ${t(p.measured)}; baseline ${p.baselineMs === null ? '-' : `${Math.round(p.baselineMs)} ms`}; up ${availability(s)} 1 h, ${day} 24 h`);
    }
    if (s.canary) lines.push(`  canary     ${t(s.canary.measured)}; ${s.canary.recentFailures} of last ${s.canary.recentCount} failed`);
    if (s.supervision) {
      const v = s.supervision;
      const exit = v.lastExit ? `; last exit: ${v.lastExit.text}` : '';
      // loaded null: the supervisor could not be asked (no GUI session), which is not "loaded".
      const loaded = v.loaded === null ? `not known: ${t(v.note ?? 'the supervisor could not be asked')}` : v.loaded ? (v.jobState ?? 'loaded') : 'not loaded';
      lines.push(`  supervisor ${v.kind} ${t(v.target)}: ${loaded}${v.jobPid ? ` (PID ${v.jobPid})` : ''}${exit}`);
      if (v.plist) lines.push(`  plist      ${t(v.plist.path)} ${v.plist.exists ? (v.plist.lintOk === false ? `invalid: ${t(v.plist.lintMessage ?? '')}` : 'present') : 'MISSING'}`);
      if (v.note && v.loaded !== null) lines.push(`  note       ${t(v.note)}`);
    }
    if (s.process) lines.push(`  process    PID ${s.process.pid} (parent ${s.process.ppid}) ${t(s.process.command, 160)}`);
    if (s.orphan) {
      lines.push(`  orphan     ${t(s.orphan.why)}`);
      for (const b of s.orphan.backups) lines.push(`    ${b.matches ? pc.green('matches') : pc.dim('differs')}  ${t(b.path)}`);
    }
    for (const a of s.actions) lines.push(pc.dim(`  → warden ${actionVerb(a.kind)} ${t(a.target, 100)}: ${t(a.label)}`));
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

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
