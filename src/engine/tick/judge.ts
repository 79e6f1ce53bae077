import type { Thresholds } from '../../common/config.js';
import { isProbeSymptom, type Diagnosis, type Finding, type FindingAbout } from '../../common/findings.js';
import type { ServiceView } from '../../common/services.js';
import { plural } from '../../common/format.js';
import { assess, type Observation } from '../assess.js';
import { diagnose } from '../diagnose.js';
import type { AlertPolicy, AlertStep, Observations } from '../alerts.js';
import { formatLatency } from '../services/probes.js';

/** What the judge step hands to publish. */
export interface Judgement {
  /** Every finding of this cycle, each with its typed `about`. */
  findings: Finding[];
  /** By finding key: the causes measured for a symptom, and its differential. */
  diagnoses: Map<string, Diagnosis>;
  /** The alert policy's step: incidents, notifications to send, journal events. */
  step: AlertStep;
}

/**
 * Step two of the tick: assess turns the observation into findings (their `since` carried from
 * the last cycle's), diagnose links symptoms to measured causes, and the alert policy confirms
 * them into incidents and notifications. Between cycles it holds only the last findings; the
 * alert policy holds its own state.
 */
export class Judge {
  private previous = new Map<string, Finding>();

  constructor(private readonly alerts: AlertPolicy) {}

  judge(observation: Observation, thresholds: Thresholds, now: number): Judgement {
    const assessed = assess(observation, this.previous, thresholds, now);
    const { findings, diagnoses } = diagnose(assessed, observation, now, thresholds);
    this.previous = new Map(findings.map((f) => [f.key, f]));
    const step = this.alerts.step(findings, diagnoses, now, serviceObservations(observation.services));
    return { findings, diagnoses, step };
  }
}

/**
 * A service's probe findings are judged from probe results: an observation is a new probe (the
 * health probe for down and slow, the canary for canary), not an engine cycle. The recovery is
 * said from the probes that answered since the last failure.
 */
export function serviceObservations(services: ServiceView[]): Observations {
  const byName = new Map(services.map((s) => [s.name, s]));
  const probedService = (about: FindingAbout) => {
    if (!isProbeSymptom(about)) return null;
    const service = byName.get(about.name);
    return service ? { service, kind: about.signal } : null;
  };
  return {
    at(about) {
      const p = probedService(about);
      if (!p) return null;
      const { probe, canary } = p.service;
      if (p.kind === 'canary') return canary?.at ?? null;
      if (p.kind === 'slow') {
        const times = [probe?.at, canary?.at].filter((t): t is number => t !== undefined);
        return times.length > 0 ? Math.max(...times) : null;
      }
      return probe?.at ?? null;
    },
    recovered(about) {
      const p = probedService(about);
      const probe = p ? (p.kind === 'canary' ? p.service.canary : p.service.probe) : null;
      if (!p || !probe || !probe.ok) return null;
      let answered = 0;
      for (const sample of [...probe.recent].reverse()) {
        if (!sample.ok) break;
        answered += 1;
      }
      const what = p.kind === 'canary' ? 'canary request' : 'probe';
      return `${plural(Math.max(1, answered), what)} answered, ${probe.latencyMs !== null ? formatLatency(probe.latencyMs) : probe.measured}`;
    },
  };
}
