import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../src/platform/capture.js';
import type { CommandResult } from '../../../src/platform/facts.js';
import { LiveFacts } from '../../../src/platform/live.js';
import { ReplayFacts } from '../../../src/platform/replay.js';
import { lintPlist, plutilLintArgv, plutilToXmlArgv, programArgumentsOf, readPlist } from '../../../src/platform/darwin/plist.js';

// plutil lint outputs are real (reference §7); the plists are SYNTHETIC, written from the incident.
const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/darwin/${name}`, import.meta.url), 'utf8');
const fixturePath = (name: string): string => new URL(`../../fixtures/darwin/${name}`, import.meta.url).pathname;

function replay(commands: Array<Partial<CommandResult> & { argv: string[] }>, files: FileRecord[] = []): ReplayFacts {
  return new ReplayFacts({
    format: 'warden-capture',
    version: 1,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'mini', uid: 501, user: 'bert', cpuCount: 16, createdAt: 0, wardenVersion: 'test' },
    samples: [
      {
        at: 0,
        commands: commands.map((c) => ({ exitCode: 0, signal: null, stdout: '', stderr: '', durationMs: 5, timedOut: false, truncated: false, error: null, ...c })),
        files,
        http: [],
      },
    ],
  });
}

function fileRead(path: string, content: string | null, extra: { exists?: boolean; error?: string | null; truncated?: boolean } = {}): FileRecord {
  return { op: 'read', path, result: { path, exists: extra.exists ?? content !== null, content, truncated: extra.truncated ?? false, error: extra.error ?? null } };
}

const PLIST = '/Users/bert/Library/LaunchAgents/com.sanctum.mlx.plist';

describe('readPlist', () => {
  it('parses an XML launchd plist', async () => {
    const read = await readPlist(replay([], [fileRead(PLIST, fixture('com.sanctum.mlx.plist.SYNTHETIC.xml'))]), PLIST);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.exists).toBe(true);
    expect(read.value.error).toBeNull();
    expect(read.value.data?.['Label']).toBe('com.sanctum.mlx');
    expect(read.value.data?.['KeepAlive']).toBe(true);
    expect(read.value.data?.['EnvironmentVariables']).toEqual({ MLX_COMPILE_CACHE: '0' });
  });

  it('says a missing file does not exist, without an error', async () => {
    expect(await readPlist(replay([], [fileRead(PLIST, null)]), PLIST)).toEqual({ ok: true, value: { exists: false, data: null, error: null } });
  });

  it('gives the parser’s message for a malformed plist, and prints nothing', async () => {
    const printed: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => printed.push(args);
    try {
      const stray = await readPlist(replay([], [fileRead(PLIST, fixture('broken-non-key-in-dict.SYNTHETIC.plist'))]), PLIST);
      expect(stray).toEqual({ ok: true, value: { exists: true, data: null, error: 'Missing key while parsing <dict/>.' } });
      const unclosed = await readPlist(replay([], [fileRead(PLIST, fixture('broken-unclosed-tag.SYNTHETIC.plist'))]), PLIST);
      // Line 5 holds the <string> that was never closed.
      expect(unclosed.ok && unclosed.value.error).toBe('Opening and ending tag mismatch: "string" != "dict" (line 5)');
      const garbage = await readPlist(replay([], [fileRead(PLIST, 'not a plist at all')]), PLIST);
      expect(garbage.ok && garbage.value.error).toMatch(/missing root element/);
    } finally {
      console.error = original;
    }
    expect(printed).toEqual([]);
  });

  it('refuses a plist whose top level is not a dictionary', async () => {
    const read = await readPlist(replay([], [fileRead(PLIST, '<plist><array><string>a</string></array></plist>')]), PLIST);
    expect(read).toEqual({ ok: true, value: { exists: true, data: null, error: 'the top level is an array, not a dictionary' } });
  });

  it('converts a binary plist with plutil and parses the XML it prints', async () => {
    const facts = replay(
      [{ argv: ['plutil', '-convert', 'xml1', '-o', '-', PLIST], stdout: fixture('com.sanctum.mlx.plist.SYNTHETIC.xml') }],
      [fileRead(PLIST, 'bplist00\u00d4\u0001\u0002\u0003garbled by utf8')],
    );
    const read = await readPlist(facts, PLIST);
    expect(read.ok && read.value.data?.['Label']).toBe('com.sanctum.mlx');
  });

  it('is not ok when a binary plist cannot be converted (no plutil on Linux)', async () => {
    const facts = replay(
      [{ argv: ['plutil', '-convert', 'xml1', '-o', '-', PLIST], exitCode: null, error: 'ENOENT: no such command on this system' }],
      [fileRead(PLIST, 'bplist00xyz')],
    );
    expect(await readPlist(facts, PLIST)).toEqual({
      ok: false,
      reason: `${PLIST} is a binary plist and could not be converted: plutil -convert xml1: ENOENT: no such command on this system`,
    });
  });

  it('is not ok when the file exists but cannot be read', async () => {
    const read = await readPlist(replay([], [fileRead(PLIST, null, { exists: true, error: 'EACCES: permission denied' })]), PLIST);
    expect(read).toEqual({ ok: false, reason: `${PLIST}: EACCES: permission denied` });
  });

  it('reads a real file through LiveFacts', async () => {
    const read = await readPlist(new LiveFacts(), fixturePath('com.sanctum.mlx.plist.SYNTHETIC.xml'));
    expect(read.ok && read.value.data && programArgumentsOf(read.value.data)?.[0]).toBe('/Users/bert/sanctum/.venv/bin/sanctum-mlx');
  });
});

describe('programArgumentsOf', () => {
  it('prefers ProgramArguments, keeps arguments with spaces whole', () => {
    expect(programArgumentsOf({ Program: '/bin/x', ProgramArguments: ['/bin/bash', '/a b/c.sh'] })).toEqual(['/bin/bash', '/a b/c.sh']);
  });

  it('falls back to [Program]', () => {
    expect(programArgumentsOf({ Program: '/usr/local/bin/bluekvm.sh' })).toEqual(['/usr/local/bin/bluekvm.sh']);
    expect(programArgumentsOf({ ProgramArguments: [], Program: '/bin/y' })).toEqual(['/bin/y']);
  });

  it('is null when neither is usable', () => {
    expect(programArgumentsOf({})).toBeNull();
    expect(programArgumentsOf({ ProgramArguments: ['/bin/x', 3] })).toBeNull();
    expect(programArgumentsOf({ Program: '' })).toBeNull();
  });
});

describe('lintPlist', () => {
  it('reads `<path>: OK`', async () => {
    const facts = replay([{ argv: ['plutil', '-lint', PLIST], stdout: `${PLIST}: OK\n` }]);
    expect(await lintPlist(facts, PLIST)).toEqual({ ok: true, message: 'OK' });
  });

  it('gives the problem after the path, from the real outputs', async () => {
    const llvm = 'llvm-project/clang/test/Analysis/Inputs/expected-plists/retain-release.m.objcpp.plist';
    const facts = replay([{ argv: ['plutil', '-lint', llvm], exitCode: 1, stdout: fixture('plutil-lint-bad-llvm.stdout.txt') }]);
    expect(await lintPlist(facts, llvm)).toEqual({ ok: false, message: 'Found non-key inside <dict> at line 26357' });
    const wolph = 'wolph.supervisord.plist';
    const facts2 = replay([{ argv: ['plutil', '-lint', wolph], exitCode: 1, stdout: fixture('plutil-lint-bad-syntastic.stdout.txt') }]);
    expect(await lintPlist(facts2, wolph)).toEqual({ ok: false, message: 'Value missing for key inside <dict> at line 24' });
  });

  it('says plutil is not available when it is missing (live on Linux)', async () => {
    expect(await lintPlist(new LiveFacts(), PLIST)).toEqual({ ok: null, message: 'plutil not available on this system' });
  });

  it('never hands plutil a path it would read as an option', () => {
    expect(plutilLintArgv('-rf x.plist')).toEqual(['plutil', '-lint', './-rf x.plist']);
    expect(plutilToXmlArgv('-o')).toEqual(['plutil', '-convert', 'xml1', '-o', '-', './-o']);
    expect(plutilLintArgv('/a "b";$(c)\n.plist')).toEqual(['plutil', '-lint', '/a "b";$(c)\n.plist']);
  });
});
