import { isRemote } from './services/monitor.js';
import { DEFAULT_THRESHOLDS } from './defaults.js';
import type { Thresholds } from '../common/config.js';
import { isProbeSymptom, type Diagnosis, type Finding, type JudgedFinding, type ProbeSignal } from '../common/findings.js';
import { actionVerb, type LockView, type ProbeView, type ServiceView } from '../common/services.js';
import { formatDecimalGB, formatDuration, formatPercent } from '../common/format.js';
import type { Observation } from './assess-input.js';
import { samplesOf } from './assess-services.js';
import { thiefLabel } from './assess-memory.js';
import { arrivalBefore, memoryCause, memoryDiagnosis, memoryEvidence, thiefLines } from './diagnose-memory.js';
import { jobDiagnosis, lockBehindJob, lockDiagnosis, offerOf, orphanDiagnosis } from './diagnose-holders.js';
import { WAKE_GRACE_SECONDS } from './defaults.js';
import { modelArrivals, unloadSuggestion } from './model-arrivals.js';
import { differentialOf } from './differential.js';

/** At or above this CPU a silent server is working on something; below it, it is waiting or stuck. */
export const BUSY_CPU_PERCENT = 50;

/**
 * Links symptoms to the causes measured beside them and writes the operator's note for each
 * finding. Read the memory before reading the source: a probe failing while the host swaps is
 * explained by the memory findings, and the thieves are named, the latest arrival first among equals.
 */
export function diagnose(
  findings: JudgedFinding[],
  input: Observation,
  now: number,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): { findings: JudgedFinding[]; diagnoses: Map<string, Diagnosis> } {
  const keysOf = (judged: (about: JudgedFinding['about'], finding: JudgedFinding) => boolean): string[] =>
    findings.filter((f) => judged(f.about, f)).map((f) => f.key);
  const memoryKeys = keysOf((a) => a.kind === 'memory');
  const stressed = findings.some(({ about, severity }) => about.kind === 'memory' && (about.signal !== 'pressure' || severity === 'crit'));
  const growthKeys = keysOf((a) => a.kind === 'process' && a.signal === 'growth');
  const lockKeys = new Map(findings.flatMap(({ about, key }) => (about.kind === 'lock' ? [[about.path, key] as const] : [])));
  const heldLocks = input.locks.filter((lock) => lockKeys.has(lock.path));

  // A swap volume that cannot grow explains the memory findings; throttling explains a slow or silent service.
  const swapFull = keysOf((a) => a.kind === 'disk' && a.holdsSwap);
  const throttled = keysOf((a) => a.kind === 'thermal');
  const linked = findings.map((finding): JudgedFinding => {
    const causes = new Set(finding.causes);
    const about = finding.about;
    if (isProbeSymptom(about) && stressed) memoryKeys.forEach((k) => causes.add(k));
    if (isProbeSymptom(about)) throttled.forEach((k) => causes.add(k));
    if (about.kind === 'memory') growthKeys.forEach((k) => causes.add(k));
    if (about.kind === 'memory') swapFull.forEach((k) => causes.add(k));
    if (about.kind === 'job') {
      const job = input.jobs.find((j) => j.name === about.name);
      if (job) lockBehindJob(job, heldLocks).forEach((lock) => causes.add(lockKeys.get(lock.path)!));
    }
    causes.delete(finding.key);
    return { ...finding, causes: [...causes] };
  });

  const diagnoses = new Map<string, Diagnosis>();
  for (const finding of linked) {
    const diagnosis = diagnoseOne(finding, input, now, stressed, heldLocks, thresholds);
    if (diagnosis) diagnoses.set(finding.key, { ...diagnosis, actionId: diagnosis.actionId ?? null });
  }
  return { findings: linked, diagnoses };
}

function diagnoseOne(finding: JudgedFinding, input: Observation, now: number, stressed: boolean, heldLocks: LockView[], t: Thresholds): Diagnosis | null {
  const about = finding.about;
  switch (about.kind) {
    case 'memory':
      return memoryDiagnosis(finding, input, t);
    case 'lock': {
      const lock = input.locks.find((l) => l.path === about.path);
      return lock ? lockDiagnosis(finding, lock) : plain(finding);
    }
    case 'job': {
      const job = input.jobs.find((j) => j.name === about.name);
      return job ? jobDiagnosis(finding, job, heldLocks) : plain(finding);
    }
    case 'service': {
      const svc = input.services.find((s) => s.name === about.name);
      if (svc && isProbeSymptom(about)) return serviceDiagnosis(finding, about.signal, svc, input, now, stressed, t);
      if (svc && about.signal === 'orphaned') return orphanDiagnosis(finding, svc);
      return plain(finding);
    }
    default:
      return plain(finding);
  }
}

function plain(finding: Finding): Diagnosis {
  return { symptom: finding.title, cause: null, causeEvidence: finding.evidence.map((e) => `${e.label}: ${e.text}`), thieves: [], suggestion: null };
}

// ---------------------------------------------------------------- services

