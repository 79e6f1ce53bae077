import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/platform/facts.js';
import { ReplayFacts } from '../../src/platform/replay.js';
import {
  decodeLsofText,
  lsofFileOpenersArgv,
  lsofPortListenersArgv,
  parseLsofFields,
  readFileOpeners,
  readPortListeners,
} from '../../src/platform/lsof.js';

// linux/lsof-*.txt: real captures from lsof 4.95 on this project's Linux test host (file held
// open by a copy of sleep named "my worker" and by sleep; a node listener; a command named
// "wörk<TAB>tab"), and the real `-F p` lines of lsof-org/lsof#103. No real macOS `-F`
// capture exists (reference §9.1), so the darwin ones are SYNTHETIC, with the always-on
// `f` lines and \x20 escapes that section describes.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

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

describe('parseLsofFields', () => {
  it('reads Linux -F pcn output, where no f lines are printed', () => {
    const text = 'p10117\ncmy worker\nn/tmp/lk/held file.db\np10118\ncsleep\nn/tmp/lk/held file.db\n';
    expect(parseLsofFields(text)).toEqual([
      { pid: 10117, command: 'my worker', files: [{ fd: '', name: '/tmp/lk/held file.db' }] },
      { pid: 10118, command: 'sleep', files: [{ fd: '', name: '/tmp/lk/held file.db' }] },
    ]);
  });

  it('reads Linux -F pcfn output with its f lines', () => {
    expect(parseLsofFields(fixture('linux/lsof-file-openers.txt'))).toEqual([
      { pid: 10117, command: 'my worker', files: [{ fd: '0', name: '/tmp/lk/held file.db' }] },
      { pid: 10118, command: 'sleep', files: [{ fd: '3', name: '/tmp/lk/held file.db' }] },
    ]);
  });

  it('decodes lsof escapes in command names (real: a TAB printed as \\t, UTF-8 kept)', () => {
    const [proc] = parseLsofFields(fixture('linux/lsof-file-openers-escaped.txt'));
    expect(proc?.command).toBe('wörk\ttab');
  });

  it('reads macOS output with f lines and \\x20 in names', () => {
    const procs = parseLsofFields(fixture('darwin/lsof-file-openers-macos.SYNTHETIC.txt'));
    expect(procs.map((p) => [p.pid, p.command])).toEqual([
      [10832, 'Python'],
      [20117, 'LM Studio Helper'],
    ]);
    expect(procs[0]?.files).toEqual([
      { fd: 'cwd', name: '/Users/bert/sanctum' },
      { fd: '3', name: '/Users/bert/sanctum/data/workspace.duckdb' },
      { fd: '4', name: '/Users/bert/sanctum/data/workspace.duckdb.wal' },
    ]);
  });

  it('reads f lines without names (lsof-org/lsof#103, -F p)', () => {
    expect(parseLsofFields(fixture('linux/lsof-F-p-lsof-org-103.txt'))).toEqual([
      { pid: 609, command: '', files: [{ fd: '5', name: '' }, { fd: '6', name: '' }] },
    ]);
  });

  it('ignores lines before the first p, unknown fields and a bad pid', () => {
    expect(parseLsofFields('n/stray\npabc\ncx\np12\ncnode\ntREG\nn/x\n')).toEqual([{ pid: 12, command: 'node', files: [{ fd: '', name: '/x' }] }]);
  });

  it('decodes \\xNN as bytes so escaped UTF-8 stays one character', () => {
    expect(decodeLsofText('w\\xc3\\xb6rk\\x20x')).toBe('wörk x');
    expect(decodeLsofText('plain')).toBe('plain');
    expect(decodeLsofText('trailing\\')).toBe('trailing\\');
  });
});

