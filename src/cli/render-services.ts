import pc from 'picocolors';
import type { State } from '../common/state.js';
import { actionVerb } from '../common/services.js';
import { formatPercent } from '../common/format.js';
import { plainText } from '../common/text.js';
import { availability } from './render.js';

const t = (s: string, max = 200) => plainText(s, max);

/** `warden services`: each service with its probe, canary, supervisor, process, orphan and the actions on offer. */
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
