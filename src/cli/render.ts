import { differentialLines } from './render-differential.js';
import pc from 'picocolors';
import type { State } from '../common/state.js';
import type { Severity } from '../common/severity.js';
import { actionVerb, holderKindText, type ServiceView } from '../common/services.js';
import { serviceLevel, type Finding } from '../common/findings.js';
import { formatBytes, formatDecimalGB, formatDuration, formatPercent, formatRate } from '../common/format.js';
import { baseName, plainText } from '../common/text.js';
import { AVAILABILITY_MEANINGFUL_SAMPLES, LEVEL_NAME } from '../common/level-words.js';
import { dateTimeWithZone, timeWithZone } from '../common/zoned-time.js';
import { fitLine, NO_FIT, renderTable, wrapToFit, type Fit } from './table.js';


function paint(level: Severity, text: string): string {
  switch (level) {
    case 'ok':
      return pc.green(text);
    case 'warn':
      return pc.yellow(text);
    case 'crit':
      return pc.red(text);
    default:
      return pc.gray(text);
  }
}

const t = (s: string, max = 120) => plainText(s, max);

/** `warden status`: the whole State for an operator, incident first. */
export function renderStatus(state: State, now: number, fit: Fit = NO_FIT): string {
  const out: string[] = [];
  const age =
    state.sampledAt === null
      ? 'no sample yet'
      : state.replay
        ? `sampled ${dateTimeWithZone(state.sampledAt)}`
        : `sample ${formatDuration(Math.max(0, (now - state.sampledAt) / 1000))} old, every ${formatDuration(state.intervalSeconds)}`;
  const where = state.replay ? `replay of a capture from ${t(state.host.hostname, 60)}` : t(state.host.hostname, 60);
  out.push(`${pc.bold('Warden')}  ${paint(state.level, pc.bold(LEVEL_NAME[state.level].toUpperCase()))}  ${where} · ${age}${state.stale ? pc.red(' (stale)') : ''}`);
  out.push(`  ${t(state.headline, 200)}`);

  for (const incident of state.incidents.filter((i) => i.closedAt === null)) {
    out.push('');
    out.push(paint(incident.severity, `▲ ${t(incident.title, 200)}`) + pc.dim(`  since ${timeWithZone(incident.openedAt)}${incident.notified ? ', notified' : ''}`));
    const d = incident.diagnosis;
    if (d) {
      if (d.cause) out.push(`  cause: ${t(d.cause, 300)}`);
      for (const e of d.causeEvidence) out.push(`    ${t(e, 200)}`);
      for (const thief of d.thieves) out.push(`  thief: ${t(thief, 200)}`);
      out.push(...differentialLines(d.differential));
      if (d.suggestion) out.push(`  → ${t(d.suggestion, 200)}`);
    }
  }

  const m = state.memory;
  out.push('', pc.bold('MEMORY'));
  if (!m) {
    const why = state.unknowns.find((u) => u.part === 'memory');
    out.push(`  ${pc.gray('unknown')}${why ? `: ${t(why.reason, 200)}` : ''}`);
  } else {
    const pressure = m.pressure ?? 'unknown';
    const pressureLevel: Severity = pressure === 'critical' ? 'crit' : pressure === 'warn' ? 'warn' : pressure === 'normal' ? 'ok' : 'unknown';
    out.push(`  pressure ${paint(pressureLevel, pressure)} ${pc.dim(`(${t(m.pressureSource, 100)})`)}`);
    const parts = [`total ${formatBytes(m.totalBytes)}`, `free ${formatBytes(m.freeBytes)}`, `available ${formatBytes(m.availableBytes)}`];
    if (m.compressedBytes !== null) parts.push(`compressed ${formatBytes(m.compressedBytes)}`);
    if (m.wiredBytes !== null) parts.push(`wired ${formatBytes(m.wiredBytes)}`);
    out.push(`  ${parts.join(' · ')}`);
    let swap = m.swapTotalBytes > 0 ? `swap ${formatBytes(m.swapUsedBytes)} used of ${formatBytes(m.swapTotalBytes)}` : 'swap none in use';
    if (m.rates) swap += ` · swap-out ${formatRate(m.rates.swapOutBytesPerSec)} · swap-in ${formatRate(m.rates.swapInBytesPerSec)}`;
    else swap += pc.dim(' · rates need two samples');
    out.push(`  ${swap}`);
  }

  out.push('', pc.bold('THIEVES'));
  const processesUnknown = state.unknowns.find((u) => u.part === 'processes');
  if (state.thieves.length === 0) out.push(processesUnknown ? `  ${pc.gray('unknown')}: ${t(processesUnknown.reason, 200)}` : pc.dim('  none worth naming'));
  else {
    const rows: string[][] = [];
    for (const thief of state.thieves) {
      const label = thief.roleLabel ? `${t(thief.name, 28)} ${pc.dim(`(${thief.roleLabel})`)}` : t(thief.name, 40);
      const mem = `${formatDecimalGB(thief.memoryBytes)} ${pc.dim(thief.memoryMetric === 'footprint' ? 'footprint' : 'RSS')}`;
      rows.push([label, String(thief.pid), mem, formatPercent(thief.cpuPercent), t(storyTail(thief.story), 90)]);
    }
    out.push(renderTable(['NAME', 'PID', 'MEMORY', 'CPU', 'STORY'], rows, fit));
  }

  if (state.services.length > 0) {
    out.push('', pc.bold('SERVICES'));
    const rows = state.services.map((s) => [t(s.name, 30), paint(serviceLevel(state.findings, s.name), s.state), probeText(s), availability(s), t(serviceDetail(s), 100)]);
    out.push(renderTable(['NAME', 'STATE', 'PROBE', 'UP 1h', 'DETAIL'], rows, fit));
    for (const s of state.services) for (const a of s.actions) out.push(pc.dim(`  → ${a.label}: warden ${actionVerb(a.kind)} ${shellWord(a.target)}`));
  }

  if (state.locks.length > 0) {
    out.push('', pc.bold('LOCKS'));
    for (const lock of state.locks) {
      const held = lock.heldSeconds === null ? 'not held' : `held ${formatDuration(lock.heldSeconds)}`;
      const pastLimit = lock.heldSeconds !== null && lock.heldSeconds > lock.limitSeconds;
      const level: Severity = pastLimit ? (lock.readerError ? 'crit' : 'warn') : 'ok';
      out.push(`  ${t(lock.path, 100)}  ${paint(level, held)}`);
      for (const h of lock.holders) out.push(fitLine(`    PID ${h.pid} ${t(h.name, 40)} (${holderKindText(h.kind)}) ${t(h.command, 100)}`, fit));
      if (lock.readerError) out.push(`    reader: ${t(lock.readerError, 200)}`);
      if (lock.note) out.push(pc.dim(fitLine(`    ${t(lock.note, 200)}`, fit)));
      for (const a of lock.actions) out.push(pc.dim(`  → ${a.label}: warden release ${shellWord(a.target)}`));
    }
  }

  if (state.jobs.length > 0) {
    out.push('', pc.bold('JOBS'));
    for (const job of state.jobs) {
      const level: Severity = job.lastExit && job.lastExit.code !== 0 && !job.lastExit.neverExited ? 'warn' : job.overdueSeconds ? 'warn' : 'ok';
      out.push(`  ${t(job.name, 40)}  ${paint(level, t(job.explanation, 200))}`);
    }
  }

  const others = state.findings.filter((f) => f.severity !== 'ok' && !inIncident(state, f));
  if (others.length > 0) {
    out.push('', pc.bold('FINDINGS'));
    for (const f of others) out.push(`  ${paint(f.severity, f.severity.padEnd(7))} ${t(f.title, 160)}${evidenceText(f)}`);
  }

  if (state.unknowns.length > 0) {
    out.push('', pc.bold('UNKNOWN'));
    for (const u of state.unknowns) out.push(`  ${u.part}: ${t(u.reason, 200)}`);
  }
  if (state.notes.length > 0) {
    out.push('', pc.bold('NOTES'));
    for (const note of state.notes) out.push(`  ${t(note, 300)}`);
  }
  if (state.history.readOnly && state.history.reason) out.push('', pc.yellow(`history ${t(state.history.reason, 300)}`));
  else if (!state.history.available && state.history.reason) out.push('', pc.dim(`history unavailable: ${t(state.history.reason, 200)}`));
  if (state.host.identity) out.push('', pc.dim(`host: ${t(state.host.identity.summary, 200)}`));
  return wrapToFit(out.join('\n'), fit) + '\n';
}

