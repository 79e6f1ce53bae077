/**
 * Text that states what was measured: a probe window that failed is not called "failing: 200",
 * a remote service has no "process", a supervisor that could not be asked is not "loaded".
 */
import { describe, expect, it } from 'vitest';
import { renderServices } from '../../../src/cli/render-more.js';
import { assess } from '../../../src/engine/assess.js';
import { diagnose } from '../../../src/engine/diagnose.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import { ProbeHistory } from '../../../src/engine/services/probes.js';
import type { ServiceView } from '../../../src/common/services.js';
import { greenState } from '../../support/states.js';

const NOW = Date.UTC(2026, 4, 10, 14, 0, 0);

function remote(pattern: boolean[]): ServiceView {
  const history = new ProbeHistory();
  pattern.forEach((ok, i) => history.record({ at: NOW - (pattern.length - 1 - i) * 30_000, ok, latencyMs: ok ? 4 : null }));
  const last = pattern[pattern.length - 1]!;
  const outcome = { url: 'http://10.0.0.7:8080/health', tier: 'healthy' as const, ok: last, status: last ? 200 : null, latencyMs: last ? 4 : null, measured: last ? '200 in 4 ms' : 'connection refused', at: NOW };
  return {
    name: 'gpu-box', source: 'config', url: outcome.url, port: null, state: last ? 'running' : 'unknown',
    stateReason: last ? 'answers (200 in 4 ms); no local process to check' : 'no local process to check; the probe measured connection refused',
    process: null, supervision: null, probe: history.view(outcome, NOW, 5), canary: null, orphan: null, actions: [], snoozedUntil: null, goneAt: null,
  };
}

function judge(service: ServiceView) {
  const input = { memory: null, memoryUnknown: null, thieves: [], services: [service], locks: [], jobs: [], unknowns: [] };
  return diagnose(assess(input, null, DEFAULT_THRESHOLDS, NOW), input, NOW);
}

describe('titles from the failing window', () => {
  it('three of five failed and the last answered: the window and the last answer as measured', () => {
    const { findings } = judge(remote([false, true, false, false, true]));
    const down = findings.find((f) => f.key === 'service:gpu-box:down')!;
    expect(down.title).toBe('gpu-box: 3 of the last 5 probes failed; last: 200 in 4 ms');
  });

  it('the last failed too: the failure, then the window', () => {
    const { findings } = judge(remote([true, true, false, false, false]));
    expect(findings.find((f) => f.key === 'service:gpu-box:down')!.title).toBe('gpu-box: failing: connection refused; 3 of the last 5 probes failed');
  });

  it('a remote service is never said to have a process gone', () => {
    const { findings, diagnoses } = judge(remote([false, false, false, false, false]));
    const d = diagnoses.get('service:gpu-box:down')!;
    expect(findings.find((f) => f.key === 'service:gpu-box:down')!.title).toBe('gpu-box: failing: connection refused');
    expect(d.cause).toBe('10.0.0.7:8080 is another machine: no process of it to look at here; the probe measured connection refused');
    expect(JSON.stringify(d)).not.toMatch(/process gone/i);
  });
});

describe('warden services', () => {
  it('a launchd job that could not be asked (no GUI session) is "not known", with why; never "loaded"', () => {
    const state = greenState(NOW);
    const [first] = state.services;
    state.services = [{
      ...first!,
      state: 'unknown',
      stateReason: 'launchd job gui/501/com.sanctum.mlx: no GUI session for this user (an SSH login)',
      supervision: { kind: 'launchd', target: 'gui/501/com.sanctum.mlx', loaded: null, jobState: null, jobPid: null, lastExit: null, runs: null, plist: null, note: 'no GUI session for this user (an SSH login)' },
    }];
    const text = renderServices(state);
    expect(text).toContain('supervisor launchd gui/501/com.sanctum.mlx: not known: no GUI session for this user (an SSH login)');
    expect(text).not.toMatch(/com\.sanctum\.mlx: loaded/);
  });
});
