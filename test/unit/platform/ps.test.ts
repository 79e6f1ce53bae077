import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../../src/common/processes.js';
import type { CaptureBundle } from '../../../src/platform/capture.js';
import type { CommandResult } from '../../../src/platform/facts.js';
import { ReplayFacts } from '../../../src/platform/replay.js';
import { PS_ARGV, nameFromCommand, parsePs } from '../../../src/platform/ps.js';
import { readProcessTable } from '../../../src/platform/processes.js';

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');
const AT = 1_778_400_000_000;

function byPid(rows: ProcessRow[], pid: number): ProcessRow {
  const row = rows.find((r) => r.pid === pid);
  if (!row) throw new Error(`no row for pid ${pid}`);
  return row;
}

describe('parsePs on darwin rows (SYNTHETIC, built from adv_cmds print.c rules, macos-command-formats.md §8.1)', () => {
  const { rows, skipped } = parsePs(fixture('darwin/ps-synthetic-from-adv_cmds-rules.txt'), AT);

  it('reads every process line and counts the one that is not', () => {
    expect(rows).toHaveLength(14);
    expect(skipped).toBe(1);
  });

  it('reads launchd exactly: KiB to bytes, MM:SS.cc cpu time past 59 minutes, DD-HH:MM:SS etime', () => {
    const elapsed = 3 * 86400 + 2 * 3600 + 15 * 60 + 11;
    expect(byPid(rows, 1)).toEqual({
      pid: 1,
      ppid: 0,
      uid: 0,
      rssBytes: 14256 * 1024,
      cpuPercent: 0,
      cpuSeconds: 57 * 60 + 24.25,
      elapsedSeconds: elapsed,
      startedAt: AT - elapsed * 1000,
      name: 'launchd',
      command: '/sbin/launchd',
      zombie: false,
    });
  });

  it('keeps a command with spaces whole and names it by argv[0]', () => {
    const row = byPid(rows, 95);
    expect(row.command).toBe('/usr/libexec/UserEventAgent (System)');
    expect(row.name).toBe('UserEventAgent');
  });

  it('names app bundles with spaces in their paths', () => {
    expect(byPid(rows, 812).name).toBe('LM Studio');
    const helper = byPid(rows, 815);
    expect(helper.name).toBe('LM Studio Helper (Renderer)');
    expect(helper.ppid).toBe(812);
    expect(helper.command).toBe(
      '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper (Renderer).app/Contents/MacOS/LM Studio Helper (Renderer) --type=renderer --user-data-dir=/Users/tester/Library/Application Support/LM Studio --lang=en-US',
    );
  });

  it('reads a big, busy, 101-day-old ollama', () => {
    const row = byPid(rows, 1204);
    expect(row.name).toBe('ollama');
    expect(row.rssBytes).toBe(52428800 * 1024);
    expect(row.cpuPercent).toBe(96.4);
    expect(row.cpuSeconds).toBeCloseTo(530 * 60 + 11.02, 6);
    expect(row.elapsedSeconds).toBe(101 * 86400 + 4 * 3600 + 10);
    expect(byPid(rows, 1290).name).toBe('ollama');
  });

  it('flags the zombie', () => {
    expect(byPid(rows, 2001)).toMatchObject({ zombie: true, command: '<defunct>' });
    expect(rows.filter((r) => r.zombie).map((r) => r.pid)).toEqual([2001]);
  });

  it('unwraps (name), printed when the arguments could not be read', () => {
    expect(byPid(rows, 2100).name).toBe('mdworker_shared');
  });

  it('reads the exact hour and day boundaries (60:00, 24:00:00)', () => {
    expect(byPid(rows, 3000).elapsedSeconds).toBe(3600);
    expect(byPid(rows, 3001).elapsedSeconds).toBe(86400);
  });

  it('keeps hostile text as data, double spaces included', () => {
    const row = byPid(rows, 3100);
    expect(row.command).toBe('/tmp/x; rm -rf ~ $(reboot) `id` "quoted"  two  spaces');
    expect(row.name).toBe('x;');
  });

  it('keeps unicode and U+FFFD as they came', () => {
    expect(byPid(rows, 3200).name).toBe('Wärden 🦊');
    expect(byPid(rows, 3200).command).toBe('/Users/tester/Apps/Wärden 🦊.app/Contents/MacOS/Wärden 🦊 --flag');
    expect(byPid(rows, 3300).name).toBe('bad\uFFFDname');
  });

  it('names a login shell without its dash', () => {
    expect(byPid(rows, 3400).name).toBe('zsh');
  });
});

