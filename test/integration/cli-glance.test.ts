/**
 * The CLI as a newcomer meets it: the built bin spawned as a user runs it, at a given terminal
 * width (COLUMNS: a pipe has no tty) and zone (TZ), on the replayed incident.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { State } from '../../src/common/state.js';

const run = promisify(execFile);
const INCIDENT = 'test/fixtures/captures/incident-2026-05-10.json';
const HEALTHY = 'test/fixtures/captures/healthy-2026-05-10.json';

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

let home: string;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'warden-glance-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function warden(args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/warden.js', ...args], { env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1', TZ: 'Europe/Amsterdam', ...env }, timeout: 90_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const chars = (line: string) => [...line].length;

describe('per-command help and option checking', () => {
  it('each command has its own help, with only its options', async () => {
    const status = await warden(['status', '--help']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Usage: warden status \[options\]/);
    expect(status.stdout).toContain('--check');
    expect(status.stdout).not.toContain('--port');
    const serve = await warden(['help', 'serve']);
    expect(serve.stdout).toMatch(/^Usage: warden serve \[options\]/);
    expect(serve.stdout).toContain('--port <n>');
    expect(serve.stdout).toContain('--replay <file>');
    expect(serve.stdout).not.toContain('--check');
  });

  it('a mistyped command is answered with the command meant', async () => {
    const r = await warden(['statsu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('warden: unknown command "statsu" (did you mean status?); see warden --help\n');
  });

  it('an unknown option is one clear line, not the parser\'s sentence', async () => {
    const r = await warden(['status', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('warden: status: unknown option "--bogus"; see warden status --help\n');
    const typo = await warden(['status', '--jsn']);
    expect(typo.stderr).toBe('warden: status: unknown option "--jsn" (did you mean --json?); see warden status --help\n');
  });

  it("another command's option is refused, naming the command it belongs to", async () => {
    const r = await warden(['status', '--port', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('warden: status: unknown option "--port" (it is an option of serve); see warden status --help\n');
    expect((await warden(['incidents', '--replay', INCIDENT])).code).toBe(2);
  });

  it('options are typed: a bad number is refused before anything runs', async () => {
    const r = await warden(['watch', '--interval', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('warden: watch: --interval "soon": takes seconds from 1 to 3600; see warden watch --help\n');
    expect((await warden(['serve', '--port', '70000'])).stderr).toContain('--port "70000": takes a port number');
    expect((await warden(['status', 'now'])).stderr).toBe('warden: status: too many arguments (takes 0, got 1); see warden status --help\n');
  });

  it('a --config that names no file is an error, exit 2', async () => {
    const missing = path.join(home, 'nonexistent.json');
    const r = await warden(['status', '--config', missing]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`warden: --config ${missing}: no such file\n`);
    expect((await warden(['status', '--config', home])).stderr).toContain('is a folder, not a regular file');
  });
});

describe('times in the local zone, with the zone', () => {
  it('status says when the capture was sampled and the incident opened, in the zone', async () => {
    const r = await warden(['status', '--replay', INCIDENT]);
    expect(r.stdout).toContain('sampled 2026-05-10 16:30 CEST');
    expect(r.stdout).toContain('since 16:01 CEST');
    expect(r.stdout).not.toMatch(/\d\d:\d\d(:\d\d)?Z\b/);
    const newYork = await warden(['status', '--replay', INCIDENT], { TZ: 'America/New_York' });
    expect(newYork.stdout).toContain('since 10:01 EDT');
  });

  it('--notify stamps each notification the same way', async () => {
    const r = await warden(['watch', '--replay', INCIDENT, '--notify']);
    expect(r.code).toBe(0);
    const stamps = r.stdout.split('\n').filter((l) => /NOTIFY|RECOVERED/.test(l));
    expect(stamps.length).toBeGreaterThan(0);
    for (const line of stamps) expect(line).toMatch(/^2026-05-10 \d\d:\d\d:\d\d CEST (NOTIFY|RECOVERED) /);
  });

  it('incidents says since when, in the zone', async () => {
    const r = await warden(['incidents', '--since', '2026-05-10T12:00:00Z']);
    expect(r.stdout).toContain('No incidents since 2026-05-10 14:00 CEST');
  });
});

describe('tables fit the terminal', () => {
  for (const columns of [80, 120]) {
    it(`at ${columns} columns no line is wider, a cut cell ends in an ellipsis, no header is blank`, async () => {
      const r = await warden(['status', '--replay', INCIDENT], { COLUMNS: String(columns) });
      expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
      const lines = r.stdout.split('\n');
      for (const line of lines) expect(chars(line), line).toBeLessThanOrEqual(columns);
      for (const line of lines) expect(line, 'trailing spaces').toBe(line.trimEnd());
      const services = lines.indexOf('SERVICES');
      expect(lines[services + 1]).toMatch(/^ {2}NAME +STATE +PROBE +UP 1h +DETAIL$/);
      expect(lines[services + 2]).toMatch(/^ {2}cathedral +orphaned /);
      expect(lines.slice(services + 2, services + 4).some((l) => l.endsWith('…'))).toBe(true);
    });
  }

  it('--wide prints every cell whole', async () => {
    const r = await warden(['status', '--replay', INCIDENT, '--wide'], { COLUMNS: '80' });
    expect(r.code, `exit ${r.code}: ${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('but launchd job gui/501/com.sanctum.mlx is not loaded');
    expect(r.stdout.split('\n').some((l) => chars(l) > 80)).toBe(true);
  });
});

describe('one vocabulary for levels', () => {
  it('the CLI names the level as the popover does, JSON carries its code', async () => {
    const red = await warden(['status', '--replay', INCIDENT]);
    expect(red.stdout).toMatch(/^Warden {2}RED {2}/);
    const green = await warden(['status', '--replay', HEALTHY]);
    expect(green.stdout).toMatch(/^Warden {2}GREEN {2}/);
    const json = JSON.parse((await warden(['status', '--replay', HEALTHY, '--json'])).stdout) as State;
    expect(json.level).toBe('ok');
  });
});

describe('serve --replay', () => {
  it('serves the replay, not the live host, and refuses its actions', async () => {
    const child = spawn(process.execPath, ['bin/warden.js', 'serve', '--replay', INCIDENT, '--port', '0'], { env: { ...process.env, WARDEN_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const url = await new Promise<URL>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${stdout}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /open (http:\/\/\S+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(new URL(m[1]!));
          }
        });
      });
      expect(stdout).toContain('read-only, actions refused');
      const state = (await (await fetch(new URL('/api/state', url))).json()) as State;
      expect(state.replay).toBe(true);
      expect(state.host.hostname).toBe('mac-mini');
      expect(state.level).toBe('crit');
      const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? url.hash.slice(1);
      const offered = state.services.flatMap((s) => s.actions)[0]!;
      const action = await fetch(new URL('/api/action', url), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Warden-Token': token }, body: JSON.stringify({ actionId: offered.id }) });
      expect(action.status).toBe(200);
      const result = (await action.json()) as { ok: boolean; message: string };
      expect(result.ok).toBe(false);
      expect(result.message).toContain('replay of a capture');
      const snooze = await fetch(new URL('/api/snooze', url), { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Warden-Token': token }, body: JSON.stringify({ target: { scope: 'all' }, duration: '1h' }) });
      expect(snooze.status).toBe(409);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('watch on a terminal', () => {
  it('redraws in place (home, clear to end) with the wall clock, never clearing the screen', async () => {
    // script(1) gives watch a real pty, so it takes its terminal path.
    const command = `'${process.execPath}' bin/warden.js watch --interval 1`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, COLUMNS: '80', TZ: 'Europe/Amsterdam', NO_COLOR: '1', WARDEN_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`two frames not seen: ${JSON.stringify(out.slice(0, 400))}`)), 90_000);
        child.stdout.on('data', () => {
          if (out.split('warden watch · ').length > 2) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(out).not.toContain('\u001b[2J');
    const frames = out.split('\u001b[H').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames.slice(0, 2)) {
      expect(frame).toMatch(/^warden watch · \d\d:\d\d:\d\d CES?T · every \d+ s · Ctrl-C to stop\u001b\[K/);
      expect(frame).toContain('\u001b[J');
    }
  }, 120_000);
});
