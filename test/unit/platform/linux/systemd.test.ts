import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../../src/platform/facts.js';
import { LiveFacts } from '../../../../src/platform/live.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import {
  SYSTEMD_PROPERTIES,
  parseSystemctlShow,
  parseSystemdTimestamp,
  readSystemdUnit,
  systemctlShowArgv,
} from '../../../../src/platform/linux/systemd.js';

// systemctl-show-*.SYNTHETIC.txt are written from systemd's documented `Key=Value` format
// (systemctl(1) show, org.freedesktop.systemd1(5)), with the requested properties in the
// order systemd emits them (Service interface, then Unit) and `--timestamp=unix` stamps.
// systemctl-no-systemd.stderr.txt is real: this project's Linux test host runs no systemd.
const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/linux/${name}`, import.meta.url), 'utf8');
const AT = Date.UTC(2026, 4, 10, 2, 0, 0);

function replay(commands: Array<Partial<CommandResult> & { argv: string[] }>): ReplayFacts {
  return new ReplayFacts({
    format: 'warden-capture',
    version: 1,
    host: { platform: 'linux', arch: 'x64', hostname: 'box', uid: 1000, user: 'bert', cpuCount: 2, createdAt: 0, wardenVersion: 'test' },
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

describe('systemctlShowArgv', () => {
  it('asks for every property in one call, unix timestamps, and ends options before the unit', () => {
    expect(systemctlShowArgv('sanctum-mlx.service', 'system')).toEqual([
      'systemctl',
      'show',
      '--property=Id,LoadState,ActiveState,SubState,MainPID,ExecMainStatus,ExecMainCode,ExecMainStartTimestamp,ExecMainExitTimestamp,Result,FragmentPath,NRestarts,UnitFileState',
      '--timestamp=unix',
      '--no-pager',
      '--',
      'sanctum-mlx.service',
    ]);
    expect(systemctlShowArgv('-x;$(y) z', 'user').slice(0, 3)).toEqual(['systemctl', '--user', 'show']);
    expect(systemctlShowArgv('-x;$(y) z', 'user').at(-1)).toBe('-x;$(y) z');
  });

  it('asks for the properties the brief lists', () => {
    for (const p of ['ActiveState', 'SubState', 'MainPID', 'ExecMainStatus', 'ExecMainCode', 'ExecMainExitTimestamp', 'ExecMainStartTimestamp', 'Result', 'FragmentPath', 'NRestarts', 'LoadState', 'UnitFileState']) {
      expect(SYSTEMD_PROPERTIES).toContain(p);
    }
  });
});

describe('parseSystemctlShow', () => {
  it('reads a failed oneshot: exit 5, timestamps in ms, no main pid', () => {
    expect(parseSystemctlShow(fixture('systemctl-show-failed-oneshot.SYNTHETIC.txt'))).toEqual({
      id: 'sanctum-weekly-restart.service',
      loadState: 'loaded',
      activeState: 'failed',
      subState: 'failed',
      mainPid: null,
      lastExit: { code: 5, signal: null, neverExited: false, text: 'exit 5' },
      startedAt: AT,
      exitedAt: AT + 1000,
      result: 'exit-code',
      fragmentPath: '/home/bert/.config/systemd/user/sanctum-weekly-restart.service',
      restarts: 0,
      unitFileState: 'static',
    });
  });

  it('reads a running service: main pid, no exit yet, empty exit timestamp', () => {
    const unit = parseSystemctlShow(fixture('systemctl-show-running.SYNTHETIC.txt'));
    expect(unit.mainPid).toBe(31337);
    expect(unit.lastExit).toBeNull();
    expect(unit.exitedAt).toBeNull();
    expect(unit.startedAt).toBe(AT - 39_600_000);
    expect(unit.restarts).toBe(2);
  });

  it('reads ExecMainCode 2 as killed by the signal in ExecMainStatus, Linux numbering', () => {
    const unit = parseSystemctlShow(fixture('systemctl-show-killed-restarting.SYNTHETIC.txt'));
    expect(unit.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(unit.subState).toBe('auto-restart');
  });

  it('reads ExecMainCode 3 as a core dump, and default-form timestamps only when the zone is unambiguous', () => {
    const unit = parseSystemctlShow(fixture('systemctl-show-default-timestamps-core-dump.SYNTHETIC.txt'));
    expect(unit.lastExit?.signal).toBe('SIGSEGV');
    expect(unit.lastExit?.text).toMatch(/core dumped/);
    expect(unit.startedAt).toBe(AT);
    expect(unit.exitedAt).toBeNull(); // "CEST" names no single offset
  });

  it('reads a unit systemd does not know', () => {
    const unit = parseSystemctlShow(fixture('systemctl-show-not-found.SYNTHETIC.txt'));
    expect(unit.loadState).toBe('not-found');
    expect(unit.fragmentPath).toBeNull();
    expect(unit.unitFileState).toBeNull();
  });

  it('throws on text that is not systemctl show output', () => {
    expect(() => parseSystemctlShow('hello\n')).toThrow(/not systemctl show output/);
    expect(() => parseSystemctlShow('')).toThrow(/no LoadState\/ActiveState/);
  });

  it('never lets NaN out of garbled numbers', () => {
    const unit = parseSystemctlShow('LoadState=loaded\nActiveState=active\nMainPID=abc\nNRestarts=-1\nExecMainCode=1\nExecMainStatus=x\n');
    expect(unit.mainPid).toBeNull();
    expect(unit.restarts).toBeNull();
    expect(unit.lastExit).toBeNull();
  });
});

describe('parseSystemdTimestamp', () => {
  it('reads unix and unambiguous default forms', () => {
    expect(parseSystemdTimestamp('@1778378400')).toBe(AT);
    expect(parseSystemdTimestamp('@1778378400.250000')).toBe(AT + 250);
    expect(parseSystemdTimestamp('Sun 2026-05-10 02:00:00 UTC')).toBe(AT);
    expect(parseSystemdTimestamp('Sun 2026-05-10 07:00:00 +05')).toBe(AT);
    expect(parseSystemdTimestamp('Sun 2026-05-10 04:00:00 +0200')).toBe(AT);
  });

  it('is null for empty, n/a, zero and ambiguous zones', () => {
    for (const text of ['', 'n/a', '@0', 'Fri 2026-10-09 18:10:00 CST', undefined]) expect(parseSystemdTimestamp(text)).toBeNull();
  });
});

describe('readSystemdUnit', () => {
  const argv = systemctlShowArgv('sanctum-mlx.service', 'user');

  it('returns the unit', async () => {
    const read = await readSystemdUnit(replay([{ argv, stdout: fixture('systemctl-show-running.SYNTHETIC.txt') }]), 'sanctum-mlx.service', 'user');
    expect(read).toMatchObject({ ok: true, value: { loaded: true, unit: { mainPid: 31337, activeState: 'active' } } });
  });

  it('says loaded false for LoadState=not-found', async () => {
    const nosuch = systemctlShowArgv('nosuch.service', 'system');
    const read = await readSystemdUnit(replay([{ argv: nosuch, stdout: fixture('systemctl-show-not-found.SYNTHETIC.txt') }]), 'nosuch.service', 'system');
    expect(read).toEqual({ ok: true, value: { loaded: false, why: 'not-found', message: 'unit nosuch.service not found in the system manager' } });
  });

  it('gives systemctl’s reason when there is no systemd, naming the unit', async () => {
    const read = await readSystemdUnit(replay([{ argv, exitCode: 1, stderr: fixture('systemctl-no-systemd.stderr.txt') }]), 'sanctum-mlx.service', 'user');
    expect(read).toEqual({
      ok: false,
      reason: 'systemctl --user show sanctum-mlx.service: exit 1: System has not been booted with systemd as init system (PID 1). Can\'t operate.',
    });
  });

  it('is not ok, naming the command, on garbage', async () => {
    const read = await readSystemdUnit(replay([{ argv, stdout: 'oops\n' }]), 'sanctum-mlx.service', 'user');
    expect(!read.ok && read.reason).toMatch(/^systemctl --user show sanctum-mlx\.service: not systemctl show output/);
  });

  it('live on this host: not ok with systemctl’s own reason (no systemd running)', async () => {
    const read = await readSystemdUnit(new LiveFacts(), 'ssh.service', 'system');
    // Where systemd runs the read succeeds; this project's Linux hosts run none.
    if (read.ok) {
      expect(['loaded', 'not-found', 'masked']).toContain(read.value.loaded ? read.value.unit.loadState : 'not-found');
    } else {
      expect(read.reason).toMatch(/^systemctl show ssh\.service: /);
    }
  });
});