describe('parsePs on linux rows (SYNTHETIC, in the procps-ng 4.0.2 format of the test host)', () => {
  const { rows, skipped } = parsePs(fixture('linux/ps-synthetic-from-procps-rules.txt'), AT);

  it('reads all rows', () => {
    expect(rows).toHaveLength(8);
    expect(skipped).toBe(0);
  });

  it('unwraps kernel threads', () => {
    expect(byPid(rows, 2).name).toBe('kthreadd');
    expect(byPid(rows, 11).name).toBe('kworker/0:1-virtio_vsock');
  });

  it('reads [DD-]HH:MM:SS cpu time and a CPU share above 100 %', () => {
    const row = byPid(rows, 800);
    expect(row.cpuSeconds).toBe(86400 + 2 * 3600 + 3 * 60 + 4);
    expect(row.cpuPercent).toBe(250.3);
    expect(row.name).toBe('python3');
  });

  it('flags `[name] <defunct>` as a zombie named by its name', () => {
    expect(byPid(rows, 900)).toMatchObject({ zombie: true, name: 'python3', command: '[python3] <defunct>' });
  });

  it('names retitled processes and login shells for people', () => {
    expect(byPid(rows, 950).name).toBe('sshd');
    expect(byPid(rows, 960).name).toBe('bash');
  });

  it('keeps a space inside an argument and a large uid', () => {
    const row = byPid(rows, 1000);
    expect(row.uid).toBe(65534);
    expect(row.command).toBe('/usr/bin/llama-server -m /srv/models/my model.gguf --host 127.0.0.1');
  });
});

describe('parsePs on bad lines', () => {
  it.each([
    ['too few fields', '  12     1   501   1024   0.0   0:00.01'],
    ['a word for a pid', ' abc     1   501   1024   0.0   0:00.01   00:01 /bin/x'],
    ['a negative rss', '  12     1   501  -1024   0.0   0:00.01   00:01 /bin/x'],
    ['a bad etime', '  12     1   501   1024   0.0   0:00.01   0x:01 /bin/x'],
    ['a bad cpu time', '  12     1   501   1024   0.0   zz   00:01 /bin/x'],
    ['a comma decimal %cpu (not LC_ALL=C)', '  12     1   501   1024   0,5   0:00.01   00:01 /bin/x'],
    ['a header line', '  PID  PPID   UID    RSS  %CPU      TIME     ELAPSED COMMAND'],
  ])('skips %s', (_what, line) => {
    expect(parsePs(`${line}\n`, AT)).toEqual({ rows: [], skipped: 1 });
  });

  it('gives nothing for empty or blank text', () => {
    expect(parsePs('', AT)).toEqual({ rows: [], skipped: 0 });
    expect(parsePs('\n  \n\r\n', AT)).toEqual({ rows: [], skipped: 0 });
  });

  it('reads a row whose command is empty as name "?"', () => {
    const { rows } = parsePs('   12     1   501   1024   0.0   0:00.01   00:01\n', AT);
    expect(rows[0]).toMatchObject({ pid: 12, command: '', name: '?' });
  });

  it('keeps leading and trailing spaces of the command: only the one separator is dropped', () => {
    const { rows } = parsePs('   12     1   501   1024   0.0   0:00.01   00:01  spaced argv0 trailing \n', AT);
    expect(rows[0]?.command).toBe(' spaced argv0 trailing ');
  });

  it('accepts a `-` cpu time as unknown', () => {
    const { rows } = parsePs('   12     1   501   1024   0.0   -   00:01 /bin/x\n', AT);
    expect(rows[0]?.cpuSeconds).toBeNull();
  });
});

