import { senseFindings } from './sense-findings.js';
import type { Thresholds } from '../common/config.js';
import type { Evidence, Finding, JudgedFinding } from '../common/findings.js';
import type { JobView, LockView } from '../common/services.js';
import type { UnknownPart } from '../common/state.js';
import { formatDuration } from '../common/format.js';
import { fileNameOf, shortCommand } from '../common/text.js';
import type { Draft, Observation } from './assess-input.js';
import { memoryFindings, thiefFindings } from './assess-memory.js';
import { serviceFindings } from './assess-services.js';

export type { Observation } from './assess-input.js';
export { shortCommand };

/**
 * Judges one observation. Every signal over its threshold becomes a Finding with a stable key;
 * `since` is carried from `previous` so it is the first time the key was seen.
 */
export function assess(
  input: Observation,
  previous: Map<string, Finding> | null,
  thresholds: Thresholds,
  now: number,
): JudgedFinding[] {
  const drafts: Draft[] = [
    ...memoryFindings(input.memory, thresholds),
    ...input.thieves.flatMap((thief) => thiefFindings(thief, thresholds, input.services)),
    ...input.services.flatMap((service) => serviceFindings(service, thresholds, input.wokeAt ?? null, input.timeZone)),
    ...input.locks.flatMap((lock) => lockFindings(lock, thresholds)),
    ...input.jobs.flatMap((job) => jobFindings(job, thresholds, now)),
    ...senseFindings(input.senses, now),
    ...unknownFindings(input),
  ];
  const seen = new Set<string>();
  const out: JudgedFinding[] = [];
  for (const draft of drafts) {
    if (seen.has(draft.key)) continue;
    seen.add(draft.key);
    out.push({ ...draft, since: previous?.get(draft.key)?.since ?? now, causes: [] });
  }
  return out;
}

// ---------------------------------------------------------------- locks and jobs

function lockFindings(lock: LockView, t: Thresholds): Draft[] {
  if (!lock.exists || lock.holders.length === 0) return [];
  const limit = lock.limitSeconds > 0 ? lock.limitSeconds : t.lockMaxHeldMinutes * 60;
  const held = lock.heldSeconds;
  const overLimit = held !== null && held > limit;
  if (!overLimit && !lock.readerError) return [];
  const holder = [...lock.holders].sort((a, b) => b.heldSeconds - a.heldSeconds)[0]!;
  const evidence: Evidence[] = [];
  if (held !== null) {
    evidence.push({ label: 'held (holder process age)', text: `${formatDuration(held)} (limit ${formatDuration(limit)})`, value: held, unit: 'seconds' });
  }
  evidence.push({ label: 'holder', text: `PID ${holder.pid} ${shortCommand(holder.command)}`, value: holder.pid, unit: 'pid' });
  if (lock.readerError) evidence.push({ label: 'reader error', text: lock.readerError });
  if (lock.note) evidence.push({ label: 'note', text: lock.note });
  const what = fileNameOf(lock.path);
  return [{
    key: `lock:${lock.path}:held`,
    about: { kind: 'lock', path: lock.path, signal: 'held' },
    // A lock is a symptom when it blocks someone: red once a reader was refused; held past its
    // limit with no refusal seen, it is amber, shown with its Release action but not paged.
    severity: lock.readerError ? 'crit' : 'warn',
    title: overLimit && held !== null
      ? `${what}: locked ${formatDuration(held)} by PID ${holder.pid} (${holder.name})`
      : `${what}: a reader was refused — locked by PID ${holder.pid} (${holder.name})`,
    evidence,
    actions: lock.actions,
    subject: { kind: 'lock', id: lock.path },
  }];
}

function jobFindings(job: JobView, t: Thresholds, now: number): Draft[] {
  const subject = { kind: 'job', id: job.name } as const;
  const out: Draft[] = [];
  const exit = job.lastExit;
  if (exit && !exit.neverExited && ((exit.code !== null && exit.code !== 0) || exit.signal !== null)) {
    const evidence: Evidence[] = [
      { label: 'last exit', text: exit.text, ...(exit.code !== null ? { value: exit.code, unit: 'exit' as const } : {}) },
      { label: 'why', text: job.explanation },
    ];
    if (job.lastRunAt !== null) evidence.push({ label: 'last run', text: `${formatDuration((now - job.lastRunAt) / 1000)} ago`, value: (now - job.lastRunAt) / 1000, unit: 'seconds' });
    if (job.logPath) evidence.push({ label: 'log', text: job.logPath });
    out.push({ key: `job:${job.name}:failed`, about: { kind: 'job', name: job.name, signal: 'failed' }, severity: 'warn', title: `${job.name}: last run ${exit.text}`, evidence, actions: [], subject });
  }
  const grace = t.jobGraceMinutes * 60;
  if (job.overdueSeconds !== null && job.overdueSeconds > grace) {
    out.push({
      key: `job:${job.name}:overdue`,
      about: { kind: 'job', name: job.name, signal: 'overdue' },
      severity: 'warn',
      title: `${job.name}: did not run — overdue by ${formatDuration(job.overdueSeconds)}`,
      evidence: [
        { label: 'overdue', text: `${formatDuration(job.overdueSeconds)} (grace ${formatDuration(grace)})`, value: job.overdueSeconds, unit: 'seconds' },
        { label: 'why', text: job.explanation },
      ],
      actions: [],
      subject,
    });
  }
  return out;
}

// ---------------------------------------------------------------- unknowns

function unknownFindings(input: Observation): Draft[] {
  const parts: UnknownPart[] = [];
  if (input.memoryUnknown !== null) parts.push({ part: 'memory', reason: input.memoryUnknown });
  parts.push(...input.unknowns);
  return parts.map((u) => ({
    key: `unknown:${u.part}`,
    about: { kind: 'unread' as const, part: u.part },
    severity: 'unknown' as const,
    title: `${u.part}: not read — ${u.reason}`,
    evidence: [{ label: 'reason', text: u.reason }],
    actions: [],
    subject: u.part === 'memory' ? { kind: 'memory' as const, id: 'host' } : { kind: 'warden' as const, id: u.part },
  }));
}
