/**
 * The afternoon Warden exists for (shared/scenarios/incident-2026-05-10.md), end to end: the
 * real engine records a capture from the simulated Mac, the committed fixture matches it, and
 * the built `warden` CLI replays it on this Linux box and says what an operator must read.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordAfternoon } from '../support/record-afternoon.js';
import { parseCapture } from '../../src/platform/capture.js';
import type { State } from '../../src/common/state.js';

const run = promisify(execFile);
const DIR = 'test/fixtures/captures';
const INCIDENT = `${DIR}/incident-2026-05-10.json`;
const HEALTHY = `${DIR}/healthy-2026-05-10.json`;

async function warden(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/warden.js', ...args], { env: { ...process.env, NO_COLOR: '1', TZ: 'UTC', WARDEN_HOME: '/nonexistent-warden-home' }, timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  if (!existsSync('dist/cli/warden.js')) await run(process.execPath, ['scripts/build.mjs']);
}, 120_000);

describe('the capture fixtures', () => {
  it.each([
    ['incident', INCIDENT],
    ['healthy', HEALTHY],
  ] as const)('the %s afternoon recorded now equals the committed fixture, and every fact had an answer', async (afternoon, file) => {
    const { bundle, unanswered } = await recordAfternoon(afternoon);
    expect(unanswered).toEqual([]);
    if (process.env.UPDATE_FIXTURES) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, `${JSON.stringify(bundle)}\n`);
    }
    const committed = parseCapture(readFileSync(file, 'utf8'), file);
    expect(committed).toEqual(JSON.parse(JSON.stringify(bundle)));
    expect(committed.samples).toHaveLength(31);
  });
});

describe('warden status --replay on the incident', () => {
  let text: string;
  let state: State;
  beforeAll(async () => {
    text = (await warden('status', '--replay', INCIDENT)).stdout;
    state = JSON.parse((await warden('status', '--replay', INCIDENT, '--json')).stdout) as State;
  }, 60_000);

  it('is red, leads with the symptom, and puts the measured cause beside it', () => {
    expect(state.level).toBe('crit');
    expect(text).toMatch(/^Warden {2}RED {2}replay of a capture from mac-mini/);
    expect(text).toContain('▲ cathedral: canary not answering within 10 s');
    expect(text).toContain('cause: memory pressure: swap 10.1 GiB used, 820 MiB free of 64 GiB');
    expect(text).toContain('pressure critical (kern.memorystatus_vm_pressure_level = 4)');
  });

  it('shows the differential: every usual suspect measured in or out, with its number', () => {
    const block = text.slice(text.indexOf('  differential:'), text.indexOf('  → '));
    expect(block.split('\n').map((l) => l.trim().replace(/\s+/g, ' '))).toEqual([
      'differential:',
      'in memory swap 10.1 GiB used, 1.7 GiB available of 64 GiB, pressure critical',
      'in CPU load 19.5 / 16; qemu-system-aarch64 368% (3.7 cores)',
      'out thermal no warning',
      'out disk 62 % free',
      'in log prefill 59.2 s, baseline 200 ms (296×)',
      '',
    ]);
  });

  it('names the three thieves with their stories', () => {
    expect(text).toMatch(/thief: cathedral \(sanctum-mlx, PID 4242\), 50\.\d GB footprint, growing 3\.5 GB\/h/);
    // The straw is the model LM Studio loaded, named as a model, in the worker that holds it.
    expect(text).toContain('thief: LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure, in LM Studio worker (LM Studio Helper, PID 7781)');
    expect(text).toMatch(/thief: virtual machine \(qemu-system-aarch64, PID 3010\), 1\.3 GB footprint, 368% CPU for \d+ min/);
    const growth = state.thieves.find((t) => t.pid === 4242)!.growth!;
    expect(growth.bytesPerHour / 1e9).toBeCloseTo(3.5, 1);
  });

  it("reads LM Studio's loaded model and offers Unload as the incident's next step", () => {
    const lm = state.models.find((m) => m.service === 'lm-studio')!;
    expect(lm).toMatchObject({ kind: 'lmstudio', read: 'ok', source: 'GET http://127.0.0.1:1234/api/v1/models' });
    const model = lm.models[0]!;
    expect(model).toMatchObject({ name: 'qwen2.5-coder-14b', state: 'loaded', sizeBytes: 12_124_684_032, sizeMeaning: 'file', loadedAt: Date.UTC(2026, 4, 10, 13, 53), loadedAtSource: 'process' });
    expect(lm.process).toMatchObject({ pid: 1500, pids: [1500, 7781] });
    expect(model.actions.map((a) => a.id)).toEqual(['unload:lm-studio:qwen2.5-coder-14b']);
    const incident = state.incidents.find((i) => i.closedAt === null)!;
    expect(incident.diagnosis?.suggestion).toBe('Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b), then watch the canary');
    expect(incident.diagnosis?.actionId).toBe('unload:lm-studio:qwen2.5-coder-14b');
    expect(text).toContain('→ Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b), then watch the canary');
  });

  it('shows the orphan, the lock and the failed job as context with their actions', () => {
    const cathedral = state.services.find((s) => s.name === 'cathedral')!;
    expect(cathedral.state).toBe('orphaned');
    expect(cathedral.orphan?.canonicalExists).toBe(false);
    expect(cathedral.orphan?.matchingBackup).toBe('/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist.pre-disable-compile-20260507-030615');
    expect(cathedral.actions.map((a) => a.kind)).toContain('readopt');
    const lock = state.locks[0]!;
    expect(lock.holders[0]!.pid).toBe(10832);
    expect(lock.heldSeconds).toBeGreaterThan(3 * 86_400 + 2 * 3600);
    expect(lock.actions.map((a) => a.kind)).toEqual(['release']);
    expect(text).toContain('held 3 d 2 h');
    expect(text).toContain('weekly-restart  last exit 5 (EIO: Input/output error) — launchctl bootstrap could not load the plist');
  });
});

describe('warden watch --replay --notify on the incident', () => {
  it('sends exactly one notification: the canary, with swap, free memory and the thieves', async () => {
    const { stdout, code } = await warden('watch', '--replay', INCIDENT, '--notify');
    expect(code).toBe(0);
    const notifications = stdout.split('\n').filter((line) => / NOTIFY | RECOVERED /.test(line));
    expect(notifications).toEqual(['2026-05-10 14:27:00 UTC NOTIFY cathedral: canary not answering within 10 s; 3 of the last 5 failed']);
    expect(stdout).toContain('Memory pressure: swap 10.1 GiB used, 820 MiB free of 64 GiB');
    expect(stdout).toContain('pressure critical');
    expect(stdout).toContain('LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure');
    expect(stdout).toContain('Next: Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b)');
    expect(stdout).toContain('368% CPU');
    expect(stdout).toContain('Ruled out: thermal (no warning), disk (62 % free)');
    expect(stdout).toContain('log (prefill 59.2 s, baseline 200 ms (296×))');
    expect(stdout).toMatch(/sanctum-mlx.*growing 3\.5 GB\/h/);
  });
});

describe('the same host on a healthy afternoon', () => {
  it('is green with no thief story and normal pressure', async () => {
    const state = JSON.parse((await warden('status', '--replay', HEALTHY, '--json')).stdout) as State;
    expect(state.level).toBe('ok');
    expect(state.memory?.pressure).toBe('normal');
    expect(state.thieves.every((t) => t.growth === null && t.arrivedAgoSeconds === null && t.sustainedCpu === null)).toBe(true);
    expect(state.services[0]!.state).toBe('running');
    expect(state.headline).toMatch(/^All clear/);
    // LM Studio runs with nothing loaded.
    expect(state.models.map((m) => [m.service, m.read, m.models.length])).toEqual([['lm-studio', 'ok', 0]]);
  });

  it('sends no notification at all', async () => {
    const { stdout } = await warden('watch', '--replay', HEALTHY, '--notify');
    expect(stdout).toBe('');
  });
});

describe('bad captures', () => {
  it.each([
    ['not JSON', '{"format": "warden-capture", "vers', /is not valid JSON .*truncated/],
    ['another format', '{"format":"something-else"}', /is not a Warden capture: format is "something-else"/],
    ['a newer version', '{"format":"warden-capture","version":3}', /is capture format version 3; this Warden reads versions 1 and 2/],
    ['version 2 without its cadence', '{"format":"warden-capture","version":2,"host":{"platform":"linux","arch":"x64","hostname":"h","uid":1,"createdAt":1,"timeZone":"UTC"},"samples":[{"at":1,"commands":[],"files":[],"http":[]}]}', /malformed at the top level: version 2 must have property 'cadence'/],
    ['an unknown time zone', '{"format":"warden-capture","version":2,"host":{"platform":"linux","arch":"x64","hostname":"h","uid":1,"createdAt":1,"timeZone":"Mars/Olympus"},"cadence":{"intervalSeconds":5,"probes":{}},"samples":[{"at":1,"commands":[],"files":[],"http":[]}]}', /host\.timeZone "Mars\/Olympus" is not a time zone this machine knows/],
    ['a malformed sample', '{"format":"warden-capture","version":1,"host":{"platform":"darwin","arch":"arm64","hostname":"h","uid":1,"createdAt":1},"samples":[{"at":1,"commands":[{"argv":"vm_stat","exitCode":0,"stdout":"","stderr":""}],"files":[],"http":[]}]}', /malformed at samples\.0\.commands\.0\.argv: must be array/],
  ])('%s: one clear line, exit 2, no stack trace', async (_name, content, message) => {
    const file = `/tmp/warden-bad-capture-${process.pid}-${_name.replace(/\W/g, '')}.json`;
    writeFileSync(file, content);
    const { stderr, code } = await warden('status', '--replay', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file names itself', async () => {
    const { stderr, code } = await warden('status', '--replay', '/nonexistent/capture.json');
    expect(code).toBe(2);
    expect(stderr).toBe('warden: cannot read capture /nonexistent/capture.json: ENOENT\n');
  });
});