describe('nameFromCommand', () => {
  it.each([
    ['/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper (Renderer).app/Contents/MacOS/LM Studio Helper (Renderer) --type=renderer', 'LM Studio Helper (Renderer)'],
    ['/Applications/Foo.app/Contents/MacOS/Foo', 'Foo'],
    ['/Applications/Foo.app/Contents/MacOS/Foo /Users/tester/file.txt', 'Foo'],
    ['/Applications/Foo - Bar.app/Contents/MacOS/Foo - Bar -psn_0_12345', 'Foo - Bar'],
    ['/usr/bin/open /Applications/X.app/Contents/MacOS/X', 'open'],
    ['/usr/bin/open -a /Applications/X.app/Contents/MacOS/X', 'open'],
    ['[kworker/0:1]', 'kworker/0:1'],
    ['[kworker/0:1] <defunct>', 'kworker/0:1'],
    ['ollama serve', 'ollama'],
    ['/opt/homebrew/bin/llama-server -m model.gguf', 'llama-server'],
    ['postgres: checkpointer', 'postgres'],
    ['', '?'],
    ['   ', '?'],
    ['[]', '?'],
    ['/', '?'],
    ['-', '-'],
  ])('%j → %j', (command, name) => {
    expect(nameFromCommand(command)).toBe(name);
  });
});

type Reply = Partial<CommandResult>;

function replay(reply: Reply | null): ReplayFacts {
  const bundle: CaptureBundle = {
    format: 'warden-capture',
    version: 1,
    host: { platform: 'darwin', arch: 'arm64', hostname: 'test', uid: 501, user: 'tester', cpuCount: 8, createdAt: 0, wardenVersion: '0.1.0' },
    samples: [
      {
        at: 0,
        commands: reply ? [{ exitCode: 0, stdout: '', stderr: '', ...reply, argv: [...PS_ARGV] } as CommandResult] : [],
        files: [],
        http: [],
      },
    ],
  };
  return new ReplayFacts(bundle);
}

describe('readProcessTable (replayed)', () => {
  it('reads the table with its sample time', async () => {
    const part = await readProcessTable(replay({ stdout: fixture('darwin/ps-synthetic-from-adv_cmds-rules.txt') }), AT);
    if (!part.ok) throw new Error(part.reason);
    expect(part.value.at).toBe(AT);
    expect(part.value.rows).toHaveLength(14);
  });

  it.each([
    ['exit 1 with no output', { exitCode: 1 }, 'ps printed nothing'],
    ['exit 0 with no output', { exitCode: 0 }, 'ps printed nothing'],
    ['nothing but garbage', { stdout: 'garbage\nmore garbage\n' }, 'ps: none of 2 lines had the expected columns'],
    ['a timeout', { exitCode: null, signal: 'SIGTERM', timedOut: true, durationMs: 4000 }, 'ps -A -ww: no answer within 4.0 s'],
    ['an output over the cap', { stdout: '  1 0 0 1 0.0 0:00.00 00:01 /x\n', truncated: true }, 'ps -A -ww: output over the size cap'],
    ['a missing ps', { exitCode: null, error: 'ENOENT: no such command on this system' }, 'ps -A -ww: ENOENT: no such command on this system'],
  ])('is not ok on %s', async (_what, reply, reason) => {
    expect(await readProcessTable(replay(reply), AT)).toEqual({ ok: false, reason });
  });

  it('names the missing fact when the capture has no ps', async () => {
    const part = await readProcessTable(replay(null), AT);
    expect(part.ok).toBe(false);
    if (!part.ok) expect(part.reason).toContain('the capture has no record of command `ps -A -ww');
  });
});

describe('negative uids', () => {
  it('keeps the rows of nobody (-2), as Apple\'s ps prints the uid with %d', () => {
    // Rows as a real Mac prints them (real-macos-outputs/ps/1: dhcp6d and distnoted agent run as nobody).
    const text = '  427     1    -2    176   0.0   0:00.22    3-01:12:09 /usr/libexec/dhcp6d\n  647     1    -2    240   0.0   0:11.95    3-01:12:06 /usr/sbin/distnoted agent\n';
    const { rows, skipped } = parsePs(text, Date.UTC(2026, 9, 1, 18, 7, 30));
    expect(skipped).toBe(0);
    expect(rows.map((r) => [r.pid, r.uid, r.name])).toEqual([
      [427, -2, 'dhcp6d'],
      [647, -2, 'distnoted'],
    ]);
  });
});
