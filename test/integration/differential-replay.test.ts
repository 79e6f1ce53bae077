/**
 * The differential on the 2026-05-10 afternoon (shared/scenarios/incident-2026-05-10.md),
 * replayed from the committed capture: memory in, thermal and disk out, the cathedral's own
 * log in with prefill_us=59,229,150 against its ~200 ms baseline. And a capture made before
 * Warden read these senses still replays: each sense is unknown, naming the fact it lacks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createReplayEngine } from '../../src/engine/create.js';
import { parseCapture, type CaptureBundle } from '../../src/platform/capture.js';
import type { Notification } from '../../src/common/findings.js';

const INCIDENT = 'test/fixtures/captures/incident-2026-05-10.json';
const HEALTHY = 'test/fixtures/captures/healthy-2026-05-10.json';
const load = (file: string) => parseCapture(readFileSync(file, 'utf8'), file);

async function replay(bundle: CaptureBundle) {
  const session = createReplayEngine(bundle);
  const notifications: Notification[] = [];
  session.engine.onNotification((n) => notifications.push(n));
  const state = await session.runAll();
  return { state, notifications };
}

describe('the incident replayed', () => {
  it('the canary finding carries every candidate, measured in or out', async () => {
    const { state } = await replay(load(INCIDENT));
    const canary = state.findings.find((f) => f.key === 'service:cathedral:canary')!;
    expect(canary.differential).toEqual([
      { name: 'memory', verdict: 'in', text: 'swap 10.1 GiB used, 1.7 GiB available of 64 GiB, pressure critical' },
      { name: 'cpu', verdict: 'in', text: 'load 19.5 / 16; qemu-system-aarch64 368% (3.7 cores)' },
      { name: 'thermal', verdict: 'out', text: 'no warning' },
      { name: 'disk', verdict: 'out', text: '62 % free' },
      { name: 'log', verdict: 'in', text: 'prefill 59.2 s, baseline 200 ms (296×)' },
    ]);
    const incident = state.incidents.find((i) => i.closedAt === null)!;
    expect(incident.diagnosis?.differential).toEqual(canary.differential);
    const log = state.senses!.logs[0]!;
    expect(log).toMatchObject({ service: 'cathedral', name: 'prefill', unit: 'ms', latest: { value: 59_229.15 }, baseline: 200, error: null });
    expect(log.ratio).toBeCloseTo(296.1, 1);
    // The swap volume and the model folders are on two APFS volumes of one container.
    expect(state.senses!.disk).toMatchObject({ ok: true, value: { volumes: [{ path: '/System/Volumes/VM', roles: ['swap'] }, { path: '/Users/bert/.lmstudio/models', roles: ['models'], paths: ['/Users/bert/.lmstudio/models', '/Users/bert/.cache/huggingface'] }] } });
  }, 60_000);

  it('the one notification says what was ruled out and what else was measured in', async () => {
    const { notifications } = await replay(load(INCIDENT));
    expect(notifications).toHaveLength(1);
    const body = notifications[0]!.body.split('\n');
    expect(body).toContain('Ruled out: thermal (no warning), disk (62 % free)');
    expect(body).toContain('Also in: CPU (load 19.5 / 16; qemu-system-aarch64 368% (3.7 cores)), log (prefill 59.2 s, baseline 200 ms (296×))');
    // Memory is the cause line already; it is not repeated.
    expect(body.filter((l) => l.startsWith('Also in:')).join('')).not.toContain('memory');
  }, 60_000);

  it('the healthy afternoon: nothing red, so no differential and no notification; the senses read', async () => {
    const { state, notifications } = await replay(load(HEALTHY));
    expect(notifications).toEqual([]);
    expect(state.findings.some((f) => f.differential)).toBe(false);
    expect(state.senses).toMatchObject({ thermal: { ok: true }, disk: { ok: true }, load: { ok: true, value: { loadavg: [3.12, 2.88, 2.61], cores: 16 } } });
    expect(state.senses!.logs[0]!.text).toMatch(/^prefill [12]\d\d ms, baseline 200 ms \((0\.9|1\.0|1\.1)×\)$/);
  }, 60_000);
});

describe('a capture made before the senses', () => {
  it('replays: each sense unknown with the fact it lacks, the diagnosis unchanged otherwise', async () => {
    const bundle = load(INCIDENT);
    for (const sample of bundle.samples) {
      delete sample.load;
      sample.commands = sample.commands.filter((c) => c.argv[0] !== 'pmset');
      sample.files = sample.files.filter((f) => f.op !== 'statfs' && f.op !== 'range' && !(f.op === 'stat' && f.path.endsWith('cathedral.log')));
    }
    const { state, notifications } = await replay(bundle);
    expect(state.senses!.thermal).toEqual({ ok: false, reason: 'the capture has no record of command `pmset -g therm` in sample 31' });
    expect(state.senses!.load).toEqual({ ok: false, reason: 'the capture has no record of the load average in sample 31' });
    expect(state.senses!.disk).toEqual({ ok: false, reason: 'the capture has no record of file statfs of /System/Volumes/VM in sample 31' });
    expect(state.senses!.logs[0]!.error).toBe('the capture has no record of file stat of /Users/bert/Library/Logs/sanctum/cathedral.log in sample 31');
    const canary = state.findings.find((f) => f.key === 'service:cathedral:canary')!;
    expect(canary.differential!.map((c) => [c.name, c.verdict])).toEqual([
      ['memory', 'in'],
      ['cpu', 'unknown'],
      ['thermal', 'unknown'],
      ['disk', 'unknown'],
      ['log', 'unknown'],
    ]);
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.body).not.toContain('Ruled out');
    expect(state.unknowns).toEqual([]);
  }, 60_000);
});
