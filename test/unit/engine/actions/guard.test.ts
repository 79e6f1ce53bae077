import { describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../../../src/common/services.js';
import { checkIdentity, signalProcess } from '../../../../src/engine/actions/guard.js';
import { runsStartCommand } from '../../../../src/engine/services/supervision.js';
import { ScriptedEffects, ScriptedFacts, fail, ok, psOutput, type PsRow } from '../../../support/scripted-facts.js';

const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);
const STARTED = NOW - ((3 * 24 + 2) * 3600 + 15 * 60 + 11) * 1000; // etime 03-02:15:11
const COMMAND = '/opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python scripts/message-to-duckdb.py';
const holder: ProcessRef = { pid: 10832, ppid: 1, uid: 501, startedAt: STARTED, name: 'Python', command: COMMAND };

function host(rows: PsRow[]) {
  const facts = new ScriptedFacts().on((argv) => (argv[0] === 'ps' ? ok(argv, psOutput(rows, NOW)) : null));
  return { facts, effects: new ScriptedEffects(facts) };
}

const same: PsRow = { pid: 10832, ppid: 1, uid: 501, startedAt: STARTED, command: COMMAND };

describe('checkIdentity', () => {
  it('passes for the same process: uid, start time within 2 s, command line', async () => {
    const { facts } = host([same]);
    const result = await checkIdentity(facts, holder, 501, NOW);
    expect(result.ok).toBe(true);
    // 1.5 s of etime rounding either way is still the same process.
    const skewed = await checkIdentity(facts, { ...holder, startedAt: STARTED + 1500 }, 501, NOW);
    expect(skewed.ok).toBe(true);
  });

  it.each<[string, PsRow[], ProcessRef, number, string]>([
    ['PID 1', [same], { ...holder, pid: 1 }, 501, 'refusing to signal PID 1: it is the system\'s init (launchd/systemd)'],
    ['PID 0', [same], { ...holder, pid: 0 }, 501, 'refusing to signal PID 0: it is the system\'s kernel'],
    ['gone', [{ ...same, pid: 611, command: '/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder' }], holder, 501, 'PID 10832 is no longer running'],
    ['another user', [{ ...same, uid: 0 }], holder, 501, "PID 10832 belongs to uid 0, not Warden's uid 501; not touching it"],
    ['pid reused', [{ ...same, startedAt: NOW - 5000 }], holder, 501, 'PID 10832 started 267306 s later than the process that was shown: the PID now belongs to another process'],
    ['command changed', [{ ...same, command: '/bin/sleep 100' }], holder, 501, `PID 10832 now runs "/bin/sleep 100", not ${JSON.stringify(COMMAND).slice(0, 118)}…"`],
  ])('refuses: %s', async (_name, rows, expected, uid, reason) => {
    const { facts } = host(rows);
    const result = await checkIdentity(facts, expected, uid, NOW);
    expect(result).toEqual({ ok: false, reason });
  });

  it('refuses when the process table cannot be read', async () => {
    const facts = new ScriptedFacts().on((argv) => fail(argv, 1, 'ps: permission denied\n', 'x'));
    const result = await checkIdentity(facts, holder, 501, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^cannot re-check PID 10832 before signalling it: /);
  });

  it('refuses Warden itself', async () => {
    const { facts } = host([same]);
    expect(await checkIdentity(facts, holder, 501, NOW, { ownPid: 10832 })).toEqual({ ok: false, reason: 'refusing to signal PID 10832: it is Warden itself' });
  });
});

describe('signalProcess', () => {
  it('signals only after the identity check passes', async () => {
    const { facts, effects } = host([same]);
    expect(await signalProcess(facts, effects, holder, 'SIGTERM', 501, NOW)).toEqual({ ok: true, value: 'sent SIGTERM to PID 10832 (Python scripts/message-to-duckdb.py)' });
    expect(effects.log).toEqual(['signal 10832 SIGTERM']);
  });

  it('sends nothing when the check fails', async () => {
    const { facts, effects } = host([{ ...same, uid: 0 }]);
    const result = await signalProcess(facts, effects, holder, 'SIGKILL', 501, NOW);
    expect(result.ok).toBe(false);
    expect(effects.log).toEqual([]);
  });

  it('reports a signal the kernel refused', async () => {
    const { facts, effects } = host([same]);
    effects.onSignal = () => ({ ok: false, error: 'EPERM: not permitted' });
    expect(await signalProcess(facts, effects, holder, 'SIGTERM', 501, NOW)).toEqual({ ok: false, reason: 'SIGTERM to PID 10832 failed: EPERM: not permitted' });
  });
});

describe('runsStartCommand: is a command line the service’s start command?', () => {
  const start = ['llama-server', '--port', '8080', '-m', '/models/a b.gguf'];
  it.each([
    ['llama-server --port 8080 -m /models/a b.gguf', true],
    ['/opt/homebrew/bin/llama-server --port 8080 -m /models/a b.gguf', true],
    // A shebang or an interpreter puts itself first.
    ['/bin/sh /usr/local/bin/llama-server --port 8080 -m /models/a b.gguf', true],
    ['llama-server --port 8081 -m /models/a b.gguf', false],
    ['my-llama-server --port 8080 -m /models/a b.gguf', false],
    ['llama-server --port 8080 -m /models/a b.gguf --extra', false],
    ['sleep 3600', false],
    ['', false],
  ])('%j → %s', (command, expected) => {
    expect(runsStartCommand(command, start)).toBe(expected);
  });

  it('also accepts the service’s own match, and refuses an empty start', () => {
    expect(runsStartCommand('python3 -m mlx_lm.server --port 8080', ['./run.sh'], 'mlx_lm.server')).toBe(true);
    expect(runsStartCommand('python3 -m other', ['./run.sh'], 'mlx_lm.server')).toBe(false);
    expect(runsStartCommand('anything', [])).toBe(false);
  });
});