describe('readPortListeners', () => {
  const argv = ['lsof', '-nP', '-iTCP:1337', '-sTCP:LISTEN', '-Fpcn'];

  it('runs exactly the documented argv', () => {
    expect(lsofPortListenersArgv(1337)).toEqual(argv);
  });

  it('names the listener (one process for its IPv4 and IPv6 sockets)', async () => {
    const facts = replay([{ argv, stdout: fixture('darwin/lsof-port-listener-macos.SYNTHETIC.txt') }]);
    expect(await readPortListeners(facts, 1337)).toEqual({ ok: true, value: [{ pid: 31337, command: 'sanctum-mlx' }] });
  });

  it('reads exit 1 with no output as nobody listening', async () => {
    expect(await readPortListeners(replay([{ argv, exitCode: 1 }]), 1337)).toEqual({ ok: true, value: [] });
  });

  it('ignores lsof warnings but not errors', async () => {
    const warned = replay([{ argv, exitCode: 1, stderr: 'lsof: WARNING: can\'t stat() fuse.gvfsd-fuse file system /run/user/1000/gvfs\n' }]);
    expect(await readPortListeners(warned, 1337)).toEqual({ ok: true, value: [] });
    const failed = replay([{ argv, exitCode: 1, stderr: 'lsof: unsupported TCP/TPI info selection: X\n' }]);
    expect(await readPortListeners(failed, 1337)).toEqual({ ok: false, reason: 'lsof -iTCP:1337 -sTCP:LISTEN: exit 1: lsof: unsupported TCP/TPI info selection: X' });
  });

  it('is not ok when lsof is missing or hangs', async () => {
    const missing = replay([{ argv, exitCode: null, error: 'ENOENT: no such command on this system' }]);
    expect(await readPortListeners(missing, 1337)).toEqual({ ok: false, reason: 'lsof -iTCP:1337 -sTCP:LISTEN: ENOENT: no such command on this system' });
    const hung = replay([{ argv, exitCode: null, timedOut: true, durationMs: 5000 }]);
    expect(await readPortListeners(hung, 1337)).toEqual({ ok: false, reason: 'lsof -iTCP:1337 -sTCP:LISTEN: no answer within 5.0 s' });
  });

  it('is not ok on garbage output, naming the command', async () => {
    const read = await readPortListeners(replay([{ argv, stdout: 'COMMAND PID USER\nnode 1 me\n' }]), 1337);
    expect(read).toEqual({ ok: false, reason: 'lsof -iTCP:1337 -sTCP:LISTEN: no p<pid> lines in the output' });
  });

  it('refuses a port that is not a TCP port, without running anything', async () => {
    expect(await readPortListeners(replay([]), 0)).toEqual({ ok: false, reason: 'port 0 is not a TCP port (1–65535)' });
    expect((await readPortListeners(replay([]), 1.5)).ok).toBe(false);
  });
});

describe('readFileOpeners', () => {
  const path = '/tmp/lk/held file.db';

  it('runs lsof with -- before the path, hostile paths as one element', () => {
    expect(lsofFileOpenersArgv(path)).toEqual(['lsof', '-Fpcfn', '--', path]);
    expect(lsofFileOpenersArgv('-r 1;$(x)\n')).toEqual(['lsof', '-Fpcfn', '--', '-r 1;$(x)\n']);
  });

  it('names the openers and their descriptors', async () => {
    const facts = replay([{ argv: lsofFileOpenersArgv(path), stdout: fixture('linux/lsof-file-openers.txt') }]);
    expect(await readFileOpeners(facts, path)).toEqual({
      ok: true,
      value: [
        { pid: 10117, command: 'my worker', fds: ['0'] },
        { pid: 10118, command: 'sleep', fds: ['3'] },
      ],
    });
  });

  it('names the path when lsof hangs', async () => {
    const facts = replay([{ argv: lsofFileOpenersArgv(path), exitCode: null, timedOut: true, durationMs: 5000 }]);
    expect(await readFileOpeners(facts, path)).toEqual({ ok: false, reason: 'lsof "/tmp/lk/held file.db": no answer within 5.0 s' });
  });

  it('reads exit 1 with no output as nobody holding it open', async () => {
    expect(await readFileOpeners(replay([{ argv: lsofFileOpenersArgv(path), exitCode: 1 }]), path)).toEqual({ ok: true, value: [] });
  });

  it('is not ok for a path lsof cannot stat', async () => {
    const facts = replay([{ argv: lsofFileOpenersArgv('/nope'), exitCode: 1, stderr: 'lsof: status error on /nope: No such file or directory\n' }]);
    expect(await readFileOpeners(facts, '/nope')).toEqual({ ok: false, reason: 'lsof /nope: exit 1: lsof: status error on /nope: No such file or directory' });
  });
});
