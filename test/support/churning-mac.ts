/**
 * The simulated Mac over weeks rather than one afternoon, for the soak: bad afternoons and
 * healthy stretches alternate (so incidents open and close), and short-lived processes come
 * and go every tick with fresh pids that wrap around as macOS's do (so per-process history must
 * be evicted, and a reused pid must not inherit a dead process's history).
 */
import type { Clock } from '../../src/platform/clock.js';
import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, VolumeStat } from '../../src/platform/facts.js';
import { PS_ARGV } from '../../src/platform/ps.js';
import { SimulatedMac, UID } from './simulated-mac.js';

const HOUR = 3_600_000;
/** Hours of each phase: a bad afternoon, then a quiet evening and night. */
const INCIDENT_HOURS = 3;
const HEALTHY_HOURS = 9;
/** pids handed to the churn; macOS wraps at 99,999, so over a soak every one is reused. */
const FIRST_PID = 20_000;
const LAST_PID = 99_999;
const ARRIVALS_PER_SAMPLE = 4;
/** Builds, scripts and batch jobs: from 5 s to 2 min. */
const LIFE_STEP_MS = 5_000;
const LIFE_STEPS = 24;

interface Transient {
  pid: number;
  startedAt: number;
  diesAt: number;
  rssKib: number;
  cpu: number;
  command: string;
}

const COMMANDS = [
  '/opt/homebrew/bin/python3.12 -m mlx_lm.generate --model mlx-community/Qwen3-4B-8bit --prompt batch',
  '/Applications/Xcode.app/Contents/Developer/usr/bin/xcodebuild -scheme Warden build',
  '/usr/local/bin/node /Users/bert/sanctum/node_modules/.bin/vitest run',
  '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer --lang=en-US',
  '/opt/homebrew/Cellar/ffmpeg/7.1/bin/ffmpeg -i /Users/bert/Movies/talk.mov -c:v libx264 out.mp4',
];

export class ChurningMac implements Facts {
  readonly mode = 'live' as const;
  private readonly incident: SimulatedMac;
  private readonly healthy: SimulatedMac;
  private transients: Transient[] = [];
  private nextPid = FIRST_PID;
  private lastPsAt: number | null = null;
  /** Every pid the churn ever started: the soak checks none of them is remembered after it died. */
  started = 0;

  constructor(
    private readonly clock: Clock,
    private readonly start: number,
  ) {
    this.incident = new SimulatedMac('incident', clock);
    this.healthy = new SimulatedMac('healthy', clock);
  }

  get unanswered(): string[] {
    return [...this.incident.unanswered, ...this.healthy.unanswered];
  }

  /** Transient processes alive now (in the last ps). */
  get liveTransients(): number {
    return this.transients.length;
  }

  private get mac(): SimulatedMac {
    const hours = (this.clock.now() - this.start) / HOUR;
    return hours % (INCIDENT_HOURS + HEALTHY_HOURS) < INCIDENT_HOURS ? this.incident : this.healthy;
  }

  private churn(now: number): void {
    if (this.lastPsAt === now) return;
    this.lastPsAt = now;
    this.transients = this.transients.filter((t) => t.diesAt > now);
    for (let i = 0; i < ARRIVALS_PER_SAMPLE; i++) {
      const n = this.started++;
      const pid = this.nextPid;
      this.nextPid = pid >= LAST_PID ? FIRST_PID : pid + 1;
      // Big enough to be tracked (over 64 MiB), some busy, and now and then one over the
      // 2 GiB arrival bar (a model loaded for a batch job).
      this.transients.push({
        pid,
        startedAt: now - (n % 5) * 1000,
        diesAt: now + (1 + (n % LIFE_STEPS)) * LIFE_STEP_MS,
        rssKib: (n % 200 === 7 ? 3_000 : 80 + ((n * 7919) % 500)) * 1024,
        cpu: n % 5 === 0 ? 180 + (n % 40) : n % 30,
        command: COMMANDS[n % COMMANDS.length] as string,
      });
    }
  }

  private transientRows(now: number): string {
    return this.transients
      .map((t) => {
        const elapsed = Math.max(0, Math.floor((now - t.startedAt) / 1000));
        const cpuSeconds = Math.floor((elapsed * t.cpu) / 100);
        const cpuTime = `${Math.floor(cpuSeconds / 60)}:${String(cpuSeconds % 60).padStart(2, '0')}.00`;
        return `${String(t.pid).padStart(5)}     1 ${String(UID).padStart(5)} ${String(t.rssKib).padStart(8)} ${t.cpu.toFixed(1).padStart(5)} ${cpuTime.padStart(11)} ${etime(elapsed).padStart(14)} ${t.command}\n`;
      })
      .join('');
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const answer = await this.mac.run(argv, options);
    if (argv.join(' ') !== PS_ARGV.join(' ') || answer.exitCode !== 0) return answer;
    const now = this.clock.now();
    this.churn(now);
    return { ...answer, stdout: answer.stdout + this.transientRows(now) };
  }

  readFile(path: string): Promise<FileRead> {
    return this.mac.readFile(path);
  }

  stat(path: string): Promise<FileStat> {
    return this.mac.stat(path);
  }

  listDir(path: string): Promise<DirList> {
    return this.mac.listDir(path);
  }

  readLink(path: string): Promise<LinkRead> {
    return this.mac.readLink(path);
  }

  http(request: HttpRequest): Promise<HttpResult> {
    return this.mac.http(request);
  }

  statfs(path: string): Promise<VolumeStat> {
    return this.mac.statfs(path);
  }

  readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    return this.mac.readRange(path, offset, maxBytes);
  }

  loadAverage(): Promise<LoadRead> {
    return this.mac.loadAverage();
  }
}

/** darwin etime: MM:SS, HH:MM:SS, DD-HH:MM:SS. */
function etime(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (seconds > 86_400) return `${two(d)}-${two(h)}:${two(m)}:${two(s)}`;
  if (seconds > 3600) return `${two(h)}:${two(m)}:${two(s)}`;
  return `${two(m + h * 60)}:${two(s)}`;
}