function serviceDiagnosis(
  finding: Finding,
  kind: ProbeSignal,
  service: ServiceView,
  input: Observation,
  now: number,
  stressed: boolean,
  t: Thresholds,
): Diagnosis {
  const probe = kind === 'canary' ? service.canary : service.probe;
  const measuredEvidence = finding.evidence.find((e) => e.label === (kind === 'canary' ? 'canary' : 'health probe'));
  let symptom: string;
  if (kind === 'slow') symptom = `${service.name}: ${finding.evidence.map((e) => `${e.label} ${e.text}`).join('; ')}`;
  else if (measuredEvidence) symptom = `${service.name} ${kind === 'canary' ? 'canary' : 'health probe'}: ${measuredEvidence.text}`;
  else symptom = `${service.name}: ${service.state} — ${service.stateReason}`;

  const firstFailure = kind === 'slow' ? finding.since : firstFailureAt(probe, finding.since);
  const answered = probe && !probe.ok && probe.status !== null && !/^no answer/.test(probe.measured) ? probe.status : null;
  const processLine = processState(service, input, answered);
  const causeEvidence: string[] = [];
  let cause: string;
  let thieves: string[] = [];
  let suggestion: string | null;
  let actionId: string | null = null;
  if (stressed && input.memory) {
    cause = memoryCause(input.memory);
    causeEvidence.push(...memoryEvidence(input.memory), processLine);
    thieves = thiefLines(input, firstFailure, 'the first failure', t);
    const straw = arrivalBefore(input.thieves, firstFailure, t)[0];
    // The model is the straw when one is known: unloading it is the repair, not quitting its server.
    const model = modelArrivals(input.models, input.processes, firstFailure, t)[0];
    const watch = `then watch the ${kind === 'canary' ? 'canary' : 'probe'}`;
    suggestion = model
      ? `Free memory: ${unloadSuggestion(model)}, ${watch}`
      : straw
        ? `Free memory: unload or quit ${thiefLabel(straw)} (${formatDecimalGB(straw.memoryBytes)}), ${watch}`
        : 'Free memory: stop or restart the largest or growing process above';
    actionId = model?.unload?.id ?? null;
  } else {
    cause = processLine;
    suggestion = serviceSuggestion(service);
  }
  if (input.wokeAt != null && now - input.wokeAt < 2 * WAKE_GRACE_SECONDS * 1000) {
    causeEvidence.push(`host woke from sleep ${formatDuration((now - input.wokeAt) / 1000)} ago`);
  }
  const differential = differentialOf({ service, memory: input.memory, stressed, thieves: input.thieves, senses: input.senses ?? null });
  return { symptom, cause, causeEvidence, thieves, suggestion, actionId, differential };
}

/**
 * The failures "began" at the oldest failure of the current run: walking back from the newest
 * sample, a single success inside a flapping run does not end it, two in a row do.
 */
export function firstFailureAt(probe: ProbeView | null, since: number): number {
  if (!probe) return since;
  const samples = samplesOf(probe);
  let first = since;
  let successes = 0;
  for (let i = samples.length - 1; i >= 0; i -= 1) {
    const sample = samples[i]!;
    if (sample.ok) {
      successes += 1;
      if (successes >= 2) break;
    } else {
      successes = 0;
      first = Math.min(first, sample.at);
    }
  }
  return first;
}

function processState(service: ServiceView, input: Observation, answeredStatus: number | null): string {
  const proc = service.process;
  if (!proc && isRemote(service)) {
    // Another machine's server: there is no process here to be gone, only what the probe measured.
    const host = new URL(service.url!).host;
    return `${host} is another machine: no process of it to look at here; ${service.probe ? `the probe measured ${service.probe.measured}` : 'not probed yet'}`;
  }
  if (!proc) {
    const exit = service.supervision?.lastExit;
    const exitText = exit && !exit.neverExited ? `; last ${exit.text}` : '';
    return `process gone: ${service.stateReason}${exitText}`;
  }
  const row = input.processes?.find((p) => p.pid === proc.pid);
  const thief = input.thieves.find((t) => t.pid === proc.pid);
  // Measured over the last interval first: Linux ps %cpu is a lifetime average.
  const cpu = input.cpuNow?.(proc.pid) ?? thief?.cpuPercent ?? row?.cpuPercent ?? null;
  const cpuText = cpu === null ? 'CPU not measured' : `${formatPercent(cpu)} CPU`;
  // It answered, only not well: nothing is hung, so say what was measured and no more.
  if (answeredStatus !== null) return `process alive and answering (HTTP ${answeredStatus}): PID ${proc.pid} at ${cpuText}`;
  if (cpu === null) return `process alive: PID ${proc.pid} (CPU not measured)`;
  return cpu >= BUSY_CPU_PERCENT
    ? `process alive and busy: PID ${proc.pid} at ${formatPercent(cpu)} CPU`
    : `process alive and idle: PID ${proc.pid} at ${formatPercent(cpu)} CPU — not computing (waiting on memory, disk or a stuck thread)`;
}

function serviceSuggestion(service: ServiceView): string | null {
  const offer = offerOf(service.actions, service.orphan ? 'readopt' : 'restart') ?? service.actions[0];
  // The confirmation says every step when the button is pressed; the note only names the repair.
  return offer ? `${offer.label} (warden ${actionVerb(offer.kind)} ${service.name})` : null;
}
