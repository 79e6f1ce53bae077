import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explainExit, parseLaunchdExitText } from '../../../src/platform/exits.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('explainExit', () => {
  it('says success for 0 and keeps the code', () => {
    expect(explainExit(0, null)).toEqual({ code: 0, signal: null, neverExited: false, text: 'exit 0 (success)' });
  });

  it('names sysexits codes from EX_USAGE to EX_CONFIG', () => {
    expect(explainExit(64, null).text).toBe('exit 64 (EX_USAGE: command line usage error)');
    expect(explainExit(75, null, { source: 'process' }).text).toContain('EX_TEMPFAIL');
    expect(explainExit(78, null, { source: 'process' }).text).toBe('exit 78 (EX_CONFIG: configuration error)');
  });

  it('adds what launchd means by EX_CONFIG when launchd reported it', () => {
    expect(explainExit(78, null, { source: 'launchd' }).text).toContain('the job could not be spawned');
  });

  it('explains exit 5 as launchctl EIO, the incident weekly job, in the words launchctl itself prints', () => {
    // launchctl exits with the number it printed: "Bootstrap failed: 5: Input/output error".
    const said = fixture('darwin/launchctl-bootstrap-eio.stderr.txt').split('\n')[0] as string;
    const [, code, words] = /^Bootstrap failed: (\d+): (.+)$/.exec(said) ?? [];
    const info = explainExit(Number(code), null, { source: 'launchd' });
    expect(info.code).toBe(5);
    expect(info.text).toContain(`EIO: ${words}`);
    expect(info.text).toContain('bootstrap could not load the plist');
  });

  it('does not read errno meanings into an ordinary process exit', () => {
    expect(explainExit(5, null, { source: 'process' }).text).toBe('exit 5');
    expect(explainExit(5, null, { source: 'systemd' }).text).toBe('exit 5');
  });

  it('knows launchctl 112 and 113', () => {
    expect(explainExit(113, null).text).toContain('no such service');
    expect(explainExit(112, null).text).toContain('no GUI session');
  });

  it('knows the shell conventions 126, 127 and 128+n', () => {
    expect(explainExit(126, null).text).toBe('exit 126 (found but not executable)');
    expect(explainExit(127, null).text).toBe('exit 127 (command not found)');
    const killed = explainExit(137, null, { source: 'process' });
    expect(killed.code).toBe(137);
    expect(killed.signal).toBeNull();
    expect(killed.text).toBe('exit 137 (128+9: a shell reporting its child killed by SIGKILL)');
    expect(explainExit(143, null).text).toContain('128+15');
  });

  it('names systemd failures before the program ran', () => {
    expect(explainExit(203, null, { source: 'systemd' }).text).toContain('EXEC: systemd could not execute');
  });

  it('names signals by number and by name, with what they mean', () => {
    expect(explainExit(null, 9)).toEqual({
      code: null,
      signal: 'SIGKILL',
      neverExited: false,
      text: 'killed by SIGKILL (9): force-killed (kill -9, or the system killing it for memory)',
    });
    expect(explainExit(null, 'SIGTERM').text).toBe('killed by SIGTERM (15): asked to stop');
    expect(explainExit(null, 'SEGV').signal).toBe('SIGSEGV');
    expect(explainExit(null, 6).text).toContain('SIGABRT (6)');
    expect(explainExit(null, 2).text).toContain('SIGINT (2)');
    expect(explainExit(null, 1).text).toContain('SIGHUP (1)');
  });

  it('numbers signals the way the reporting system does (10 is SIGBUS on darwin, SIGUSR1 on Linux)', () => {
    expect(explainExit(null, 10, { source: 'launchd' }).signal).toBe('SIGBUS');
    expect(explainExit(null, 10, { source: 'systemd' }).signal).toBe('SIGUSR1');
    expect(explainExit(null, 10, { source: 'process' }).text).toBe('killed by signal 10');
  });

  it('lets a signal win over a code, and reads launchctl list negative status as a signal', () => {
    expect(explainExit(0, 'SIGKILL').code).toBeNull();
    expect(explainExit(-11, null).signal).toBe('SIGSEGV');
  });

  it('says never exited, and unknown when given nothing', () => {
    expect(explainExit(null, null, { neverExited: true })).toEqual({ code: null, signal: null, neverExited: true, text: 'never exited' });
    expect(explainExit(null, null).text).toBe('exit status unknown');
    expect(explainExit(Number.NaN, null).text).toBe('exit status unknown');
  });

  it('gives a bare code when nothing is known about it', () => {
    expect(explainExit(42, null).text).toBe('exit 42');
  });
});

describe('parseLaunchdExitText', () => {
  it('reads every form launchd prints', () => {
    expect(parseLaunchdExitText('0')?.code).toBe(0);
    expect(parseLaunchdExitText('78: EX_CONFIG')).toMatchObject({ code: 78, neverExited: false });
    expect(parseLaunchdExitText('(never exited)')).toMatchObject({ code: null, neverExited: true, text: 'never exited' });
    expect(parseLaunchdExitText('Terminated: 15')).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(parseLaunchdExitText('Killed: 9')).toMatchObject({ signal: 'SIGKILL', text: expect.stringContaining('SIGKILL (9)') });
    expect(parseLaunchdExitText('Segmentation fault: 11')?.signal).toBe('SIGSEGV');
  });

  it('returns null for text that is none of those', () => {
    expect(parseLaunchdExitText('')).toBeNull();
    expect(parseLaunchdExitText('soon')).toBeNull();
    expect(parseLaunchdExitText('15:')).toBeNull();
  });
});
