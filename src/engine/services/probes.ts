import type { ServiceConfig } from '../../common/config.js';
import type { ProbeSample, ProbeTier, ProbeView } from '../../common/services.js';
import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import type { Facts, HttpResult } from '../../platform/facts.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../platform/http.js';

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 10;
export const DEFAULT_PROBE_INTERVAL_SECONDS = 30;
export const DEFAULT_CANARY_INTERVAL_SECONDS = 300;

export interface ProbeExpect {
  status?: number;
  jsonField?: string;
  keyword?: string;
}

export interface ProbeSpec {
  url: string;
  tier: ProbeTier;
  timeoutMs: number;
  method: 'GET' | 'POST';
  body?: string;
  expect: ProbeExpect;
}

/** One probe's honest result: what was measured, not what is broken (the view's first fields). */
export type ProbeOutcome = Pick<ProbeView, 'url' | 'tier' | 'ok' | 'status' | 'latencyMs' | 'measured' | 'at'>;

/**
 * The health probe of a service: its URL with a status (and optional body) check, or, given
 * only a port, any HTTP answer on it (tier "reachable"). Null when there is nothing to probe.
 */
export function probeSpecOf(service: ServiceConfig): ProbeSpec | null {
  const timeoutMs = (service.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS) * 1000;
  if (service.url) return { url: service.url, tier: 'healthy', timeoutMs, method: 'GET', expect: service.expect ?? {} };
  if (service.port !== undefined) return { url: `http://127.0.0.1:${service.port}/`, tier: 'reachable', timeoutMs, method: 'GET', expect: {} };
  return null;
}

/** The opt-in canary: its own URL, method and deadline. */
export function canarySpecOf(service: ServiceConfig): ProbeSpec | null {
  const canary = service.canary;
  if (!canary) return null;
  return {
    url: canary.url,
    tier: 'canary',
    timeoutMs: (canary.timeoutSeconds ?? DEFAULT_PROBE_TIMEOUT_SECONDS) * 1000,
    method: canary.method ?? 'GET',
    ...(canary.body !== undefined ? { body: canary.body } : {}),
    expect: {},
  };
}

/** Makes the request; not ok only when no request could be made (e.g. a replay without it). */
export async function probeOnce(facts: Facts, spec: ProbeSpec, at: number): Promise<Part<ProbeOutcome>> {
  try {
    const result = await facts.http({
      url: spec.url,
      method: spec.method,
      timeoutMs: spec.timeoutMs,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      ...(spec.method === 'POST' && spec.body !== undefined ? { body: spec.body, headers: { 'content-type': 'application/json' } } : {}),
    });
    return { ok: true, value: judgeProbe(spec, result, at) };
  } catch (error) {
    return { ok: false, reason: `${spec.method} ${spec.url}: ${errorText(error)}` };
  }
}

/**
 * A one-off probe (the settings' "Test" button) as a ProbeView: no history, so no baseline or
 * availability. A probe that could not be made at all is a failed view naming why.
 */
export function probeViewOf(spec: ProbeSpec, outcome: Part<ProbeOutcome>, now: number): ProbeView {
  const value: ProbeOutcome = outcome.ok
    ? outcome.value
    : { url: spec.url, tier: spec.tier, ok: false, status: null, latencyMs: null, measured: outcome.reason, at: now };
  const history = new ProbeHistory(1);
  history.record({ at: value.at, ok: value.ok, latencyMs: value.latencyMs });
  return history.view(value, now, 1);
}

export function formatLatency(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Pure: an HTTP result judged against the spec, with the measured text. */
export function judgeProbe(spec: ProbeSpec, result: HttpResult, at: number): ProbeOutcome {
  const base = { url: spec.url, tier: spec.tier, at };
  if (result.status === null) {
    const measured = result.timedOut ? `no answer within ${formatSeconds(spec.timeoutMs)}` : result.error ?? 'no answer';
    return { ...base, ok: false, status: null, latencyMs: null, measured };
  }
  const status = result.status;
  const latencyMs = Math.round(result.latencyMs);
  const answered = `${status} in ${formatLatency(result.latencyMs)}`;
  const fail = (measured: string): ProbeOutcome => ({ ...base, ok: false, status, latencyMs, measured });
  if (result.error !== null) {
    // Headers arrived, then the body failed or ran past the deadline.
    return fail(result.timedOut ? `${status}, body not complete within ${formatSeconds(spec.timeoutMs)}` : `${status}, then ${result.error}`);
  }
  if (spec.tier === 'reachable') return { ...base, ok: true, status, latencyMs, measured: answered };

  const statusOk = spec.expect.status !== undefined ? status === spec.expect.status : status >= 200 && status < 300;
  if (!statusOk) {
    if (status >= 300 && status < 400) {
      const to = result.headers['location'];
      return fail(`${answered} (redirect${to ? ` to ${to}` : ''}, not followed)`);
    }
    return fail(spec.expect.status !== undefined ? `${answered}, expected ${spec.expect.status}` : answered);
  }
  const bodyProblem = checkBody(spec.expect, result);
  if (bodyProblem) return fail(`${status} but ${bodyProblem}`);
  return { ...base, ok: true, status, latencyMs, measured: answered };
}

function checkBody(expect: ProbeExpect, result: HttpResult): string | null {
  const cap = formatBytes(DEFAULT_MAX_BODY_BYTES);
  if (expect.keyword !== undefined && !result.body.includes(expect.keyword)) {
    return result.bodyTruncated ? `the first ${cap} of the body lack ${JSON.stringify(expect.keyword)}` : `body lacks ${JSON.stringify(expect.keyword)}`;
  }
  if (expect.jsonField === undefined) return null;
  if (result.bodyTruncated) return `body is over ${cap}; field ${expect.jsonField} not checked`;
  let data: unknown;
  try {
    data = JSON.parse(result.body);
  } catch {
    return result.body.trim() === '' ? 'body is empty, not JSON' : 'body is not JSON';
  }
  const found = lookup(data, expect.jsonField);
  if (!found.present) return `body has no field ${expect.jsonField}`;
  const empty = emptiness(found.value);
  return empty ? `field ${expect.jsonField} is ${empty}` : null;
}

/** Dotted path; numeric parts index arrays: "data", "data.0.id", "status". */
function lookup(data: unknown, path: string): { present: boolean; value?: unknown } {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) {
      const index = Number(key);
      if (index >= current.length) return { present: false };
      current = current[index];
    } else if (typeof current === 'object' && current !== null && !Array.isArray(current) && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { present: false };
    }
  }
  return { present: true, value: current };
}

