/**
 * The host a DayPlan describes, answering at a given time in the real formats the parsers read
 * (darwin: vm_stat, sysctl, ps, top, launchctl, plutil, lsof; linux: /proc/meminfo,
 * /proc/vmstat, /proc/pressure/memory, ps, systemctl show, lsof), and the capture bundle
 * (format version 2) holding, for every sample, each fact the engine reads there.
 */
import type { CaptureBundle, CaptureSample, FileRecord, HttpRecord } from '../../src/platform/capture.js';
import { CAPTURE_FORMAT, CAPTURE_VERSION } from '../../src/platform/capture.js';
import type { CommandResult, FileRead, FileStat, HttpResult } from '../../src/platform/facts.js';
import { DARWIN_MEMORY_ARGV } from '../../src/platform/darwin/memory.js';
import { footprintArgv } from '../../src/platform/darwin/footprint.js';
import { launchctlPrintArgv } from '../../src/platform/darwin/launchctl.js';
import { plutilLintArgv } from '../../src/platform/darwin/plist.js';
import { LINUX_MEMORY_FILES } from '../../src/platform/linux/memory.js';
import { systemctlShowArgv } from '../../src/platform/linux/systemd.js';
import { lsofTcpListenersArgv } from '../../src/platform/lsof.js';
import { PS_ARGV, nameFromCommand } from '../../src/platform/ps.js';
import { effectiveProbeMs, type DayPlan, type Injected, type PlannedProcess, type PlannedService } from './day-generator.js';
import { launchctlDomain, launchctlPrintJob, lsofListeners, ok, psOutput, topFootprintOutput, vmStatOutput } from './scripted-facts.js';

const PAGE = 16_384;
const GiB = 1024 ** 3;
/** What the engine asks top for (tick/table.ts FOOTPRINT_TOP). */
const FOOTPRINT_ROWS = 10;
const WAKE_GRACE_MS = 180_000;

interface Alive {
  proc: PlannedProcess;
  rssBytes: number;
}