function inIncident(state: State, f: Finding): boolean {
  return state.incidents.some((i) => i.closedAt === null && i.findingKeys.includes(f.key));
}

function evidenceText(f: Finding): string {
  if (f.evidence.length === 0) return '';
  return pc.dim(` — ${f.evidence.slice(0, 4).map((e) => `${e.label} ${t(e.text, 60)}`).join(', ')}`);
}

/** The story repeats the size shown in its own column; the table shows only the rest. */
function storyTail(story: string): string {
  const i = story.indexOf(', ');
  return i === -1 ? '' : story.slice(i + 2);
}

function probeText(s: ServiceView): string {
  const parts: string[] = [];
  if (s.probe) parts.push(t(s.probe.measured, 60));
  if (s.canary) parts.push(`canary: ${t(s.canary.measured, 60)}`);
  return parts.join(' · ') || '-';
}

/** The hour's share of passing probes; with its count ("100% of 3") until there are enough to mean something. */
export function availability(s: ServiceView): string {
  const a = s.probe?.availability1h;
  if (a === null || a === undefined) return '-';
  const samples = s.probe?.samples1h ?? 0;
  return samples < AVAILABILITY_MEANINGFUL_SAMPLES ? `${formatPercent(a * 100)} of ${samples}` : formatPercent(a * 100);
}

function serviceDetail(s: ServiceView): string {
  if (s.orphan) {
    const o = s.orphan;
    const backup = o.matchingBackup ? `backup ${baseName(o.matchingBackup)} matches` : 'no backup matches';
    return `PID ${o.process.pid}: ${o.why}; ${backup}`;
  }
  return s.stateReason;
}

/** A target printed for copy-paste: quoted when it holds anything but plain path characters. */
function shellWord(s: string): string {
  const clean = plainText(s, 400);
  return /^[\w@%+=:,./-]+$/.test(clean) ? clean : `'${clean.replaceAll("'", `'\\''`)}'`;
}

