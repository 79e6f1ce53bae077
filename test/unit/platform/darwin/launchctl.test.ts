import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../../src/platform/facts.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import {
  launchctlPrintArgv,
  parseLaunchctlDomainServices,
  parseLaunchctlPrint,
  readLaunchdDomain,
  readLaunchdJob,
} from '../../../../src/platform/darwin/launchctl.js';

// Real captures (reference §4): running.txt, args-excerpt.txt, not-running-calendar.txt,
// missing*.stderr.txt. SYNTHETIC files are built from the variants listed in §4.3 and the
// incident, on the shape of the real ones.
const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/darwin/${name}`, import.meta.url), 'utf8');

function replay(commands: Array<Partial<CommandResult> & { argv: string[] }>): ReplayFacts {
  return new ReplayFacts({
    format: 'warden-capture',
    version: 1,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mini', uid: 501, user: 'bert', cpuCount: 16, createdAt: 0, wardenVersion: 'test' },
    samples: [
      {
        at: 0,
        commands: commands.map((c) => ({ exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 5, timedOut: false, truncated: false, error: null, ...c })),
        files: [],
        http: [],
      },
    ],
  });
}

describe('parseLaunchctlPrint', () => {
  it('reads a running agent, top-level keys only (coalition blocks repeat `state`)', () => {
    const job = parseLaunchctlPrint(fixture('launchctl-print-running.txt'));
    expect(job).toEqual({
      target: 'gui/501/com.mattstack.deck.chat',
      state: 'running',
      pid: 17594,
      path: '/Users/tester/Library/LaunchAgents/com.mattstack.deck.chat.plist',
      program: '/Applications/mattstack.app/Contents/Helpers/chat',
      arguments: ['/Applications/mattstack.app/Contents/Helpers/chat'],
      runs: 103,
      lastExit: expect.objectContaining({ code: null, signal: 'SIGTERM', neverExited: false }),
      jobState: null,
      properties: ['keepalive', 'runatload', 'inferred program'],
      runInterval: null,
      calendar: false,
    });
  });

  it('reads several arguments and `(never exited)`, ignoring the excerpt marks', () => {
    const job = parseLaunchctlPrint(fixture('launchctl-print-args-excerpt.txt'));
    expect(job.arguments).toEqual(['/Users/tester/.bun/bin/bun', 'server/index.ts']);
    expect(job.lastExit).toEqual({ code: null, signal: null, neverExited: true, text: 'never exited' });
    expect(job.runs).toBe(1);
    expect(job.pid).toBe(3246);
    expect(job.properties).toContain('has LWCR');
  });

  it('reads a not-running calendar job: no pid, exit 0, calendar trigger', () => {
    const job = parseLaunchctlPrint(fixture('launchctl-print-not-running-calendar.txt'));
    expect(job.state).toBe('not running');
    expect(job.pid).toBeNull();
    expect(job.lastExit).toMatchObject({ code: 0, text: 'exit 0 (success)' });
    expect(job.calendar).toBe(true);
    expect(job.arguments).toEqual(['/bin/bash', '/Users/marcela-dev/motherboard-backup-system/snapshot-manager-prod.sh']);
  });

  it('reads the incident weekly job: last exit 5 explained, calendar', () => {
    const job = parseLaunchctlPrint(fixture('launchctl-print-weekly-restart-incident.SYNTHETIC.txt'));
    expect(job.lastExit?.code).toBe(5);
    expect(job.lastExit?.text).toContain('EIO: Input/output error');
    expect(job.calendar).toBe(true);
  });

  it('reads spawn failed, 78: EX_CONFIG, run interval, penalty box, and arguments with spaces', () => {
    const job = parseLaunchctlPrint(fixture('launchctl-print-spawn-failed.SYNTHETIC.txt'));
    expect(job.jobState).toBe('spawn failed');
    expect(job.lastExit?.code).toBe(78);
    expect(job.lastExit?.text).toContain('EX_CONFIG');
    expect(job.runInterval).toBe(120);
    expect(job.properties).toEqual(['inferred program', 'penalty box']);
    expect(job.program).toBeNull();
    expect(job.arguments).toEqual(['/Users/tester/bin/missing binary', '--port', '1337']);
    // The coalition block's nested `state = active` and `last exit code = 0` must not leak up.
    expect(job.state).toBe('not running');
  });

  it('reads `last terminating signal = Killed: 9`', () => {
    const text = fixture('launchctl-print-running.txt').replace('Terminated: 15', 'Killed: 9');
    expect(parseLaunchctlPrint(text).lastExit).toMatchObject({ signal: 'SIGKILL', text: expect.stringContaining('SIGKILL (9)') });
  });

  it('is not fooled by a nested key that shares a top-level name', () => {
    const text = 'gui/501/x = {\n\tendpoints = {\n\t\tpid = 9\n\t\tstate = active\n\t}\n\tstate = not running\n}\n';
    const job = parseLaunchctlPrint(text);
    expect(job.pid).toBeNull();
    expect(job.state).toBe('not running');
  });

  it('throws a clear error on text that is not launchctl print output', () => {
    expect(() => parseLaunchctlPrint('Bad request.\n')).toThrow(/not launchctl print output/);
    expect(() => parseLaunchctlPrint('')).toThrow(/expected "<target> = \{"/);
  });

  it('refuses output cut short rather than reading a job with no pid', () => {
    const text = fixture('launchctl-print-running.txt');
    expect(() => parseLaunchctlPrint(text.slice(0, text.indexOf('\tpid = ')))).toThrow('output cut short: no closing "}"');
    expect(() => parseLaunchctlPrint(text.slice(0, -2))).toThrow(/cut short/);
  });

  it('never lets NaN out of a garbled number', () => {
    const job = parseLaunchctlPrint('gui/501/x = {\n\tpid = twelve\n\truns = \n\trun interval = soon\n}\n');
    expect(job.pid).toBeNull();
    expect(job.runs).toBeNull();
    expect(job.runInterval).toBeNull();
    expect(job.state).toBe('unknown');
  });
});

describe('parseLaunchctlDomainServices', () => {
  it('reads the services block, pid 0 as not running, and skips `disabled services`', () => {
    const rows = parseLaunchctlDomainServices(fixture('launchctl-print-domain.SYNTHETIC.txt'));
    expect(rows).toEqual([
      { pid: null, status: '0', label: 'ai.wienerdog.dream' },
      { pid: 9682, status: '(pe)', label: 'com.apple.modelcatalogd' },
      { pid: 31337, status: '-', label: 'com.sanctum.mlx' },
      { pid: null, status: '5', label: 'com.sanctum.mlx.weekly-restart' },
      { pid: null, status: '-9', label: 'com.example.label with space' },
    ]);
  });

  it('refuses a services block cut short: a missing row would make its process look unowned', () => {
    const text = fixture('launchctl-print-domain.SYNTHETIC.txt');
    expect(() => parseLaunchctlDomainServices(text.slice(0, text.indexOf('com.sanctum.mlx')))).toThrow(/cut short/);
  });

  it('throws when there is no services block', () => {
    expect(() => parseLaunchctlDomainServices('\tdisabled services = {\n\t\t"a" => disabled\n\t}\n')).toThrow(/no "services = \{" block/);
  });
});

describe('readLaunchdJob', () => {
  const argv = ['launchctl', 'print', 'gui/501/com.sanctum.mlx'];

  it('runs exactly `launchctl print <domain>/<label>`', () => {
    expect(launchctlPrintArgv('gui/501/com.sanctum.mlx')).toEqual(argv);
  });

  it('returns the parsed job when launchctl answers', async () => {
    const facts = replay([{ argv, stdout: fixture('launchctl-print-running.txt') }]);
    const read = await readLaunchdJob(facts, 'gui/501', 'com.sanctum.mlx');
    expect(read).toMatchObject({ ok: true, value: { loaded: true, job: { pid: 17594, state: 'running' } } });
  });

  it('reads exit 113 as no such job, with launchctl’s own words', async () => {
    const facts = replay([{ argv, exitCode: 113, stderr: fixture('launchctl-print-missing.stderr.txt') }]);
    expect(await readLaunchdJob(facts, 'gui/501', 'com.sanctum.mlx')).toEqual({
      ok: true,
      value: { loaded: false, why: 'no-such-job', message: 'Could not find service "com.mattstack.deck.nosuchapp" in domain for user gui: 501' },
    });
  });

  it('reads exit 112 as no GUI domain', async () => {
    const facts = replay([{ argv, exitCode: 112, stderr: 'Could not find domain for user gui: 501\n' }]);
    const read = await readLaunchdJob(facts, 'gui/501', 'com.sanctum.mlx');
    expect(read).toMatchObject({ ok: true, value: { loaded: false, why: 'no-gui-domain' } });
    expect(read.ok && !read.value.loaded && read.value.message).toContain('no GUI session for this user, e.g. an SSH login');
  });

  it('is not ok, naming the command, on any other failure', async () => {
    const usage = await readLaunchdJob(replay([{ argv, exitCode: 64, stderr: 'Unrecognized target specifier.\n' }]), 'gui/501', 'com.sanctum.mlx');
    expect(usage).toEqual({ ok: false, reason: 'launchctl print gui/501/com.sanctum.mlx: exit 64: Unrecognized target specifier.' });
    const hung = await readLaunchdJob(replay([{ argv, exitCode: null, signal: 'SIGTERM', timedOut: true, durationMs: 3000 }]), 'gui/501', 'com.sanctum.mlx');
    expect(hung).toEqual({ ok: false, reason: 'launchctl print gui/501/com.sanctum.mlx: no answer within 3.0 s' });
  });

  it('is not ok, naming the command, when exit 0 brings garbage', async () => {
    const read = await readLaunchdJob(replay([{ argv, stdout: 'hello\n' }]), 'gui/501', 'com.sanctum.mlx');
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toMatch(/^launchctl print gui\/501\/com\.sanctum\.mlx: not launchctl print output/);
  });

  it('passes a hostile label as one argv element', async () => {
    const label = 'a b"c;$(rm -rf ~)\nd';
    const hostile = ['launchctl', 'print', `gui/501/${label}`];
    const facts = replay([{ argv: hostile, exitCode: 113, stderr: 'Bad request.\nCould not find service\n' }]);
    const read = await readLaunchdJob(facts, 'gui/501', label);
    expect(read).toMatchObject({ ok: true, value: { loaded: false, why: 'no-such-job' } });
  });
});

describe('readLaunchdDomain', () => {
  it('runs `launchctl print gui/501` and reads its services', async () => {
    const facts = replay([{ argv: ['launchctl', 'print', 'gui/501'], stdout: fixture('launchctl-print-domain.SYNTHETIC.txt') }]);
    const read = await readLaunchdDomain(facts, 'gui/501');
    expect(read.ok && read.value.map((s) => s.label)).toContain('com.sanctum.mlx');
  });

  it('says there is no GUI session on exit 112', async () => {
    const facts = replay([{ argv: ['launchctl', 'print', 'gui/501'], exitCode: 112, stderr: 'Could not find domain for user gui: 501\n' }]);
    expect(await readLaunchdDomain(facts, 'gui/501')).toEqual({ ok: false, reason: 'launchctl print gui/501: no GUI session for this user, e.g. an SSH login' });
  });
});