/** A stable number in [-1, 1) for (seed, pid, time): the same jitter whichever command asks. */
function noise(seed: number, pid: number, at: number): number {
  let h = (seed ^ Math.imul(pid, 0x9e3779b1) ^ Math.imul(Math.floor(at / 1000), 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (((h ^ (h >>> 16)) >>> 0) / 2 ** 32) * 2 - 1;
}

function grown(proc: PlannedProcess, at: number): number {
  const g = proc.growth;
  if (!g || at <= g.from) return 0;
  return (g.bytesPerHour * (Math.min(at, g.to) - g.from)) / 3_600_000;
}

export class DayHost {
  constructor(readonly plan: DayPlan) {}

  alive(at: number): Alive[] {
    return this.plan.processes
      .filter((p) => p.startedAt <= at && at < p.endsAt)
      .map((proc) => ({ proc, rssBytes: Math.max(4096, proc.rssBytes * (1 + proc.jitter * noise(this.plan.seed, proc.pid, at)) + grown(proc, at)) }))
      .sort((a, b) => a.proc.pid - b.proc.pid);
  }

  /** What the apps hold: the sum of the processes, plus what the kernel and caches keep. */
  private availableBytes(alive: Alive[]): number {
    const held = alive.reduce((sum, a) => sum + a.rssBytes * (this.plan.platform === 'darwin' ? a.proc.footprintShare : 1), 0);
    return Math.max(GiB, this.plan.totalBytes - held - 4 * GiB);
  }

  private ps(at: number, alive: Alive[]): string {
    const rows = alive.map(({ proc, rssBytes }) => ({
      pid: proc.pid,
      ppid: proc.ppid,
      uid: proc.uid,
      startedAt: proc.startedAt,
      command: proc.command,
      rssKib: Math.round(rssBytes / 1024),
      cpuPercent: proc.cpuPercent,
      cpuSeconds: (proc.cpuPercent / 100) * ((at - proc.startedAt) / 1000),
    }));
    return psOutput(rows, at, this.plan.platform);
  }

  private top(at: number, alive: Alive[]): string {
    const rows = alive
      .filter((a) => a.proc.pid !== 0)
      .map((a) => ({ pid: a.proc.pid, bytes: a.rssBytes * a.proc.footprintShare }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, FOOTPRINT_ROWS);
    const stamp = new Date(at).toISOString().replace('T', ' ').slice(0, 19).replaceAll('-', '/');
    return topFootprintOutput([`Processes: ${alive.length + 480} total, 3 running, ${alive.length + 477} sleeping, 2210 threads`, stamp, 'Load Avg: 2.10, 2.31, 2.40'], rows);
  }

  private vmStat(at: number, alive: Alive[]): string {
    const seconds = (at - this.plan.start) / 1000;
    const available = this.availableBytes(alive);
    const wired = 2.5 * GiB;
    const compressor = 0.25 * GiB;
    const purgeable = 18_000;
    const app = Math.max(0, this.plan.totalBytes - available - wired - compressor);
    const rows: Array<[string, number]> = [
      ['Pages free', Math.round((available * 0.3) / PAGE)],
      ['Pages active', Math.round((app * 0.5) / PAGE)],
      ['Pages inactive', Math.round((app * 0.45) / PAGE)],
      ['Pages speculative', 879],
      ['Pages throttled', 0],
      ['Pages wired down', Math.round(wired / PAGE)],
      ['Pages purgeable', purgeable],
      ['"Translation faults"', 6_597_766_653 + Math.round(seconds * 1500)],
      ['Pages copy-on-write', 180_737_980],
      ['Pages zero filled', 4_384_339_679 + Math.round(seconds * 700)],
      ['Pages reactivated', 23_078_527],
      ['Pages purged', 2_252_458],
      ['File-backed pages', 377_504],
      ['Anonymous pages', Math.round(app / PAGE) + purgeable],
      ['Pages stored in compressor', 190_201],
      ['Pages occupied by compressor', Math.round(compressor / PAGE)],
      ['Decompressions', 7_174_110 + Math.round(seconds * 2)],
      ['Compressions', 16_509_911 + Math.round(seconds * 2)],
      ['Pageins', 53_548_367 + Math.round(seconds * 4)],
      ['Pageouts', 1_401_649],
      ['Swapins', 2_210_000],
      ['Swapouts', 4_800_000],
    ];
    return vmStatOutput(PAGE, rows);
  }

  /** Memory pressure is critical while an injected pressure event lasts. */
  private pressed(at: number): boolean {
    return this.plan.events.some((e) => e.kind === 'pressure' && at >= e.from && at < e.to);
  }

  private sysctl(at: number, alive: Alive[]): string {
    const percent = Math.round((this.availableBytes(alive) / this.plan.totalBytes) * 100);
    return [
      `hw.memsize: ${this.plan.totalBytes}`,
      'vm.swapusage: total = 2048.00M  used = 312.25M  free = 1735.75M  (encrypted)',
      `kern.memorystatus_vm_pressure_level: ${this.pressed(at) ? 4 : 1}`,
      `kern.memorystatus_level: ${percent}`,
      '',
    ].join('\n');
  }

  private meminfo(alive: Alive[]): string {
    const kb = (bytes: number) => `${String(Math.round(bytes / 1024)).padStart(8)} kB`;
    const available = this.availableBytes(alive);
    const swapTotal = 8 * GiB;
    const rows: Array<[string, number]> = [
      ['MemTotal', this.plan.totalBytes],
      ['MemFree', available * 0.45],
      ['MemAvailable', available],
      ['Buffers', 310e6],
      ['Cached', available * 0.4],
      ['SwapCached', 1.2e6],
      ['Active', this.plan.totalBytes - available],
      ['Inactive', available * 0.2],
      ['SwapTotal', swapTotal],
      ['SwapFree', swapTotal - 210e6],
      ['Zswap', 0],
      ['Zswapped', 0],
      ['Dirty', 236e3],
    ];
    return `${rows.map(([label, n]) => `${`${label}:`.padEnd(15)} ${kb(n)}`).join('\n')}\n`;
  }

  private procVmstat(at: number): string {
    const seconds = (at - this.plan.start) / 1000;
    return ['nr_free_pages 1892211', `pgpgin ${18_204_332 + Math.round(seconds * 16)}`, `pgpgout ${9_120_004 + Math.round(seconds * 40)}`, 'pswpin 51020', 'pswpout 53710', 'pgfault 9120330012', ''].join('\n');
  }

  private pressure(at: number): string {
    const pressed = this.pressed(at);
    const some = pressed ? 52 + 6 * noise(this.plan.seed, 7, at) : Math.max(0, 0.3 + 0.3 * noise(this.plan.seed, 7, at));
    const full = pressed ? 14 + 3 * noise(this.plan.seed, 8, at) : 0;
    return `some avg10=${some.toFixed(2)} avg60=0.21 avg300=0.12 total=${88_000_000 + Math.round((at - this.plan.start) / 10)}\nfull avg10=${full.toFixed(2)} avg60=0.00 avg300=0.00 total=${12_000_000}\n`;
  }

  private listeners(alive: Alive[]): string {
    return lsofListeners(alive.filter((a) => a.proc.port !== undefined).map((a) => ({ pid: a.proc.pid, command: nameFromCommand(a.proc.command), port: a.proc.port as number })));
  }

  /** The service's processes over the day, in order: each crash ends one, the restart starts the next. */
  private serviceProcess(service: PlannedService, at: number): { alive: PlannedProcess | null; last: PlannedProcess | null; runs: number } {
    const runs = this.plan.processes.filter((p) => p.port === service.port && p.startedAt <= at).sort((a, b) => a.startedAt - b.startedAt);
    const alive = runs.find((p) => at < p.endsAt) ?? null;
    return { alive, last: runs.at(-1) ?? null, runs: runs.length };
  }

  private launchctl(service: PlannedService, at: number): string {
    const sv = service.supervisor as { kind: 'launchd'; label: string; plist: string };
    const { alive, runs } = this.serviceProcess(service, at);
    const args = (alive ?? this.plan.processes.find((p) => p.port === service.port))!.command.split(' ');
    const crashed = this.plan.events.some((e) => e.kind === 'crash' && e.at <= at);
    return launchctlPrintJob(this.plan.uid, sv.label, sv.plist, args, {
      state: alive ? 'running' : 'not running',
      pid: alive?.pid ?? null,
      runs,
      lastExit: crashed ? 'last terminating signal = Killed: 9' : 'last exit code = (never exited)',
      properties: 'runatload | inferred program',
    });
  }

  private systemctl(service: PlannedService, at: number): string {
    const sv = service.supervisor as { kind: 'systemd'; unit: string };
    const { alive, last } = this.serviceProcess(service, at);
    const crash = this.plan.events.find((e): e is Extract<Injected, { kind: 'crash' }> => e.kind === 'crash' && e.at <= at && at < e.restartAt);
    const lines = alive
      ? [`MainPID=${alive.pid}`, 'Result=success', 'NRestarts=0', `ExecMainStartTimestamp=@${Math.floor(alive.startedAt / 1000)}`, 'ExecMainExitTimestamp=', 'ExecMainCode=0', 'ExecMainStatus=0', `Id=${sv.unit}`, 'LoadState=loaded', 'ActiveState=active', 'SubState=running']
      : [
          'MainPID=0',
          'Result=signal',
          'NRestarts=0',
          `ExecMainStartTimestamp=@${Math.floor((last?.startedAt ?? at) / 1000)}`,
          `ExecMainExitTimestamp=@${Math.floor((crash?.at ?? at) / 1000)}`,
          'ExecMainCode=2',
          'ExecMainStatus=9',
          `Id=${sv.unit}`,
          'LoadState=loaded',
          'ActiveState=failed',
          'SubState=failed',
        ];
    return [...lines, `FragmentPath=/etc/systemd/system/${sv.unit}`, 'UnitFileState=enabled', ''].join('\n');
  }

  /** The probe's answer at `at`: healthy at a random latency, or what the injected event makes of it. */
  http(service: PlannedService, at: number): HttpResult {
    const base = { url: service.url, method: 'GET', headers: { 'content-type': 'application/json' }, bodyTruncated: false };
    const failed = (how: 'timeout' | 'status' | 'refused'): HttpResult => {
      if (how === 'timeout') return { ...base, headers: {}, status: null, latencyMs: 10_000, timedOut: true, error: 'no answer within 10 s', body: '' };
      if (how === 'refused') return { ...base, headers: {}, status: null, latencyMs: 0.4, timedOut: false, error: 'connection refused', body: '' };
      return { ...base, headers: { 'content-type': 'text/plain' }, status: 503, latencyMs: 3.1, timedOut: false, error: null, body: 'Service Unavailable' };
    };
    if (!this.serviceProcess(service, at).alive) return failed('refused');
    for (const e of this.plan.events) {
      if (e.kind === 'sleep' && at >= e.to && at < e.to + Math.min(e.wakeFailSeconds * 1000, WAKE_GRACE_MS - 1)) return failed('timeout');
      if ('service' in e && e.service !== service.name) continue;
      if (e.kind === 'outage' && at >= e.from && at < e.to) return failed(e.how);
      if (e.kind === 'flap' && at >= e.from && at < e.to) {
        const times = this.plan.probeTimes.get(service.name) ?? [];
        const index = times.filter((t) => t >= e.from && t < at).length;
        if (index % 2 === 0) return failed('status');
      }
    }
    if (this.plan.blips.get(service.name)?.has(at)) return failed('timeout');
    const latency = service.latencyMs * Math.exp(0.35 * noise(this.plan.seed, service.port, at));
    const body = service.name === 'llm' ? '{"models":[{"name":"qwen3:32b","size":19851337640}]}' : '{"status":"ok"}';
    return { ...base, status: 200, latencyMs: Math.round(latency * 10) / 10, timedOut: false, error: null, body };
  }

  /** Every fact the engine reads in a sample at `at`. */
  sample(at: number): CaptureSample {
    const alive = this.alive(at);
    const commands: CommandResult[] = [ok(PS_ARGV, this.ps(at, alive)), ok(lsofTcpListenersArgv(), this.listeners(alive))];
    const files: FileRecord[] = [];
    const read = (path: string, content: string): FileRecord => ({ op: 'read', path, result: { path, exists: true, content, truncated: false, error: null } satisfies FileRead });
    if (this.plan.platform === 'darwin') {
      commands.push(ok(DARWIN_MEMORY_ARGV.vmstat, this.vmStat(at, alive)), ok(DARWIN_MEMORY_ARGV.sysctl, this.sysctl(at, alive)), ok(footprintArgv(FOOTPRINT_ROWS), this.top(at, alive)));
    } else {
      files.push(read(LINUX_MEMORY_FILES.meminfo, this.meminfo(alive)), read(LINUX_MEMORY_FILES.vmstat, this.procVmstat(at)), read(LINUX_MEMORY_FILES.pressure, this.pressure(at)));
    }
    for (const service of this.plan.services) {
      const sv = service.supervisor;
      if (sv?.kind === 'launchd') {
        commands.push(ok(launchctlPrintArgv(`gui/${this.plan.uid}/${sv.label}`), this.launchctl(service, at)), ok(plutilLintArgv(sv.plist), `${sv.plist}: OK\n`));
        const stat: FileStat = { path: sv.plist, exists: true, isFile: true, isDirectory: false, size: 612, mtimeMs: this.plan.start - 86_400_000, dev: 16777233, ino: 4_402_112, uid: this.plan.uid, error: null };
        files.push({ op: 'stat', path: sv.plist, result: stat });
      }
      if (sv?.kind === 'systemd') commands.push(ok(systemctlShowArgv(sv.unit, 'system'), this.systemctl(service, at)));
    }
    // Who owns a server with no supervisor configured (zero config): the user's launchd jobs, or its cgroup.
    const unsupervised = this.plan.services.filter((s) => !s.supervisor);
    if (unsupervised.length > 0 && this.plan.platform === 'darwin') commands.push(ok(launchctlPrintArgv(`gui/${this.plan.uid}`), this.launchdDomain(at)));
    if (this.plan.platform === 'linux') {
      for (const s of [...unsupervised, ...(this.plan.discovered ? [this.plan.discovered] : [])]) {
        const pid = this.serviceProcess(s, at).alive?.pid;
        if (pid !== undefined) files.push(read(`/proc/${pid}/cgroup`, `0::/user.slice/user-${this.plan.uid}.slice/session-2.scope\n`));
      }
    }
    const http: HttpRecord[] = this.plan.services.map((s) => ({ method: 'GET', url: s.url, result: this.http(s, at) }));
    // The Ollama's loaded models: what its probe answers, as /api/ps.
    for (const s of this.plan.services.filter((p) => p.port === 11434)) http.push({ method: 'GET', url: 'http://127.0.0.1:11434/api/ps', result: this.ollamaPs(s, at) });
    if (this.plan.discovered) http.push(...this.lmStudio(this.plan.discovered, at));
    return { at, commands, files, http };
  }

  /**
   * LM Studio as discovery and the model reader ask it: /api/v0/models lists what is downloaded
   * (one model loaded), /api/v1/models is a 404 (an older build); refused once it has quit.
   */
  private lmStudio(service: PlannedService, at: number): HttpRecord[] {
    const url = (path: string) => `http://127.0.0.1:${service.port}${path}`;
    const base = { method: 'GET', headers: { 'content-type': 'application/json' }, bodyTruncated: false, timedOut: false };
    if (!this.serviceProcess(service, at).alive) {
      return ['/api/v0/models', '/api/v1/models'].map((path) => ({ method: 'GET', url: url(path), result: { ...base, url: url(path), headers: {}, status: null, latencyMs: 0.3, error: 'connection refused', body: '' } }));
    }
    const latencyMs = Math.round(service.latencyMs * Math.exp(0.3 * noise(this.plan.seed, service.port, at)) * 10) / 10;
    const models = { object: 'list', data: [{ id: 'qwen2.5-7b-instruct', object: 'model', type: 'llm', publisher: 'lmstudio-community', arch: 'qwen2', state: 'loaded', max_context_length: 32768, loaded_context_length: 4096 }] };
    return [
      { method: 'GET', url: url('/api/v0/models'), result: { ...base, url: url('/api/v0/models'), status: 200, latencyMs, error: null, body: JSON.stringify(models) } },
      { method: 'GET', url: url('/api/v1/models'), result: { ...base, url: url('/api/v1/models'), status: 404, latencyMs, error: null, body: '{"error":"Unexpected endpoint or method. (GET /api/v1/models)"}' } },
    ];
  }

  private launchdDomain(at: number): string {
    const jobs = this.plan.services.flatMap((s) => (s.supervisor?.kind === 'launchd' ? [{ pid: this.serviceProcess(s, at).alive?.pid ?? null, status: '0', label: s.supervisor.label }] : []));
    return launchctlDomain(this.plan.uid, [{ pid: 611, status: '0', label: 'com.apple.Finder' }, ...jobs]);
  }

  private ollamaPs(service: PlannedService, at: number): HttpResult {
    const probe = this.http(service, at);
    if (probe.status !== 200) return { ...probe, url: 'http://127.0.0.1:11434/api/ps' };
    const model = { name: 'qwen3:32b', model: 'qwen3:32b', size: 19851337640, digest: 'c6eb396dbd59', details: { format: 'gguf', family: 'qwen3' }, expires_at: new Date(at + 300_000).toISOString(), size_vram: 19851337640, context_length: 4096 };
    return { ...probe, url: 'http://127.0.0.1:11434/api/ps', body: JSON.stringify({ models: [model] }) };
  }
}

/** The day as a capture bundle, format version 2: the interval, the probe intervals and the zone recorded. */
export function dayBundle(plan: DayPlan): CaptureBundle {
  const host = new DayHost(plan);
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    note: `A generated ${plan.platform} day, seed ${plan.seed}: ${plan.events.map((e) => e.kind).join(', ') || 'healthy'}.`,
    host: {
      platform: plan.platform,
      arch: plan.platform === 'darwin' ? 'arm64' : 'x64',
      hostname: plan.platform === 'darwin' ? 'studio' : 'gpu-box',
      uid: plan.uid,
      user: plan.user,
      home: plan.home,
      cpuCount: 12,
      createdAt: plan.start,
      wardenVersion: '0.1.0',
      timeZone: plan.timeZone,
    },
    cadence: {
      intervalSeconds: plan.intervalSeconds,
      probes: Object.fromEntries(plan.services.map((s) => [s.name, { healthSeconds: s.probeSeconds, canarySeconds: null }])),
    },
    config: plan.config,
    samples: plan.sampleTimes.map((at) => host.sample(at)),
  };
}

/** The API probe's effective interval on this day (a whole number of engine cycles). */
export function apiProbeMs(plan: DayPlan): number {
  const api = plan.services[0] as PlannedService;
  return effectiveProbeMs(api.probeSeconds, plan.intervalSeconds);
}
