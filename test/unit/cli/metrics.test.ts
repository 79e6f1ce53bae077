/**
 * The /metrics series from fixture States: no series carries its state in both label and value,
 * the swap counters are counters, thieves are bounded, an unread part has no series, and
 * docs/metrics.md lists exactly what is exported.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics, THIEF_SERIES } from '../../../src/cli/metrics.js';
import type { State } from '../../../src/common/state.js';
import { WARDEN_VERSION } from '../../../src/common/version.js';
import { amberState, greenState, HOSTILE_NAME, hostileState, redState } from '../../support/states.js';

const scrape = (state: State) => createMetrics(() => state, { now: () => state.generatedAt }).text();
const lines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const names = (text: string) => new Set(lines(text).map((l) => l.replace(/[{ ].*$/, '')));

function withCounters(state: State): State {
  const memory = state.memory!;
  return { ...state, memory: { ...memory, counters: { pageSizeBytes: 16384, pageins: 1000, pageouts: 10, swapins: 200, swapouts: 300 } } };
}

describe('series', () => {
  it('the overall level and pressure: one value gauge without a level label, and a state set', async () => {
    const text = await scrape(redState());
    expect(text).toContain('\nwarden_state_level 3\n');
    expect(text).toContain('\nwarden_memory_pressure_level 2\n');
    for (const [level, value] of [['ok', 0], ['unknown', 0], ['warn', 0], ['crit', 1]] as const) expect(text).toContain(`\nwarden_state{level="${level}"} ${value}\n`);
    for (const [level, value] of [['normal', 0], ['warn', 0], ['critical', 1]] as const) expect(text).toContain(`\nwarden_memory_pressure{level="${level}"} ${value}\n`);
    // The state set keeps its series when the state changes: the same four label sets when green.
    const green = await scrape(greenState());
    const sets = (t: string) => lines(t).filter((l) => l.startsWith('warden_state{')).map((l) => l.replace(/ \d+$/, ''));
    expect(sets(green)).toEqual(sets(text));
    expect(green).toContain('\nwarden_state{level="ok"} 1\n');
  });

  it('swap and paging are _total counters from the OS counters, in bytes', async () => {
    const text = await scrape(withCounters(redState()));
    expect(text).toContain('# TYPE warden_swap_in_bytes_total counter\nwarden_swap_in_bytes_total 3276800\n');
    expect(text).toContain('# TYPE warden_swap_out_bytes_total counter\nwarden_swap_out_bytes_total 4915200\n');
    expect(text).toContain('\nwarden_page_in_bytes_total 16384000\n');
    expect(text).not.toMatch(/warden_swap_(in|out)_bytes_per_second/);
  });

  it('probes, locks, jobs, findings, parts and build info', async () => {
    const text = await scrape(redState());
    for (const line of [
      'warden_service_probes_total{service="cathedral",probe="health"} 1440',
      'warden_service_probe_failures_total{service="cathedral",probe="canary"} 3',
      'warden_service_state{service="cathedral",state="orphaned"} 1',
      'warden_service_state{service="cathedral",state="running"} 0',
      'warden_lock_held_seconds{file="/Users/bert/work/workspace.duckdb"} 267311',
      'warden_lock_limit_seconds{file="/Users/bert/work/workspace.duckdb"} 3600',
      'warden_job_last_exit_code{name="weekly cathedral restart"} 5',
      'warden_job_last_run_failed{name="weekly cathedral restart"} 1',
      'warden_findings{kind="service",severity="crit"} 1',
      'warden_findings{kind="memory",severity="crit"} 1',
      'warden_part_success{part="footprint"} 1',
      'warden_part_duration_seconds{part="services"} 0.041',
      'warden_incidents_open 1',
    ]) {
      expect(text, line).toContain(`\n${line}\n`);
    }
    expect(text).toMatch(/^warden_build_info\{version="\d+\.\d+\.\d+",node="v\d+[^"]*",platform="darwin",arch="arm64"\} 1$/m);
    // config has no duration: its success is there, its seconds are not.
    expect(text).toContain('\nwarden_part_success{part="config"} 1\n');
    expect(text).not.toContain('warden_part_duration_seconds{part="config"}');
  });

  it('thieves are the top few by memory, by rank: bounded whatever the table holds', async () => {
    const red = redState();
    const many = Array.from({ length: 60 }, (_, i) => ({ ...red.thieves[0]!, pid: 1000 + i, name: `worker-${i}`, memoryBytes: (i + 1) * 1e9 }));
    const text = await scrape({ ...red, thieves: many });
    const memory = lines(text).filter((l) => l.startsWith('warden_thief_memory_bytes'));
    expect(memory).toHaveLength(THIEF_SERIES);
    expect(memory[0]).toBe('warden_thief_memory_bytes{rank="1",name="worker-59",role="mlx-server"} 60000000000');
    expect(lines(text).filter((l) => l.startsWith('warden_thief_cpu_cores'))).toHaveLength(THIEF_SERIES);
  });

  it('a hostile process name reaches a label as plain text', async () => {
    const text = await scrape(hostileState());
    expect(text).not.toMatch(/[\u001b\u202e]/);
    expect(text).toContain('name="<img src=x onerror=\\"window.__pwned=1\\">redgnp.exe"');
    expect(HOSTILE_NAME).toContain('\u202e');
  });

  it('what was not read has no series', async () => {
    const text = await scrape({ ...greenState(), memory: null, sampledAt: null, thieves: [] });
    for (const name of ['warden_memory_total_bytes', 'warden_memory_pressure_level', 'warden_memory_pressure', 'warden_swap_out_bytes_total', 'warden_sample_age_seconds', 'warden_thief_memory_bytes']) {
      expect(text).not.toMatch(new RegExp(`\\n${name}[ {]`));
    }
    expect(text).toContain('\nwarden_state_level 0\n');
  });

  it('no prom-client default metric (its event-loop monitor wakes the process every 10 ms)', async () => {
    const text = await scrape(amberState());
    expect(text).not.toMatch(/eventloop|nodejs_|_gc_/);
    expect([...names(text)].filter((n) => n.startsWith('warden_process_')).sort()).toEqual([
      'warden_process_cpu_seconds_total',
      'warden_process_heap_used_bytes',
      'warden_process_resident_memory_bytes',
      'warden_process_start_time_seconds',
    ]);
  });
});

describe('warden_build_info', () => {
  it('says the version package.json says', () => {
    expect(WARDEN_VERSION).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });
});

describe('docs/metrics.md', () => {
  it('lists every exported family, and nothing else', async () => {
    const doc = readFileSync('docs/metrics.md', 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `(warden_[a-z_]+)` \|/gm)].map((m) => m[1] as string));
    const metrics = createMetrics(() => redState(), { now: Date.now });
    const exported = new Set(metrics.registry.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name));
    expect([...exported].filter((n) => !documented.has(n)), 'exported but not in docs/metrics.md').toEqual([]);
    expect([...documented].filter((n) => !exported.has(n)), 'in docs/metrics.md but not exported').toEqual([]);
  });
});
