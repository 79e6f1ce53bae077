import type { Thresholds } from '../common/config.js';
import type { Evidence } from '../common/findings.js';
import type { ProbeSample, ProbeView, ServiceView } from '../common/services.js';
import { formatDuration } from '../common/format.js';
import { clockOf } from '../common/zoned-time.js';
import { SLOW_MIN_MS, WAKE_GRACE_SECONDS } from './defaults.js';
import type { Draft } from './assess-input.js';

/** The findings about a service: unknown, stopped, down, canary, slow, orphaned, its plist. */

interface ProbeJudgement {
  failures: number;
  count: number;
  failing: boolean;
}

/** A sample taken in the grace after wake says how the host wakes, not how the service runs. */
function inWakeGrace(at: number, wokeAt: number | null): boolean {
  return wokeAt !== null && at >= wokeAt && at < wokeAt + WAKE_GRACE_SECONDS * 1000;
}

/** N failures among the last M probes: catches a flapping service that never fails N times in a row. */
export function judgeProbeWindow(probe: ProbeView, t: Thresholds, wokeAt: number | null): ProbeJudgement {
  const m = Math.max(1, t.probeWindowM);
  const n = Math.max(1, Math.min(t.probeFailuresN, m));
  if (probe.recent.length > 0) {
    const window = [...probe.recent]
      .sort((a, b) => a.at - b.at)
      .filter((sample) => !inWakeGrace(sample.at, wokeAt))
      .slice(-m);
    const failures = window.filter((sample) => !sample.ok).length;
    return { failures, count: window.length, failing: failures >= n };
  }
  if (inWakeGrace(probe.at, wokeAt)) return { failures: 0, count: 0, failing: false };
  return { failures: probe.recentFailures, count: probe.recentCount, failing: probe.recentFailures >= n };
}

/** "no answer within 10 s" → "not answering within 10 s": the title reads as a state, the measurement stays exact. */
export function failurePhrase(measured: string): string {
  const noAnswer = /^no answer within (.+)$/.exec(measured);
  return noAnswer ? `not answering within ${noAnswer[1]}` : `failing: ${measured}`;
}

/**
 * The title of a failing probe, from its window: when every probe in it failed and the last
 * did, the last failure ("not answering within 10 s"); otherwise the window and the last
 * result as measured ("3 of the last 5 probes failed; last: 200 in 4 ms"), never a good
 * answer called a failure.
 */
export function failingWindowPhrase(probe: ProbeView, j: ProbeJudgement, what: string): string {
  const window = `${j.failures} of the last ${j.count}${what ? ` ${what}` : ''} failed`;
  if (probe.ok) return `${window}; last: ${probe.measured}`;
  return j.failures === j.count ? failurePhrase(probe.measured) : `${failurePhrase(probe.measured)}; ${window}`;
}

/** A configured service's process is gone: what the supervisor or the process table says, with the last exit. */
function goneTitle(service: ServiceView): string {
  const exit = service.supervision?.lastExit;
  const reason = service.stateReason;
  const exitText = exit && !exit.neverExited ? (reason.includes(exit.text) ? '' : `; last ${exit.text}`) : service.supervision ? '' : '; exit code and signal not known (no supervisor reports them)';
  return `${service.state === 'crashed' ? 'crashed' : 'not running'} — ${reason}${exitText}`;
}

function probeEvidence(label: string, probe: ProbeView, j: ProbeJudgement): Evidence[] {
  return [
    { label, text: `${probe.measured} (${j.failures} of last ${j.count} failed)`, value: j.failures, unit: 'count' },
    { label: `${label} URL`, text: probe.url },
  ];
}

function slowness(probe: ProbeView | null, t: Thresholds, wokeAt: number | null): { probe: ProbeView; latency: number; baseline: number } | null {
  if (!probe || !probe.ok || probe.latencyMs === null || probe.baselineMs === null || probe.baselineMs <= 0) return null;
  if (inWakeGrace(probe.at, wokeAt)) return null;
  const latency = probe.latencyMs;
  if (latency < SLOW_MIN_MS || latency <= t.latencyWarnFactor * probe.baselineMs) return null;
  return { probe, latency, baseline: probe.baselineMs };
}

