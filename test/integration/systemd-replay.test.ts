/**
 * The systemd path, proven the way the launchd one is: a Linux host whose answers are the real
 * formats (test/fixtures/linux: /proc files read on a real host, `systemctl show` written from
 * systemd's documented property format), recorded by the real engine into a capture, then
 * replayed. One unit runs and answers; the other was killed by SIGKILL and is restarting.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { createReplayEngine } from '../../src/engine/create.js';
import { resolveConfig } from '../../src/engine/config.js';
import { RecordingFacts } from '../../src/platform/recording.js';
import { ReplayEffects } from '../../src/platform/effects.js';
import { ManualClock } from '../../src/platform/clock.js';
import { PS_ARGV } from '../../src/platform/ps.js';
import { systemctlShowArgv } from '../../src/platform/linux/systemd.js';
import { lsofTcpListenersArgv } from '../../src/platform/lsof.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION, parseCapture, type CaptureBundle } from '../../src/platform/capture.js';
import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, VolumeStat } from '../../src/platform/facts.js';
import type { WardenConfigInput } from '../../src/common/config.js';

const fixture = (name: string) => readFileSync(`test/fixtures/linux/${name}`, 'utf8');
const T0 = Date.UTC(2026, 4, 10, 12, 0, 0);

const CONFIG: WardenConfigInput = {
  intervalSeconds: 30,
  discovery: false,
  services: [
    { name: 'sanctum', url: 'http://127.0.0.1:1337/v1/models', port: 1337, supervisor: { kind: 'systemd', unit: 'sanctum-mlx.service', scope: 'user' } },
    { name: 'ollama', url: 'http://127.0.0.1:11434/', port: 11434, supervisor: { kind: 'systemd', unit: 'ollama.service', scope: 'system' } },
  ],
};

/** A Linux host that answers in the real formats; anything it was not told about is recorded as unanswered. */
class ScriptedLinux implements Facts {
  readonly mode = 'live' as const;
  readonly unanswered: string[] = [];
  private readonly commands = new Map<string, string>([
    [JSON.stringify(PS_ARGV), `${fixture('ps-synthetic-from-procps-rules.txt').trimEnd()}\n31337     1  1000 30123456 12.0 01:02:03    03:00:00 /home/bert/sanctum/.venv/bin/python -m mlx_lm server --port 1337\n`],
    [JSON.stringify(systemctlShowArgv('sanctum-mlx.service', 'user')), fixture('systemctl-show-running.SYNTHETIC.txt')],
    [JSON.stringify(systemctlShowArgv('ollama.service', 'system')), fixture('systemctl-show-killed-restarting.SYNTHETIC.txt')],
    // Every TCP listener: sanctum on 1337; nothing on 11434, whose unit is restarting.
    [JSON.stringify(lsofTcpListenersArgv()), 'p31337\ncpython\nf3\nn127.0.0.1:1337\n'],
  ]);
  async run(argv: readonly string[]): Promise<CommandResult> {
    const key = JSON.stringify(argv);
    const stdout = this.commands.get(key);
    if (stdout === undefined) {
      this.unanswered.push(argv.join(' '));
      return { ...this.result(argv, '', null), error: 'not scripted' };
    }
    return this.result(argv, stdout, 0);
  }
  private result(argv: readonly string[], stdout: string, exitCode: number | null): CommandResult {
    return { argv: [...argv], exitCode, signal: null, stdout, stderr: '', durationMs: 4, timedOut: false, truncated: false, error: null };
  }
  async readFile(path: string): Promise<FileRead> {
    const files: Record<string, string> = {
      '/proc/meminfo': fixture('meminfo-vm-24g.txt'),
      '/proc/vmstat': fixture('vmstat-vm.txt'),
      '/proc/pressure/memory': fixture('pressure-memory-idle.txt'),
      // /proc/swaps's layout (procfs swaps.c: a header line, then one row per area).
      '/proc/swaps': 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swapfile                               file\t\t8388604\t\t0\t\t-2\n',
    };
    const content = files[path];
    if (content === undefined && !/^\/sys\/devices\/system\/cpu\/cpu\d+\/cpufreq\//.test(path)) this.unanswered.push(`read ${path}`);
    return { path, exists: content !== undefined, content: content ?? null, truncated: false, error: null };
  }
  async stat(path: string): Promise<FileStat> {
    this.unanswered.push(`stat ${path}`);
    return { path, exists: false, isFile: false, isDirectory: false, size: 0, mtimeMs: 0, dev: 0, ino: 0, uid: -1, error: null };
  }
  async listDir(path: string): Promise<DirList> {
    // A VM: the thermal class is there with no zones, and no core has cpufreq.
    if (path === '/sys/class/thermal') return { path, exists: true, entries: [], error: null };
    if (path === '/sys/devices/system/cpu') return { path, exists: true, entries: ['cpu0', 'cpu1', 'online'], error: null };
    this.unanswered.push(`list ${path}`);
    return { path, exists: false, entries: null, error: null };
  }
  async readLink(path: string): Promise<LinkRead> {
    return { path, target: null, error: 'not a link' };
  }
  async statfs(path: string): Promise<VolumeStat> {
    if (path === '/swapfile') return { path, exists: true, totalBytes: 250_438_021_120, availableBytes: 141_733_695_488, dev: 2049, error: null };
    return { path, exists: false, totalBytes: 0, availableBytes: 0, dev: 0, error: null };
  }
  async readRange(path: string, offset: number): Promise<FileChunk> {
    this.unanswered.push(`range ${path}`);
    return { path, offset, exists: false, size: 0, ino: 0, content: null, bytes: 0, error: null };
  }
  async loadAverage(): Promise<LoadRead> {
    return { loadavg: [0.82, 0.61, 0.44], cores: 8, error: null };
  }
  async http(request: HttpRequest): Promise<HttpResult> {
    const base = { url: request.url, method: request.method ?? 'GET', headers: {}, bodyTruncated: false, timedOut: false };
    if (request.url === 'http://127.0.0.1:1337/v1/models') return { ...base, status: 200, latencyMs: 12, error: null, body: '{"object":"list","data":[]}' };
    return { ...base, status: null, latencyMs: 1, error: 'connection refused', body: '' };
  }
}

async function record(): Promise<{ bundle: CaptureBundle; unanswered: string[] }> {
  const clock = new ManualClock(T0);
  const host = new ScriptedLinux();
  const recording = new RecordingFacts(host);
  const engine = new Engine({
    facts: recording,
    effects: new ReplayEffects(),
    clock,
    platform: 'linux',
    host: { platform: 'linux', arch: 'x64', hostname: 'gpu-box', uid: 1000, cpuCount: 8 },
    home: '/home/bert',
    config: { input: CONFIG, config: resolveConfig(CONFIG, '/home/bert'), source: 'test' },
    configPath: null,
    history: null,
    settleParts: true,
    replay: false,
    dataDir: null,
    ownPid: 99_999,
    onSampleStart: (at) => recording.beginSample(at),
  });
  for (let i = 0; i < 3; i++) {
    clock.set(T0 + i * 30_000);
    await engine.tick();
  }
  await engine.stop();
  const bundle: CaptureBundle = {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    host: { platform: 'linux', arch: 'x64', hostname: 'gpu-box', uid: 1000, user: 'bert', home: '/home/bert', cpuCount: 8, createdAt: T0, wardenVersion: 'test', timeZone: 'UTC' },
    cadence: engine.cadence(),
    config: CONFIG,
    samples: recording.samples,
  };
  return { bundle: parseCapture(JSON.stringify(bundle)), unanswered: host.unanswered };
}

describe('systemd supervision, replayed from a capture', () => {
  it('a running unit owns its server; a unit killed by SIGKILL and restarting is crashed, explained', async () => {
    const { bundle, unanswered } = await record();
    expect(unanswered).toEqual([]);
    const state = await createReplayEngine(bundle).runAll();
    const sanctum = state.services.find((s) => s.name === 'sanctum')!;
    expect(sanctum.state).toBe('running');
    expect(sanctum.supervision).toMatchObject({ kind: 'systemd', target: 'sanctum-mlx.service', jobPid: 31337 });
    expect(sanctum.actions.map((a) => a.kind)).toEqual(['restart']);
    const ollama = state.services.find((s) => s.name === 'ollama')!;
    expect(ollama.state).toBe('crashed');
    expect(ollama.supervision?.lastExit?.text).toMatch(/SIGKILL/);
    expect(state.findings.find((f) => f.key === 'service:ollama:down')?.severity).toBe('crit');
    expect(state.level).toBe('crit');
  });
});
