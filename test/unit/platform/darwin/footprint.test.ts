import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureBundle } from '../../../../src/platform/capture.js';
import type { CommandResult } from '../../../../src/platform/facts.js';
import { ReplayFacts } from '../../../../src/platform/replay.js';
import { footprintArgv, parseTopFootprints, readFootprints } from '../../../../src/platform/darwin/footprint.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/darwin/${name}`, import.meta.url), 'utf8');
const K = 1024;
const M = 1024 ** 2;
const G = 1024 ** 3;

describe('footprintArgv', () => {
  it('asks top for one sample, sorted by MEM, cut to the limit', () => {
    expect(footprintArgv(8)).toEqual(['top', '-l', '1', '-F', '-o', 'mem', '-n', '8', '-stats', 'pid,mem']);
  });

  it('keeps the limit a sane whole number', () => {
    expect(footprintArgv(0)[7]).toBe('1');
    expect(footprintArgv(7.9)[7]).toBe('7');
    expect(footprintArgv(1e9)[7]).toBe('200');
    expect(footprintArgv(Number.NaN)[7]).toBe('10');
  });
});

describe('parseTopFootprints (SYNTHETIC, shaped by the format captured in eneskirca/nodeterm#139)', () => {
  const footprints = parseTopFootprints(fixture('top-footprint-synthetic-from-nodeterm-139.txt'));

  it('skips the banner and reads left-aligned MEM values with trailing spaces', () => {
    expect([...footprints.entries()]).toEqual([
      [1204, 48 * G],
      [812, 1314 * M],
      [815, 859 * M],
      [3200, 250 * M],
      [3201, 1.5 * G],
      [0, 12 * M],
      [2100, 8160 * K],
      [2101, 512],
    ]);
  });

  it('reads the banner PhysMem line as banner, not as a row', () => {
    expect(footprints.has(47)).toBe(false);
  });

  it('refuses output without the PID MEM header', () => {
    expect(() => parseTopFootprints('')).toThrow('top: no "PID MEM" header');
    expect(() => parseTopFootprints('invalid argument -stats\n')).toThrow('top: no "PID MEM" header');
  });

  it('gives an empty map for a header with no rows', () => {
    expect(parseTopFootprints('Processes: 1 total\n\nPID    MEM  \n').size).toBe(0);
  });

  it('skips rows with a suffix top does not print rather than guessing a scale', () => {
    expect([...parseTopFootprints('PID    MEM\n12     40X  \n13     7M\n').entries()]).toEqual([[13, 7 * M]]);
  });
});

function replay(reply: Partial<CommandResult> | null, limit = 8): ReplayFacts {
  const bundle: CaptureBundle = {
    format: 'warden-capture',
    version: 1,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'test', uid: 501, user: 'tester', cpuCount: 8, createdAt: 0, wardenVersion: '0.1.0' },
    samples: [
      {
        at: 0,
        commands: reply ? [{ exitCode: 0, stdout: '', stderr: '', ...reply, argv: footprintArgv(limit) } as CommandResult] : [],
        files: [],
        http: [],
      },
    ],
  };
  return new ReplayFacts(bundle);
}

describe('readFootprints (replayed)', () => {
  it('returns pid → bytes', async () => {
    const part = await readFootprints(replay({ stdout: fixture('top-footprint-synthetic-from-nodeterm-139.txt') }), 8);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.get(1204)).toBe(48 * G);
  });

  it.each([
    ['garbage', { stdout: 'top: sysctl error\n' }, 'top: no "PID MEM" header'],
    ['a denied top', { exitCode: 1, stderr: 'top: Operation not permitted\n' }, 'top -l 1: exit 1: top: Operation not permitted'],
    ['a timeout', { exitCode: null, timedOut: true, durationMs: 5000 }, 'top -l 1: no answer within 5.0 s'],
  ])('is not ok on %s', async (_what, reply, reason) => {
    expect(await readFootprints(replay(reply), 8)).toEqual({ ok: false, reason });
  });

  it('names the missing fact when the capture has no top', async () => {
    const part = await readFootprints(replay(null), 8);
    expect(part).toEqual({ ok: false, reason: 'the capture has no record of command `top -l 1 -F -o mem -n 8 -stats pid,mem` in sample 1' });
  });
});
