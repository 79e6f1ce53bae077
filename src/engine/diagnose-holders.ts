import type { Diagnosis, Finding } from '../common/findings.js';
import type { ActionOffer, JobView, LockView, ServiceView } from '../common/services.js';
import { formatDuration } from '../common/format.js';
import { fileNameOf, shortCommand } from '../common/text.js';

/** The diagnoses of what holds something: a lock's holder, a job behind a held lock, a process no job owns. */

export function offerOf(actions: ActionOffer[], kind: ActionOffer['kind']): ActionOffer | undefined {
  return actions.find((a) => a.kind === kind);
}

function holderText(lock: LockView): string {
  const holder = [...lock.holders].sort((a, b) => b.heldSeconds - a.heldSeconds)[0];
  if (!holder) return `${fileNameOf(lock.path)}: holder not known`;
  return `held by PID ${holder.pid} ${shortCommand(holder.command)} (${holder.kind}, process up ${formatDuration(holder.heldSeconds)})`;
}

export function lockDiagnosis(finding: Finding, lock: LockView): Diagnosis {
  const release = offerOf(lock.actions, 'release');
  return {
    symptom: lock.readerError
      ? `a reader of ${fileNameOf(lock.path)} was refused: ${lock.readerError}`
      : `${fileNameOf(lock.path)} locked ${formatDuration(lock.heldSeconds ?? 0)} (limit ${formatDuration(lock.limitSeconds)})`,
    cause: holderText(lock),
    causeEvidence: finding.evidence.map((e) => `${e.label}: ${e.text}`),
    thieves: [],
    suggestion: release ? `${release.label}: ${release.confirm}` : null,
  };
}

/** A job whose failure names a held lock's file was refused that lock. */
export function lockBehindJob(job: JobView, heldLocks: LockView[]): LockView[] {
  const text = `${job.explanation} ${job.lastExit?.text ?? ''}`;
  return heldLocks.filter((lock) => text.includes(fileNameOf(lock.path)));
}

export function jobDiagnosis(finding: Finding, job: JobView, heldLocks: LockView[]): Diagnosis {
  const lock = lockBehindJob(job, heldLocks)[0];
  return {
    symptom: finding.title,
    cause: lock ? `${fileNameOf(lock.path)} ${holderText(lock)}` : job.explanation,
    causeEvidence: finding.evidence.map((e) => `${e.label}: ${e.text}`),
    thieves: [],
    suggestion: job.logPath ? `Read ${job.logPath}` : null,
  };
}

export function orphanDiagnosis(finding: Finding, service: ServiceView): Diagnosis {
  const orphan = service.orphan;
  const readopt = offerOf(service.actions, 'readopt');
  return {
    symptom: orphan
      ? `${service.name}: PID ${orphan.process.pid} runs with no loaded job owning it`
      : `${service.name}: ${service.stateReason}`,
    cause: orphan?.why ?? service.stateReason,
    causeEvidence: finding.evidence.map((e) => `${e.label}: ${e.text}`),
    thieves: [],
    suggestion: readopt
      ? `${readopt.label}: ${readopt.confirm}`
      : orphan?.matchingBackup && orphan.canonicalPath
        ? `Restore ${orphan.matchingBackup} to ${orphan.canonicalPath} and bootstrap it`
        : null,
  };
}
