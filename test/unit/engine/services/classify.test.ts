import { describe, expect, it } from 'vitest';
import type { ProcessRow, ProcessTable } from '../../../../src/common/processes.js';
import type { Part } from '../../../../src/common/result.js';
import { explainExit } from '../../../../src/platform/exits.js';
import { classifyService, type ClassifyInput } from '../../../../src/engine/services/state.js';
import type { SupervisionCheck } from '../../../../src/engine/services/supervision.js';

const AT = Date.UTC(2026, 4, 10, 14, 30, 0);

function row(pid: number, ppid: number, command: string, uid = 501): ProcessRow {
  return { pid, ppid, uid, rssBytes: 1, cpuPercent: 0, cpuSeconds: 0, elapsedSeconds: 60, startedAt: AT - 60_000, name: command.split(' ')[0] ?? '', command, zombie: false };
}

const table: ProcessTable = {
  at: AT,
  rows: [
    row(1, 0, '/sbin/launchd', 0),
    row(4242, 1, '/Users/bert/sanctum/.venv/bin/sanctum-mlx --port 1337'),
    row(700, 1, '/bin/bash /Users/bert/bin/run-llama.sh'),
    row(701, 700, '/opt/homebrew/bin/llama-server --port 8080'),
  ],
};

function launchd(partial: Partial<SupervisionCheck> = {}): Part<SupervisionCheck> {
  return {
    ok: true,
    value: { kind: 'launchd', target: 'gui/501/com.sanctum.mlx', loaded: true, jobState: 'running', jobPid: 4242, lastExit: null, runs: 1, plist: null, note: null, ownedPids: [4242], ...partial },
  };
}

function input(partial: Partial<ClassifyInput>): ClassifyInput {
  return { port: 1337, match: null, local: true, supervision: launchd(), listeners: { ok: true, value: [4242] }, table, ...partial };
}

