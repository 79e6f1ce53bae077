import { describe, expect, it } from 'vitest';
import type { HttpResult } from '../../../../src/platform/facts.js';
import { ProbeHistory, RECENT_SAMPLES_CAP, canarySpecOf, judgeProbe, probeSpecOf, type ProbeSpec } from '../../../../src/engine/services/probes.js';

const T0 = Date.UTC(2026, 4, 10, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

function http(partial: Partial<HttpResult>): HttpResult {
  return { url: 'http://127.0.0.1:1337/v1/models', method: 'GET', status: 200, latencyMs: 41.3, timedOut: false, error: null, headers: {}, body: '{"object":"list","data":[{"id":"m"}]}', bodyTruncated: false, ...partial };
}

const healthy: ProbeSpec = { url: 'http://127.0.0.1:1337/v1/models', tier: 'healthy', timeoutMs: 10_000, method: 'GET', expect: {} };
const withField: ProbeSpec = { ...healthy, expect: { jsonField: 'data' } };

describe('judgeProbe: the measured text says what was measured', () => {
  it.each<[string, ProbeSpec, Partial<HttpResult>, boolean, string]>([
    ['ok', healthy, {}, true, '200 in 41 ms'],
    ['slow ok', healthy, { latencyMs: 2004.2 }, true, '200 in 2.0 s'],
    ['timeout', healthy, { status: null, timedOut: true, error: 'no answer within 10 s', latencyMs: 10_000 }, false, 'no answer within 10 s'],
    ['refused', healthy, { status: null, error: 'connection refused', latencyMs: 1 }, false, 'connection refused'],
    ['500', healthy, { status: 500, latencyMs: 12 }, false, '500 in 12 ms'],
    ['expected status', { ...healthy, expect: { status: 204 } }, {}, false, '200 in 41 ms, expected 204'],
    ['field missing', withField, { body: '{"object":"list"}' }, false, '200 but body has no field data'],
    ['field empty', withField, { body: '{"object":"list","data":[]}' }, false, '200 but field data is an empty list'],
    ['field nested', { ...healthy, expect: { jsonField: 'data.0.id' } }, {}, true, '200 in 41 ms'],
    ['not json', withField, { body: '<html>hello</html>' }, false, '200 but body is not JSON'],
    ['capped body', withField, { body: '{"data":[', bodyTruncated: true }, false, '200 but body is over 64 KiB; field data not checked'],
    ['keyword', { ...healthy, expect: { keyword: 'Ollama is running' } }, { body: 'Ollama is running' }, true, '200 in 41 ms'],
    ['keyword missing', { ...healthy, expect: { keyword: 'Ollama is running' } }, { body: 'nginx' }, false, '200 but body lacks "Ollama is running"'],
    ['redirect', healthy, { status: 302, latencyMs: 3, headers: { location: '/__loop' } }, false, '302 in 3 ms (redirect to /__loop, not followed)'],
    ['body stalls', healthy, { timedOut: true, error: 'no answer within 10 s', latencyMs: 10_000 }, false, '200, body not complete within 10 s'],
    ['reset mid-body', healthy, { error: 'connection reset' }, false, '200, then connection reset'],
  ])('%s', (_name, spec, result, ok, measured) => {
    const outcome = judgeProbe(spec, http(result), T0);
    expect(outcome.measured).toBe(measured);
    expect(outcome.ok).toBe(ok);
    expect(outcome.at).toBe(T0);
  });

  it('a reachable-tier probe (port only) counts any HTTP answer, even 404', () => {
    const spec = probeSpecOf({ name: 'x', port: 8080 });
    expect(spec).toMatchObject({ url: 'http://127.0.0.1:8080/', tier: 'reachable', timeoutMs: 10_000 });
    expect(judgeProbe(spec!, http({ status: 404, latencyMs: 2 }), T0)).toMatchObject({ ok: true, measured: '404 in 2 ms' });
    expect(judgeProbe(spec!, http({ status: null, error: 'connection refused' }), T0)).toMatchObject({ ok: false, measured: 'connection refused' });
  });

  it('the canary keeps its own deadline and method', () => {
    const spec = canarySpecOf({ name: 'x', url: 'http://h/v1/models', canary: { url: 'http://h/v1/chat/completions', method: 'POST', body: '{}', timeoutSeconds: 10 } });
    expect(spec).toMatchObject({ tier: 'canary', method: 'POST', body: '{}', timeoutMs: 10_000 });
    expect(judgeProbe(spec!, http({ status: null, timedOut: true, error: 'x' }), T0).measured).toBe('no answer within 10 s');
  });
});

describe('ProbeHistory', () => {
  it('availability over 1 h and 24 h from an injected clock', () => {
    const h = new ProbeHistory();
    // One probe a minute: passing from 23 h ago, failing for an hour from 90 min ago, passing for the last 30 min.
    for (let t = T0 - 23 * HOUR; t < T0 - 90 * MIN; t += MIN) h.record({ at: t, ok: true, latencyMs: 40 });
    for (let t = T0 - 90 * MIN; t < T0 - 30 * MIN; t += MIN) h.record({ at: t, ok: false, latencyMs: null });
    for (let t = T0 - 30 * MIN; t < T0; t += MIN) h.record({ at: t, ok: true, latencyMs: 40 });
    expect(h.availability(T0, HOUR)).toBe(0.5);
    expect(h.availability(T0, 24 * HOUR)).toBeCloseTo(1320 / 1380, 6);
    expect(h.availability(T0 - 90 * MIN - 1, HOUR)).toBe(1);
    // Two hours on, with no probes since: the last hour has nothing to judge, and the day
    // window has slid past the first two hours of passing probes.
    expect(h.availability(T0 + 2 * HOUR, HOUR)).toBeNull();
    expect(h.availability(T0 + 2 * HOUR, 24 * HOUR)).toBeCloseTo(1260 / 1320, 6);
  });

  it('forgets what is older than a day', () => {
    const h = new ProbeHistory();
    h.record({ at: T0 - 30 * HOUR, ok: false, latencyMs: null });
    h.record({ at: T0, ok: true, latencyMs: 10 });
    expect(h.availability(T0, 24 * HOUR)).toBe(1);
  });

  it('baseline is the median of recent successful latencies, once there are three', () => {
    const h = new ProbeHistory();
    h.record({ at: T0, ok: true, latencyMs: 40 });
    h.record({ at: T0 + 1, ok: true, latencyMs: 900 });
    expect(h.baselineMs()).toBeNull();
    h.record({ at: T0 + 2, ok: false, latencyMs: null });
    h.record({ at: T0 + 3, ok: true, latencyMs: 42 });
    expect(h.baselineMs()).toBe(42);
    h.record({ at: T0 + 4, ok: true, latencyMs: 44 });
    expect(h.baselineMs()).toBe(43);
  });

  it('N of M and consecutive failures', () => {
    const h = new ProbeHistory();
    const pattern = [true, false, true, false, false, true, false];
    pattern.forEach((ok, i) => h.record({ at: T0 + i * MIN, ok, latencyMs: ok ? 40 : null }));
    expect(h.recentFailures(5)).toEqual({ failures: 3, count: 5 });
    expect(h.recentFailures(50)).toEqual({ failures: 4, count: 7 });
    expect(h.consecutiveFailures()).toBe(1);
    h.record({ at: T0 + 8 * MIN, ok: false, latencyMs: null });
    expect(h.consecutiveFailures()).toBe(2);
    const view = h.view({ url: 'u', tier: 'healthy', ok: false, status: 500, latencyMs: 3, measured: '500 in 3 ms', at: T0 + 8 * MIN }, T0 + 8 * MIN, 5);
    expect(view).toMatchObject({ recentFailures: 4, recentCount: 5, consecutiveFailures: 2, measured: '500 in 3 ms' });
    expect(view.recent.at(-1)).toEqual({ at: T0 + 8 * MIN, ok: false, latencyMs: null });
  });

  it('stays bounded: two days of probes every second', () => {
    const h = new ProbeHistory();
    for (let t = T0; t < T0 + 48 * HOUR; t += 1000) h.record({ at: t, ok: t % 7 !== 0, latencyMs: 5 });
    expect(h.size).toBe(RECENT_SAMPLES_CAP);
    expect(h.bucketCount).toBeLessThanOrEqual(24 * 60 + 2);
    expect(h.availability(T0 + 48 * HOUR, 24 * HOUR)).toBeGreaterThan(0.8);
  });
});