function emptiness(value: unknown): string | null {
  if (value === null) return 'null';
  if (value === false) return 'false';
  if (value === 0) return '0';
  if (value === '') return 'empty';
  if (Array.isArray(value) && value.length === 0) return 'an empty list';
  return null;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

function formatBytes(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`;
}

// ---------------------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Raw samples kept for the baseline, N-of-M and the sparkline. */
export const RECENT_SAMPLES_CAP = 120;
/** Samples in ProbeView.recent. */
export const VIEW_RECENT = 30;
/** Successful latencies the baseline is the median of. */
const BASELINE_SAMPLES = 20;
const BASELINE_MIN_SAMPLES = 3;

interface MinuteBucket {
  start: number;
  ok: number;
  total: number;
}

/**
 * One service's probe history. Availability comes from per-minute counts (at most 1,441
 * buckets for 24 h, whatever the probe interval); raw samples are kept only for the last
 * RECENT_SAMPLES_CAP probes. Memory is bounded either way.
 */
export class ProbeHistory {
  private readonly ring: ProbeSample[] = [];
  private readonly buckets: MinuteBucket[] = [];
  private consecutive = 0;
  private total = 0;
  private failedTotal = 0;

  constructor(private readonly recentCap = RECENT_SAMPLES_CAP) {}

  record(sample: ProbeSample): void {
    this.ring.push(sample);
    if (this.ring.length > this.recentCap) this.ring.splice(0, this.ring.length - this.recentCap);
    this.consecutive = sample.ok ? 0 : this.consecutive + 1;
    this.total += 1;
    if (!sample.ok) this.failedTotal += 1;

    const start = Math.floor(sample.at / MINUTE_MS) * MINUTE_MS;
    const last = this.buckets.at(-1);
    // A sample older than the newest bucket (clock stepped back) is counted in the newest one.
    const bucket = last && last.start >= start ? last : { start, ok: 0, total: 0 };
    if (bucket !== last) this.buckets.push(bucket);
    bucket.total += 1;
    if (sample.ok) bucket.ok += 1;
    const oldest = sample.at - DAY_MS - MINUTE_MS;
    let drop = 0;
    while (drop < this.buckets.length && (this.buckets[drop] as MinuteBucket).start < oldest) drop += 1;
    if (drop > 0) this.buckets.splice(0, drop);
  }

  get size(): number {
    return this.ring.length;
  }

  get bucketCount(): number {
    return this.buckets.length;
  }

  /** Fraction of probes that passed in the window ending at now; null when none ran in it. */
  availability(now: number, windowMs: number): number | null {
    const { ok, total } = this.tally(now, windowMs);
    return total === 0 ? null : ok / total;
  }

  /** Requests and passes in the window, by the minute buckets it overlaps. */
  tally(now: number, windowMs: number): { ok: number; total: number } {
    const from = now - windowMs;
    let ok = 0;
    let total = 0;
    for (const b of this.buckets) {
      if (b.start + MINUTE_MS <= from || b.start > now) continue;
      ok += b.ok;
      total += b.total;
    }
    return { ok, total };
  }

  /** Median latency of recent successful probes; null until there are a few. */
  baselineMs(): number | null {
    const latencies: number[] = [];
    for (let i = this.ring.length - 1; i >= 0 && latencies.length < BASELINE_SAMPLES; i--) {
      const s = this.ring[i] as ProbeSample;
      if (s.ok && s.latencyMs !== null) latencies.push(s.latencyMs);
    }
    if (latencies.length < BASELINE_MIN_SAMPLES) return null;
    latencies.sort((a, b) => a - b);
    const mid = latencies.length >> 1;
    return latencies.length % 2 === 1 ? (latencies[mid] as number) : ((latencies[mid - 1] as number) + (latencies[mid] as number)) / 2;
  }

  consecutiveFailures(): number {
    return this.consecutive;
  }

  /** Failures among the last m probes, and how many probes that was (fewer than m early on). */
  recentFailures(m: number): { failures: number; count: number } {
    const last = this.ring.slice(-Math.max(0, m));
    return { failures: last.filter((s) => !s.ok).length, count: last.length };
  }

  recent(n = VIEW_RECENT): ProbeSample[] {
    return this.ring.slice(-n);
  }

  view(outcome: ProbeOutcome, now: number, windowM: number): ProbeView {
    const { failures, count } = this.recentFailures(windowM);
    return {
      url: outcome.url,
      tier: outcome.tier,
      ok: outcome.ok,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      measured: outcome.measured,
      at: outcome.at,
      baselineMs: this.baselineMs(),
      availability1h: this.availability(now, HOUR_MS),
      samples1h: this.tally(now, HOUR_MS).total,
      availability24h: this.availability(now, DAY_MS),
      consecutiveFailures: this.consecutive,
      recentFailures: failures,
      recentCount: count,
      recent: this.recent(),
      probesTotal: this.total,
      failuresTotal: this.failedTotal,
    };
  }
}