describe('classifyService', () => {
  it('running: the loaded job owns the process serving the port', () => {
    expect(classifyService(input({}))).toEqual({ state: 'running', reason: 'launchd job gui/501/com.sanctum.mlx runs PID 4242', pid: 4242, orphanPid: null });
  });

  it('running: the job runs a wrapper whose child serves the port', () => {
    const result = classifyService(input({ port: 8080, listeners: { ok: true, value: [701] }, supervision: launchd({ jobPid: 700, ownedPids: [700] }) }));
    expect(result).toMatchObject({ state: 'running', pid: 701 });
  });

  it('orphaned: a process serves the port and no job is loaded (PPID 1 is no evidence either way)', () => {
    const result = classifyService(input({ supervision: launchd({ loaded: false, jobState: null, jobPid: null, ownedPids: [], plist: { path: '/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist', exists: false, lintOk: null, lintMessage: null } }) }));
    expect(result).toEqual({
      state: 'orphaned',
      reason: 'PID 4242 serves port 1337, but launchd job gui/501/com.sanctum.mlx is not loaded (/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist is missing)',
      pid: 4242,
      orphanPid: 4242,
    });
  });

  it('orphaned: the job is loaded but runs a different pid', () => {
    const result = classifyService(input({ supervision: launchd({ jobPid: 5151, ownedPids: [5151] }), table: { at: AT, rows: [...table.rows, row(5151, 1, 'sanctum-mlx')] } }));
    expect(result).toMatchObject({ state: 'orphaned', reason: 'PID 4242 serves port 1337, but launchd job gui/501/com.sanctum.mlx runs PID 5151', orphanPid: 4242 });
  });

  it('orphaned: found by its command line when nothing listens yet', () => {
    const result = classifyService(input({ listeners: { ok: true, value: [] }, match: 'sanctum-mlx', supervision: launchd({ loaded: false, jobPid: null, ownedPids: [] }) }));
    expect(result).toMatchObject({ state: 'orphaned', reason: 'PID 4242 matches "sanctum-mlx", but launchd job gui/501/com.sanctum.mlx is not loaded' });
  });

  it('crashed vs stopped vs missing when nothing runs', () => {
    const none: Partial<ClassifyInput> = { listeners: { ok: true, value: [] } };
    expect(classifyService(input({ ...none, supervision: launchd({ jobPid: null, ownedPids: [], jobState: 'not running', lastExit: explainExit(null, 9, { source: 'launchd' }) }) }))).toMatchObject({
      state: 'crashed',
      reason: 'launchd job gui/501/com.sanctum.mlx is not running; last killed by SIGKILL (9): force-killed (kill -9, or the system killing it for memory)',
    });
    expect(classifyService(input({ ...none, supervision: launchd({ jobPid: null, ownedPids: [], jobState: 'not running', lastExit: explainExit(0, null, { source: 'launchd' }) }) }))).toMatchObject({
      state: 'stopped',
      reason: 'launchd job gui/501/com.sanctum.mlx is loaded but not running; last exit 0 (success)',
    });
    expect(classifyService(input({ ...none, supervision: launchd({ loaded: false, jobPid: null, ownedPids: [], note: 'launchd has no job gui/501/com.sanctum.mlx' }) }))).toMatchObject({
      state: 'missing',
      reason: 'not running: launchd has no job gui/501/com.sanctum.mlx',
    });
  });

  it('systemd failed is crashed', () => {
    const sv: Part<SupervisionCheck> = { ok: true, value: { kind: 'systemd', target: 'ollama.service', loaded: true, jobState: 'failed (failed)', jobPid: null, lastExit: explainExit(1, null, { source: 'systemd' }), runs: 0, plist: null, note: 'Result=exit-code', ownedPids: [] } };
    expect(classifyService(input({ listeners: { ok: true, value: [] }, supervision: sv }))).toMatchObject({ state: 'crashed', reason: 'systemd unit ollama.service is not running; last exit 1 (general failure)' });
  });

  it('unknown: no GUI domain, or the supervisor could not be read, or listeners unreadable', () => {
    expect(classifyService(input({ supervision: launchd({ loaded: null, note: 'no GUI session for this user, e.g. an SSH login' }) }))).toMatchObject({
      state: 'unknown',
      reason: 'launchd job gui/501/com.sanctum.mlx: no GUI session for this user, e.g. an SSH login',
    });
    expect(classifyService(input({ supervision: { ok: false, reason: 'launchctl print gui/501/com.sanctum.mlx: no answer within 3.0 s' } }))).toMatchObject({
      state: 'unknown',
      reason: 'PID 4242 serves port 1337, but the supervisor could not be read: launchctl print gui/501/com.sanctum.mlx: no answer within 3.0 s',
    });
    expect(classifyService(input({ supervision: null, listeners: { ok: false, reason: 'lsof: ENOENT: no such command on this system' } }))).toMatchObject({
      state: 'unknown',
      reason: 'cannot see who listens on port 1337: lsof: ENOENT: no such command on this system',
    });
  });

  it('unsupervised services: running when something serves, missing when nothing does', () => {
    // "Nothing restarts it" only when it was looked for.
    expect(classifyService(input({ supervision: null }))).toMatchObject({ state: 'running', reason: 'PID 4242 serves port 1337; no supervisor is configured' });
    const measured = 'no launchd job in gui/501 runs PID 4242 or a parent of it (launchctl print gui/501, 3 jobs running): nothing restarts it';
    expect(classifyService(input({ supervision: null, unsupervisedNote: measured }))).toMatchObject({ state: 'running', reason: `PID 4242 serves port 1337; ${measured}` });
    expect(classifyService(input({ supervision: null, listeners: { ok: true, value: [] } }))).toMatchObject({ state: 'missing', reason: 'nothing listens on port 1337' });
    // The process last seen serving it is named, with the local time it was first seen gone.
    const seen = { pid: 4242, name: 'sanctum-mlx', goneAt: '14:02' };
    expect(classifyService(input({ supervision: null, listeners: { ok: true, value: [] }, lastSeen: seen }))).toMatchObject({ state: 'missing', reason: 'PID 4242 (sanctum-mlx) exited at 14:02; nothing listens on port 1337' });
  });

  it('a remote service has no process to look at: the probe decides running or unknown', () => {
    const remote = { supervision: null, local: false, port: null, listeners: null };
    expect(classifyService(input({ ...remote, probe: { ok: true, measured: '200 in 80 ms' } }))).toMatchObject({ state: 'running', reason: 'answers (200 in 80 ms); no local process to check' });
    expect(classifyService(input({ ...remote, probe: { ok: false, measured: 'no answer within 10 s' } }))).toMatchObject({ state: 'unknown', reason: 'no local process to check; the probe measured no answer within 10 s' });
  });

  it('a command supervisor: pidfile names a dead pid while another process serves the port', () => {
    const sv: Part<SupervisionCheck> = { ok: true, value: { kind: 'command', target: 'model', loaded: true, jobState: 'not running', jobPid: null, lastExit: null, runs: null, plist: null, note: 'pidfile /tmp/m.pid names PID 999, which is gone', ownedPids: [], stalePid: 999 } };
    expect(classifyService(input({ supervision: sv }))).toMatchObject({ state: 'orphaned', reason: 'PID 4242 serves port 1337, but the pidfile names PID 999, which is gone' });
    expect(classifyService(input({ supervision: sv, listeners: { ok: true, value: [] } }))).toMatchObject({ state: 'missing', reason: 'nothing runs on port 1337: pidfile /tmp/m.pid names PID 999, which is gone' });
  });

  it('never takes Warden itself or PID 1 for the service', () => {
    const result = classifyService(input({ supervision: null, listeners: { ok: true, value: [] }, match: 'sanctum', ownPid: 4242 }));
    expect(result.state).toBe('missing');
  });
});