export function serviceFindings(service: ServiceView, t: Thresholds, wokeAt: number | null, timeZone?: string): Draft[] {
  const name = service.name;
  const subject = { kind: 'service', id: name } as const;
  const actions = service.actions;
  const out: Draft[] = [];

  if (service.state === 'unknown') {
    out.push({
      key: `unknown:service:${name}`,
      about: { kind: 'service', name, signal: 'unknown' },
      severity: 'unknown',
      title: `${name}: state not known — ${service.stateReason}`,
      evidence: [{ label: 'state', text: service.stateReason }],
      actions: [],
      subject,
    });
  }

  // A discovered server that stopped may have crashed or been quit: shown, with the offer to
  // watch it, never paged; only a configured one is missed.
  const gone = service.state === 'missing' || service.state === 'crashed' || service.state === 'stopped';
  if (gone && service.source === 'discovered') {
    if (service.goneAt !== null) {
      const served = service.port !== null ? `; it served port ${service.port}` : service.url ? `; it answered ${service.url}` : '';
      out.push({
        key: `service:${name}:stopped`,
        about: { kind: 'service', name, signal: 'stopped' },
        severity: 'warn',
        title: `${name} stopped at ${clockOf(service.goneAt, timeZone)}${served}`,
        evidence: [{ label: 'state', text: `${service.state}: ${service.stateReason}` }],
        actions,
        subject,
        quiet: true,
      });
    }
    return out;
  }

  const health = service.probe ? judgeProbeWindow(service.probe, t, wokeAt) : null;
  const stateDown = service.state === 'missing' || service.state === 'crashed';
  if ((health?.failing && service.probe) || (stateDown && service.source === 'config')) {
    const evidence: Evidence[] = [];
    if (service.probe && health) evidence.push(...probeEvidence('health probe', service.probe, health));
    evidence.push({ label: 'state', text: `${service.state}: ${service.stateReason}` });
    const lastExit = service.supervision?.lastExit;
    if (lastExit && !lastExit.neverExited) {
      evidence.push({ label: 'last exit', text: lastExit.text, ...(lastExit.code !== null ? { value: lastExit.code, unit: 'exit' as const } : {}) });
    }
    if (service.process) evidence.push({ label: 'PID', text: String(service.process.pid), value: service.process.pid, unit: 'pid' });
    const probeFailing = Boolean(health?.failing && service.probe);
    // A configured service whose process is gone is a certain fact, not a signal to wait on.
    const gone = stateDown && service.source === 'config';
    out.push({
      key: `service:${name}:down`,
      about: { kind: 'service', name, signal: 'down' },
      severity: probeFailing || gone ? 'crit' : 'warn',
      title: gone
        ? `${name}: ${goneTitle(service)}`
        : probeFailing && service.probe && health
          ? `${name}: ${failingWindowPhrase(service.probe, health, 'probes')}`
          : `${name}: ${service.state} — ${service.stateReason}`,
      evidence,
      actions,
      subject,
      settled: true,
    });
  }

  if (service.canary) {
    const canary = judgeProbeWindow(service.canary, t, wokeAt);
    if (canary.failing) {
      out.push({
        key: `service:${name}:canary`,
        about: { kind: 'service', name, signal: 'canary' },
        severity: 'crit',
        title: `${name}: canary${service.canary.ok ? ': ' : ' '}${failingWindowPhrase(service.canary, canary, '')}`,
        evidence: probeEvidence('canary', service.canary, canary),
        actions,
        subject,
        settled: true,
      });
    }
  }

  const slow = [slowness(service.probe, t, wokeAt), slowness(service.canary, t, wokeAt)].filter(
    (s): s is NonNullable<typeof s> => s !== null,
  );
  if (slow.length > 0) {
    const worst = slow.reduce((a, b) => (b.latency / b.baseline > a.latency / a.baseline ? b : a));
    out.push({
      key: `service:${name}:slow`,
      about: { kind: 'service', name, signal: 'slow' },
      severity: 'warn',
      title: `${name}: ${worst.probe.tier === 'canary' ? 'canary' : 'health probe'} slow — ${formatDuration(worst.latency / 1000)}, usually ${formatDuration(worst.baseline / 1000)}`,
      evidence: slow.map((s) => ({
        label: s.probe.tier === 'canary' ? 'canary latency' : 'probe latency',
        text: `${formatDuration(s.latency / 1000)} vs baseline ${formatDuration(s.baseline / 1000)} (${(s.latency / s.baseline).toFixed(0)}×, warn from ${t.latencyWarnFactor}×)`,
        value: s.latency,
        unit: 'ms' as const,
      })),
      actions,
      subject,
    });
  }

  if (service.state === 'orphaned' || service.orphan) {
    const orphan = service.orphan;
    const evidence: Evidence[] = [];
    if (orphan) {
      evidence.push({ label: 'PID', text: `${orphan.process.pid} (PPID ${orphan.process.ppid})`, value: orphan.process.pid, unit: 'pid' });
      if (orphan.canonicalPath) {
        evidence.push({ label: 'plist', text: `${orphan.canonicalPath} ${orphan.canonicalExists === false ? 'missing' : orphan.canonicalExists ? 'present' : 'not checked'}` });
      }
      evidence.push({ label: 'backup', text: orphan.matchingBackup ? `${orphan.matchingBackup} matches the running command` : `${orphan.backups.length} backups, none matches` });
      evidence.push({ label: 'why', text: orphan.why });
    } else {
      evidence.push({ label: 'state', text: service.stateReason });
    }
    const plistMissing = orphan?.canonicalExists === false;
    out.push({
      key: `service:${name}:orphaned`,
      about: { kind: 'service', name, signal: 'orphaned' },
      severity: 'warn',
      title: `${name}: running unsupervised${plistMissing ? ' (plist missing)' : ''} — nothing restarts it if it dies`,
      evidence,
      actions,
      subject,
    });
  } else {
    const plist = service.supervision?.plist;
    if (plist && (!plist.exists || plist.lintOk === false)) {
      out.push({
        key: `service:${name}:plist`,
        about: { kind: 'service', name, signal: 'plist' },
        severity: 'warn',
        title: plist.exists ? `${name}: launchd plist invalid` : `${name}: launchd plist missing`,
        evidence: [
          { label: 'plist', text: `${plist.path} ${plist.exists ? 'present' : 'missing'}` },
          ...(plist.lintMessage ? [{ label: 'plutil -lint', text: plist.lintMessage }] : []),
        ],
        actions,
        subject,
      });
    }
  }
  return out;
}

/** Samples of a probe, oldest first. */
export function samplesOf(probe: ProbeView): ProbeSample[] {
  return [...probe.recent].sort((a, b) => a.at - b.at);
}
