import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../src/platform/facts.js';
import { ReplayFacts } from '../../../src/platform/replay.js';
import {
  decodeLsofText,
  listenerPort,
  lsofFileOpenersArgv,
  lsofPortListenersArgv,
  lsofTcpListenersArgv,
  parseLsofFields,
  parseTcpListeners,
  readFileOpeners,
  readPortListeners,
  readTcpListeners,
} from '../../../src/platform/lsof.js';

// linux/lsof-*.txt: real captures from lsof 4.95 on this project's Linux test host (file held
// open by a copy of sleep named "my worker" and by sleep; a node listener; a command named
// "wörk<TAB>tab"), and the real `-F p` lines of lsof-org/lsof#103. No real macOS `-F`
// capture exists (reference §9.1), so the darwin ones are SYNTHETIC, with the always-on
// `f` lines and \x20 escapes that section describes.
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

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

describe('parseTcpListeners', () => {
  it('reads a real Linux capture: one process on IPv4 and IPv6 of one port is named once', () => {
    // lsof 4.95, `lsof -nP -iTCP -sTCP:LISTEN -Fpcn`: a copy of node named "my node" on
    // 0.0.0.0 and [::] (IPv6-only) of 47311, [::1]:47312 and 127.0.0.1:47313; node on [::]:47320.
    expect(parseTcpListeners(fixture('linux/lsof-tcp-listeners.txt'))).toEqual(
      new Map([
        [47311, [{ pid: 31910, command: 'my node' }]],
        [47312, [{ pid: 31910, command: 'my node' }]],
        [47313, [{ pid: 31910, command: 'my node' }]],
        [47320, [{ pid: 31912, command: 'node' }]],
      ]),
    );
  });

  it('reads macOS output: f lines, \\x20 in names, both families, link-local IPv6 with its zone', () => {
    const byPort = parseTcpListeners(fixture('darwin/lsof-tcp-listeners-macos.SYNTHETIC.txt'));
    expect([...byPort.keys()]).toEqual([7000, 5000, 11434, 1234, 1337, 41343, 41344]);
    expect(byPort.get(7000)).toEqual([{ pid: 412, command: 'ControlCenter' }]);
    expect(byPort.get(1234)).toEqual([{ pid: 1500, command: 'LM Studio' }]);
    expect(byPort.get(1337)).toEqual([{ pid: 4242, command: 'sanctum-mlx' }]);
    expect(byPort.get(41343)).toEqual([{ pid: 20117, command: 'LM Studio Helper' }]);
    expect(byPort.get(41344)).toEqual([{ pid: 20117, command: 'LM Studio Helper' }]);
  });

  it('names every process that holds one listening socket (a forked worker shares its parent\'s)', () => {
    expect(parseTcpListeners('p100\ncpython3\nf3\nn*:8000\np101\ncpython3\nf3\nn*:8000\n').get(8000)).toEqual([
      { pid: 100, command: 'python3' },
      { pid: 101, command: 'python3' },
    ]);
  });

  it('skips garbage: lines before the first p, names that are not address:port, ports out of range', () => {
    const text = 'n*:22\np7\ncsshd\nn*:22\nnlocalhost:8080\nn127.0.0.1:55193->127.0.0.1:18800\nn*:0\nn*:70000\nn/tmp/x.sock\nn*:\nn[::1]:1234 (LISTEN)\n';
    expect(parseTcpListeners(text)).toEqual(new Map([[22, [{ pid: 7, command: 'sshd' }]], [1234, [{ pid: 7, command: 'sshd' }]]]));
    expect(parseTcpListeners('COMMAND PID USER\nnode 1 me\n\u0000\u00ff')).toEqual(new Map());
  });

  it('reads the port of each name lsof -nP prints for a listener', () => {
    expect(['*:11434', '127.0.0.1:8080', '[::1]:1234', '[::ffff:127.0.0.1]:9931', '[fe80::1%lo0]:5000', '0.0.0.0:65535'].map(listenerPort)).toEqual([11434, 8080, 1234, 9931, 5000, 65535]);
    expect(['', '*:*', '1337', 'localhost:8080', ':1337', '*:1337x', '10.0.0.1:1->10.0.0.2:2'].map(listenerPort)).toEqual([null, null, null, null, null, null, null]);
  });
});

describe('readTcpListeners', () => {
  const argv = ['lsof', '-nP', '-iTCP', '-sTCP:LISTEN', '-Fpcn'];

  it('runs exactly the documented argv: every TCP listener at once', () => {
    expect(lsofTcpListenersArgv()).toEqual(argv);
  });

  it('gives the listeners by port', async () => {
    const read = await readTcpListeners(replay([{ argv, stdout: fixture('darwin/lsof-tcp-listeners-macos.SYNTHETIC.txt') }]));
    expect(read.ok && read.value.get(11434)).toEqual([{ pid: 900, command: 'ollama' }]);
  });

  it('reads exit 1 with no output (or only warnings) as nobody listening', async () => {
    expect(await readTcpListeners(replay([{ argv, exitCode: 1 }]))).toEqual({ ok: true, value: new Map() });
    const warned = replay([{ argv, exitCode: 1, stderr: 'lsof: WARNING: can\'t stat() fuse.gvfsd-fuse file system /run/user/1000/gvfs\n' }]);
    expect(await readTcpListeners(warned)).toEqual({ ok: true, value: new Map() });
  });

  it('names what was asked, not the option letters, when lsof fails', async () => {
    const hung = replay([{ argv, exitCode: null, timedOut: true, durationMs: 5000 }]);
    expect(await readTcpListeners(hung)).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: no answer within 5.0 s' });
    const crashed = replay([{ argv, exitCode: null, signal: 'SIGSEGV' }]);
    expect(await readTcpListeners(crashed)).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: killed by SIGSEGV' });
    const missing = replay([{ argv, exitCode: null, error: 'ENOENT: no such command on this system' }]);
    expect(await readTcpListeners(missing)).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: ENOENT: no such command on this system' });
    const failed = replay([{ argv, exitCode: 1, stderr: 'lsof: unsupported TCP/TPI info selection: X\n' }]);
    expect(await readTcpListeners(failed)).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: exit 1: lsof: unsupported TCP/TPI info selection: X' });
  });

  it('is not ok on garbage, nor on names none of which is an address and port', async () => {
    expect(await readTcpListeners(replay([{ argv, stdout: 'COMMAND PID USER\nnode 1 me\n' }]))).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: no p<pid> lines in the output' });
    expect(await readTcpListeners(replay([{ argv, stdout: 'p12\ncnode\nnlocalhost:http\n' }]))).toEqual({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: no <address>:<port> names in the output' });
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
