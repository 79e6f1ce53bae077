/**
 * A simulated Mac for the one edge that cannot exist here: macOS itself. It answers the exact
 * commands Warden runs on darwin in the exact formats of the real samples in
 * shared/reference/macos-command-formats.md, with the numbers of the 2026-05-10 incident
 * (shared/scenarios/incident-2026-05-10.md) or of a healthy afternoon on the same host.
 * The capture fixtures are recorded by running the real engine against it.
 */
import type { Clock } from '../../src/platform/clock.js';
import type { CommandResult, DirList, Facts, FileChunk, FileRead, FileStat, HttpRequest, HttpResult, LinkRead, LoadRead, RunOptions, VolumeStat } from '../../src/platform/facts.js';
import { launchctlPrintJob, topFootprintOutput, vmStatOutput } from './scripted-facts.js';

export type Afternoon = 'incident' | 'healthy';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The first canary failure; everything else is placed relative to it. */
export const FIRST_FAILURE = Date.UTC(2026, 4, 10, 14, 21, 0);
export const CAPTURE_START = Date.UTC(2026, 4, 10, 14, 0, 0);
export const CAPTURE_SAMPLES = 31;
export const CAPTURE_INTERVAL_MS = MIN;

export const HOME = '/Users/bert';
export const UID = 501;
const PAGE = 16_384;
const TOTAL = 64 * 1024 ** 3;
const GB = 1e9;
const AGENTS = `${HOME}/Library/LaunchAgents`;
const PLIST = `${AGENTS}/com.sanctum.mlx.plist`;
export const DB_PATH = `${HOME}/sanctum/data/workspace.duckdb`;

/** The cathedral's own log: one line per chat request, written when it completes, with its prefill and decode times. */
export const CATHEDRAL_LOG = `${HOME}/Library/Logs/sanctum/cathedral.log`;
/** The slow prefills of the failed canary requests (14:21, 14:24, 14:27), as the server logged them. */
export const SLOW_PREFILLS_US = [61_870_402, 59_241_877, 59_229_150];
const CANARY_EVERY_MS = 3 * MIN;
/** `pmset -g therm` on an Apple Silicon Mac with nothing recorded (test/fixtures/darwin/real/pmset-therm/1.txt, without its prompt line). */
const PMSET_THERM_CALM = 'Note: No thermal warning level has been recorded\nNote: No performance warning level has been recorded\nNote: No CPU power status has been recorded\n';
/** The Mac mini's 1 TB APFS container: the VM volume and the Data volume share its free space. */
const CONTAINER_BYTES = 994_662_584_320;
const CONTAINER_FREE = 616_690_802_688;
const DATA_DEV = 16777233;
const VM_DEV = 16777235;

export const CATHEDRAL_PID = 4242;
export const LMSTUDIO_PID = 1500;
export const LMSTUDIO_WORKER_PID = 7781;
/** The model LM Studio's JIT loading put in that worker (an IDE plugin named it). */
export const CODER_MODEL = 'qwen2.5-coder-14b';
export const QEMU_PID = 3010;
export const DUCKDB_HOLDER_PID = 10832;

export const CATHEDRAL_ARGS = [
  `${HOME}/sanctum/.venv/bin/sanctum-mlx`,
  '--host',
  '127.0.0.1',
  '--port',
  '1337',
  '--model',
  'mlx-community/Qwen3-VL-32B-Instruct-8bit',
  '--prompt-cache-size',
  '4',
];
const CATHEDRAL_COMMAND = CATHEDRAL_ARGS.join(' ');

/** The backups beside the missing plist; the newest one's arguments match the running process. */
export const BACKUPS: Array<{ name: string; mtime: number; args: string[] }> = [
  { name: 'com.sanctum.mlx.plist.pre-disable-compile-20260507-030615', mtime: Date.UTC(2026, 4, 7, 3, 6, 15), args: CATHEDRAL_ARGS },
  {
    name: 'com.sanctum.mlx.plist.pre-multimodal-20260503-135006',
    mtime: Date.UTC(2026, 4, 3, 13, 50, 6),
    args: [...CATHEDRAL_ARGS.slice(0, 6), 'mlx-community/Qwen3-32B-8bit', ...CATHEDRAL_ARGS.slice(7)],
  },
  {
    name: 'com.sanctum.mlx.plist.pre-metalcaps-20260424-184209',
    mtime: Date.UTC(2026, 3, 24, 18, 42, 9),
    args: [...CATHEDRAL_ARGS, '--metal-cache-limit-gb', '40'],
  },
];

interface Proc {
  pid: number;
  ppid: number;
  uid: number;
  rss: number;
  cpu: number;
  startedAt: number;
  command: string;
}

export class SimulatedMac implements Facts {
  readonly mode = 'live' as const;
  /** Commands nobody scripted: the fixture test asserts this stays empty. */
  readonly unanswered: string[] = [];

  constructor(
    private readonly afternoon: Afternoon,
    private readonly clock: Clock,
  ) {}

  private get incident(): boolean {
    return this.afternoon === 'incident';
  }

  private processes(now: number): Proc[] {
    const hours = (now - CAPTURE_START) / HOUR;
    const list: Proc[] = [
      { pid: 0, ppid: 0, uid: 0, rss: 0, cpu: 6.1, startedAt: now - 9 * 24 * HOUR, command: 'kernel_task' },
      { pid: 1, ppid: 0, uid: 0, rss: 38_912e3, cpu: 0.4, startedAt: now - 9 * 24 * HOUR, command: '/sbin/launchd' },
      { pid: 93, ppid: 1, uid: 0, rss: 61_440e3, cpu: 0.2, startedAt: now - 9 * 24 * HOUR, command: '/usr/libexec/logd' },
      { pid: 95, ppid: 1, uid: 0, rss: 12_288e3, cpu: 0.0, startedAt: now - 9 * 24 * HOUR, command: '/usr/libexec/UserEventAgent (System)' },
      { pid: 402, ppid: 1, uid: 88, rss: 512_000e3, cpu: 4.3, startedAt: now - 9 * 24 * HOUR, command: '/System/Library/PrivateFrameworks/SkyLight.framework/Resources/WindowServer -daemon' },
      { pid: 611, ppid: 1, uid: UID, rss: 180_224e3, cpu: 0.7, startedAt: now - 9 * 24 * HOUR, command: '/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder' },
      { pid: 1203, ppid: 1, uid: UID, rss: 2_100_000e3, cpu: 3.2, startedAt: now - 3 * 24 * HOUR, command: '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome' },
      { pid: 1210, ppid: 1203, uid: UID, rss: 640_000e3, cpu: 1.1, startedAt: now - 3 * 24 * HOUR, command: '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer --lang=en-US' },
      {
        pid: CATHEDRAL_PID,
        ppid: 1,
        uid: UID,
        // ~50 GB, growing ~3.5 GB/h (compile-cache drift) on the bad day; flat and smaller when healthy.
        rss: this.incident ? 48.4 * GB + 3.5 * GB * hours : 30.2 * GB + 0.01 * GB * Math.sin(hours * 7),
        cpu: this.incident ? 14.2 : 2.1,
        startedAt: now - (now - Date.UTC(2026, 4, 10, 3, 25, 0)),
        command: CATHEDRAL_COMMAND,
      },
      {
        pid: LMSTUDIO_PID,
        ppid: 1,
        uid: UID,
        rss: 420_000e3,
        cpu: 0.6,
        startedAt: Date.UTC(2026, 4, 9, 9, 0, 0),
        command: '/Applications/LM Studio.app/Contents/MacOS/LM Studio',
      },
      {
        pid: QEMU_PID,
        ppid: 1,
        uid: UID,
        rss: 1.3 * GB,
        // The idle-spin bug: four cores taken on the bad day.
        cpu: this.incident ? 368.0 : 0.3,
        startedAt: Date.UTC(2026, 4, 4, 8, 0, 0),
        command: '/opt/homebrew/bin/qemu-system-aarch64 -M virt,highmem=on -accel hvf -cpu host -smp 4 -m 2048 -drive file=/Users/bert/vm/dev.qcow2,if=virtio -nographic',
      },
      { pid: 2201, ppid: 1, uid: UID, rss: 96_000e3, cpu: 0.1, startedAt: now - 2 * HOUR, command: '/usr/sbin/cfprefsd agent' },
    ];
    if (this.incident) {
      list.push({
        pid: LMSTUDIO_WORKER_PID,
        ppid: LMSTUDIO_PID,
        uid: UID,
        rss: 13.0 * GB,
        cpu: 1.4,
        // Auto-loaded by a helper 28 minutes before the first failure.
        startedAt: FIRST_FAILURE - 28 * MIN,
        command:
          '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper.app/Contents/MacOS/LM Studio Helper --type=utility --utility-sub-type=node.mojom.NodeService --user-data-dir=/Users/bert/Library/Application Support/LM Studio',
      });
      list.push({
        pid: DUCKDB_HOLDER_PID,
        ppid: 1,
        uid: UID,
        rss: 210_000e3,
        cpu: 0.0,
        // etime 03-02:15:11 at the moment of the write-up, 14:30.
        startedAt: Date.UTC(2026, 4, 10, 14, 30, 0) - ((3 * 24 + 2) * HOUR + 15 * MIN + 11_000),
        command: '/opt/homebrew/Cellar/python@3.14/3.14.0/Frameworks/Python.framework/Versions/3.14/Resources/Python.app/Contents/MacOS/Python scripts/message-to-duckdb.py',
      });
      list.push({
        pid: 10840,
        ppid: DUCKDB_HOLDER_PID,
        uid: UID,
        rss: 2_048e3,
        cpu: 0.0,
        startedAt: Date.UTC(2026, 4, 10, 14, 30, 0) - ((3 * 24 + 2) * HOUR + 15 * MIN),
        command: '/bin/bash scripts/export-imessage.sh',
      });
    }
    return list.sort((a, b) => a.pid - b.pid);
  }

  private vmStat(now: number): string {
    const minutes = (now - CAPTURE_START) / MIN;
    const bad = this.incident;
    const free = bad ? 52_480 : 310_000; // 820 MiB on the bad day
    const anonymous = bad ? 3_300_000 : 1_900_000;
    const occupied = bad ? 380_000 : 60_000;
    const rows: Array<[string, number]> = [
      ['Pages free', free],
      ['Pages active', bad ? 1_690_385 : 1_200_385],
      ['Pages inactive', bad ? 1_588_784 : 1_388_784],
      ['Pages speculative', 879],
      ['Pages throttled', 0],
      ['Pages wired down', 420_751],
      ['Pages purgeable', 18_868],
      ['"Translation faults"', 6_597_766_653 + Math.round(minutes * 90_000)],
      ['Pages copy-on-write', 180_737_980],
      ['Pages zero filled', 4_384_339_679 + Math.round(minutes * 40_000)],
      ['Pages reactivated', 23_078_527],
      ['Pages purged', 2_252_458],
      ['File-backed pages', 377_504],
      ['Anonymous pages', anonymous],
      ['Pages stored in compressor', bad ? 1_490_201 : 190_201],
      ['Pages occupied by compressor', occupied],
      ['Decompressions', 7_174_110 + Math.round(minutes * (bad ? 52_000 : 100))],
      ['Compressions', 16_509_911 + Math.round(minutes * (bad ? 61_000 : 100))],
      ['Pageins', 53_548_367 + Math.round(minutes * (bad ? 38_000 : 200))],
      ['Pageouts', 1_401_649 + Math.round(minutes * (bad ? 9_000 : 0))],
      // ~10 MiB/s out and ~5 MiB/s in while it pages the working set.
      ['Swapins', 2_210_000 + Math.round(minutes * (bad ? 19_200 : 0))],
      ['Swapouts', 4_800_000 + Math.round(minutes * (bad ? 38_400 : 0))],
    ];
    return vmStatOutput(PAGE, rows);
  }

  private sysctl(now: number): string {
    let used = 0;
    if (this.incident) {
      // Climbs to 10386.19M by the first failure and holds there.
      const toFailure = Math.min(1, (now - CAPTURE_START) / (FIRST_FAILURE - CAPTURE_START));
      used = 8_120.44 + (10_386.19 - 8_120.44) * toFailure;
    }
    const total = this.incident ? 11_264 : 0;
    const swap = `total = ${total.toFixed(2)}M  used = ${used.toFixed(2)}M  free = ${(total - used).toFixed(2)}M  (encrypted)`;
    return [
      `hw.memsize: ${TOTAL}`,
      `vm.swapusage: ${swap}`,
      `kern.memorystatus_vm_pressure_level: ${this.incident ? 4 : 1}`,
      `kern.memorystatus_level: ${this.incident ? 6 : 58}`,
      '',
    ].join('\n');
  }

  private ps(now: number): string {
    return this.processes(now)
      .map((p) => {
        const elapsed = Math.max(0, Math.floor((now - p.startedAt) / 1000));
        const cpuSeconds = Math.floor((elapsed * p.cpu) / 100);
        return [
          String(p.pid).padStart(5),
          String(p.ppid).padStart(5),
          String(p.uid).padStart(5),
          String(Math.round(p.rss / 1024)).padStart(8),
          p.cpu.toFixed(1).padStart(5),
          cpuTime(cpuSeconds).padStart(11),
          etime(elapsed).padStart(14),
          p.command,
        ].join(' ');
      })
      .join('\n')
      .concat('\n');
  }

  private top(now: number, n: number): string {
    const rows = this.processes(now)
      .filter((p) => p.pid !== 0)
      .sort((a, b) => b.rss - a.rss)
      .slice(0, n)
      .map((p) => ({ pid: p.pid, bytes: p.rss }));
    const stamp = new Date(now).toISOString().replace('T', ' ').slice(0, 19);
    const banner = [
      `Processes: 612 total, 4 running, 608 sleeping, 3021 threads`,
      stamp.replaceAll('-', '/'),
      `Load Avg: ${this.incident ? '19.49, 17.02, 14.87' : '2.13, 2.40, 2.51'}`,
      `CPU usage: ${this.incident ? '31.20% user, 12.51% sys, 56.27% idle' : '4.10% user, 2.02% sys, 93.86% idle'}`,
      `PhysMem: 63G used (6584M wired, ${this.incident ? '5937M' : '937M'} compressor), ${this.incident ? '820M' : '4843M'} unused.`,
      `VM: 263T vsize, 4941M framework vsize, ${this.incident ? '2210000(0)' : '2210000(0)'} swapins, 4800000(0) swapouts.`,
    ];
    return topFootprintOutput(banner, rows);
  }

  private launchctl(target: string): CommandResult | null {
    if (target === `gui/${UID}`) {
      const services = [
        `\t\t     611      0 \tcom.apple.Finder`,
        `\t\t       0      0 \tcom.apple.cfprefsd.xpc.agent`,
        this.incident ? null : `\t\t    ${CATHEDRAL_PID}      0 \tcom.sanctum.mlx`,
        `\t\t       0      ${this.incident ? 5 : 0} \tcom.sanctum.mlx.weekly-restart`,
      ].filter(Boolean);
      return ok(['launchctl', 'print', target], `gui/${UID} = {\n\ttype = gui\n\thandle = ${UID}\n\tactive count = 412\n\tservices = {\n${services.join('\n')}\n\t}\n\n\tdisabled services = {\n\t\t"com.apple.ScreenReaderUIServer" => disabled\n\t}\n}\n`);
    }
    if (target === `gui/${UID}/com.sanctum.mlx`) {
      if (this.incident) {
        return fail(['launchctl', 'print', target], 113, `Bad request.\nCould not find service "com.sanctum.mlx" in domain for user gui: ${UID}\n`);
      }
      return ok(['launchctl', 'print', target], launchctlPrintJob(UID, 'com.sanctum.mlx', PLIST, CATHEDRAL_ARGS, { state: 'running', pid: CATHEDRAL_PID, runs: 3, lastExit: 'last terminating signal = Terminated: 15', properties: 'keepalive | runatload | inferred program' }));
    }
    if (target === `gui/${UID}/com.sanctum.mlx.weekly-restart`) {
      return ok(
        ['launchctl', 'print', target],
        launchctlPrintJob(UID, 'com.sanctum.mlx.weekly-restart', `${AGENTS}/com.sanctum.mlx.weekly-restart.plist`, ['/bin/bash', `${HOME}/sanctum/bin/weekly-restart.sh`], {
          state: 'not running',
          pid: null,
          runs: 27,
          lastExit: `last exit code = ${this.incident ? 5 : 0}`,
          properties: 'runatload | inferred program',
          calendar: true,
        }),
      );
    }
    return null;
  }

  /** The cathedral log as it stood at `now`: requests every 3 min from 3 h before the capture; the failed ones logged ~60 s late. */
  private cathedralLog(now: number): string {
    const lines: string[] = [];
    let slow = 0;
    for (let at = CAPTURE_START - 3 * HOUR; at <= now; at += CANARY_EVERY_MS) {
      const failed = this.incident && at >= FIRST_FAILURE && slow < SLOW_PREFILLS_US.length;
      // ~200 ms, spread ±15 ms deterministically.
      const prefill = failed ? SLOW_PREFILLS_US[slow++]! : 200_000 + (((at / MIN) * 7919) % 31) * 1_000 - 16_000;
      const decode = failed ? 6_012_331 : 2_180_000;
      const done = at + Math.round((prefill + decode) / 1000);
      if (done > now) break;
      const stamp = new Date(done).toISOString().replace('T', ' ').slice(0, 19);
      lines.push(`${stamp} INFO sanctum.server chat done model=Qwen3-VL-32B-Instruct-8bit prompt_tokens=412 prefill_us=${prefill.toLocaleString('en-US')} decode_us=${decode.toLocaleString('en-US')} tokens=1\n`);
    }
    return lines.join('');
  }

  async statfs(path: string): Promise<VolumeStat> {
    const volumes: Record<string, number> = {
      '/System/Volumes/VM': VM_DEV,
      [`${HOME}/.lmstudio/models`]: DATA_DEV,
      [`${HOME}/.cache/huggingface`]: DATA_DEV,
    };
    const dev = volumes[path];
    if (dev === undefined) return { path, exists: false, totalBytes: 0, availableBytes: 0, dev: 0, error: null };
    return { path, exists: true, totalBytes: CONTAINER_BYTES, availableBytes: CONTAINER_FREE, dev, error: null };
  }

  async readRange(path: string, offset: number, maxBytes: number): Promise<FileChunk> {
    if (path !== CATHEDRAL_LOG) {
      this.unanswered.push(`range ${path}`);
      return { path, offset, exists: false, size: 0, ino: 0, content: null, bytes: 0, error: null };
    }
    const bytes = Buffer.from(this.cathedralLog(this.clock.now()));
    const chunk = bytes.subarray(offset, offset + maxBytes);
    return { path, offset, exists: true, size: bytes.length, ino: 88_001, content: chunk.toString('utf8'), bytes: chunk.length, error: null };
  }

  /** qemu's idle spin and the swapping: 19.49 on 16 cores that afternoon; about 3 on a calm one. */
  async loadAverage(): Promise<LoadRead> {
    return this.incident ? { loadavg: [19.49, 18.72, 17.95], cores: 16, error: null } : { loadavg: [3.12, 2.88, 2.61], cores: 16, error: null };
  }

  async run(argv: readonly string[], _options?: RunOptions): Promise<CommandResult> {
    const now = this.clock.now();
    const [cmd, ...args] = argv;
    const key = argv.join(' ');
    if (key === 'pmset -g therm') return ok(argv, PMSET_THERM_CALM);
    if (cmd === 'vm_stat' && args.length === 0) return ok(argv, this.vmStat(now));
    if (cmd === 'sysctl') return ok(argv, this.sysctl(now));
    if (cmd === 'ps' && key === 'ps -A -ww -o pid=,ppid=,uid=,rss=,%cpu=,time=,etime=,command=') return ok(argv, this.ps(now));
    if (cmd === 'top' && args[0] === '-l') return ok(argv, this.top(now, Number(args[args.indexOf('-n') + 1] ?? 10)));
    if (cmd === 'launchctl' && args[0] === 'print' && args[1]) {
      const answer = this.launchctl(args[1]);
      if (answer) return answer;
    }
    if (cmd === 'plutil' && args[0] === '-lint' && args[1]) {
      const path = args[1];
      if (this.fileContent(path) === null) return fail(argv, 1, `${path}: file does not exist or is not readable or is not a regular file (Error Domain=NSCocoaErrorDomain Code=260)\n`);
      return ok(argv, `${path}: OK\n`);
    }
    // Every TCP listener on this Mac: the cathedral on 1337, LM Studio's server on 1234 (§9.1, fd lines always present).
    if (cmd === 'lsof' && key === 'lsof -nP -iTCP -sTCP:LISTEN -Fpcn') {
      return ok(argv, `p${LMSTUDIO_PID}\ncLM Studio\nf61\nn127.0.0.1:1234\np${CATHEDRAL_PID}\ncsanctum-mlx\nf7\nn127.0.0.1:1337\n`);
    }
    if (cmd === 'lsof' && args.at(-1) === DB_PATH) {
      if (!this.incident) return fail(argv, 1, '');
      return ok(argv, `p${DUCKDB_HOLDER_PID}\ncPython\nf5\nn${DB_PATH}\nf6\nn${DB_PATH}.wal\n`);
    }
    if (cmd === 'tail' && args.at(-1) === `${HOME}/Library/Logs/sanctum/weekly-restart.log`) {
      // The weekly job's own log: the exit code went here and nobody read it.
      const good = 'Sun May  3 04:00:02 CEST 2026 restarting com.sanctum.mlx\nSun May  3 04:00:31 CEST 2026 /v1/models answers 200\n';
      const bad =
        'Sun May 10 04:00:01 CEST 2026 restarting com.sanctum.mlx\n' +
        `Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n` +
        `weekly-restart: launchctl bootstrap gui/${UID} ${PLIST} exited with 5\n`;
      return ok(argv, this.incident ? good + bad : good);
    }
    this.unanswered.push(key);
    return { argv: [...argv], exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, truncated: false, error: `the simulated Mac has no answer for ${key}` };
  }

  private fileContent(path: string): string | null {
    if (path === PLIST) return this.incident ? null : plistXml('com.sanctum.mlx', CATHEDRAL_ARGS);
    const backup = BACKUPS.find((b) => `${AGENTS}/${b.name}` === path);
    if (backup) return plistXml('com.sanctum.mlx', backup.args);
    if (path === `${AGENTS}/com.sanctum.mlx.weekly-restart.plist`) return plistXml('com.sanctum.mlx.weekly-restart', ['/bin/bash', `${HOME}/sanctum/bin/weekly-restart.sh`]);
    return null;
  }

  async readFile(path: string): Promise<FileRead> {
    const content = this.fileContent(path);
    if (content === null) {
      if (path.startsWith('/')) return { path, exists: false, content: null, truncated: false, error: null };
    }
    return { path, exists: content !== null, content, truncated: false, error: null };
  }

  async stat(path: string): Promise<FileStat> {
    if (path === CATHEDRAL_LOG) {
      const size = Buffer.byteLength(this.cathedralLog(this.clock.now()));
      return { path, exists: true, isFile: true, isDirectory: false, size, mtimeMs: this.clock.now(), dev: DATA_DEV, ino: 88_001, uid: UID, error: null };
    }
    const backup = BACKUPS.find((b) => `${AGENTS}/${b.name}` === path);
    const content = this.fileContent(path);
    const isDb = path === DB_PATH;
    const exists = content !== null || isDb || path === AGENTS;
    return {
      path,
      exists,
      isFile: exists && path !== AGENTS,
      isDirectory: path === AGENTS,
      size: content?.length ?? (isDb ? 2_147_483_648 : 0),
      mtimeMs: backup?.mtime ?? (exists ? Date.UTC(2026, 4, 1) : 0),
      dev: exists ? 16777233 : 0,
      ino: exists ? 1000 + path.length : 0,
      uid: exists ? UID : -1,
      error: null,
    };
  }

  async listDir(path: string): Promise<DirList> {
    if (path !== AGENTS) return { path, exists: false, entries: null, error: null };
    const entries = ['com.sanctum.mlx.weekly-restart.plist', 'homebrew.mxcl.ollama.plist', ...BACKUPS.map((b) => b.name)];
    if (!this.incident) entries.push('com.sanctum.mlx.plist');
    return { path, exists: true, entries: entries.sort(), error: null };
  }

  async readLink(path: string): Promise<LinkRead> {
    return { path, target: null, error: 'EINVAL: not a link' };
  }

  /** LM Studio's server on 1234: what discovery, its probe and the model read ask. */
  private lmStudio(url: string, method: string): string | null {
    if (method !== 'GET') return null;
    if (url === 'http://127.0.0.1:1234/api/v0/models') return lmStudioModels(this.incident, 'v0');
    if (url === 'http://127.0.0.1:1234/api/v1/models') return lmStudioModels(this.incident, 'v1');
    return null;
  }

  async http(request: HttpRequest): Promise<HttpResult> {
    const now = this.clock.now();
    const method = request.method ?? 'GET';
    const base = { url: request.url, method, headers: { 'content-type': 'application/json', server: 'uvicorn' }, bodyTruncated: false };
    if (request.url === 'http://127.0.0.1:1337/v1/models' && method === 'GET') {
      // /v1/models kept answering 200 all afternoon: the probe is honest about what it measured.
      const latency = this.incident ? 180 + ((now / 1000) % 7) * 20 : 38 + ((now / 1000) % 5);
      return { ...base, status: 200, latencyMs: latency, timedOut: false, error: null, body: '{"object":"list","data":[{"id":"mlx-community/Qwen3-VL-32B-Instruct-8bit","object":"model","created":1746800000,"owned_by":"sanctum"}]}' };
    }
    const lmStudio = this.lmStudio(request.url, method);
    if (lmStudio !== null) return { ...base, headers: { 'content-type': 'application/json; charset=utf-8', 'x-powered-by': 'Express' }, status: 200, latencyMs: 3, timedOut: false, error: null, body: lmStudio };
    if (request.url === 'http://127.0.0.1:1337/v1/chat/completions' && method === 'POST') {
      if (this.incident && now >= FIRST_FAILURE) {
        return { ...base, headers: {}, status: null, latencyMs: request.timeoutMs, timedOut: true, error: `no answer within ${request.timeoutMs / 1000} s`, body: '' };
      }
      const latency = this.incident ? 2_400 : 210;
      return { ...base, status: 200, latencyMs: latency, timedOut: false, error: null, body: '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"length"}]}' };
    }
    this.unanswered.push(`${method} ${request.url}`);
    return { ...base, headers: {}, status: null, latencyMs: 0, timedOut: false, error: 'connection refused', body: '' };
  }
}

/**
 * LM Studio 0.4's REST lists (lmstudio docs 1_developer/2_rest): the Coder-14B GGUF loaded on the
 * bad day (`size_bytes` is its file), nothing loaded on the healthy one.
 */
function lmStudioModels(loaded: boolean, version: 'v0' | 'v1'): string {
  const coder = { key: CODER_MODEL, display_name: 'Qwen2.5 Coder 14B Instruct', publisher: 'lmstudio-community', architecture: 'qwen2', quant: 'Q6_K', bits: 6, size: 12_124_684_032, params: '14B', ctx: 32_768, loaded };
  const gemma = { key: 'google/gemma-3-12b', display_name: 'Gemma 3 12B', publisher: 'google', architecture: 'gemma3', quant: 'Q4_K_M', bits: 4, size: 8_149_190_272, params: '12B', ctx: 131_072, loaded: false };
  const models = [coder, gemma];
  if (version === 'v0') {
    return JSON.stringify({
      object: 'list',
      data: models.map((m) => ({ id: m.key, object: 'model', type: 'llm', publisher: m.publisher, arch: m.architecture, compatibility_type: 'gguf', quantization: m.quant, state: m.loaded ? 'loaded' : 'not-loaded', max_context_length: m.ctx })),
    });
  }
  return JSON.stringify({
    models: models.map((m) => ({
      type: 'llm',
      publisher: m.publisher,
      key: m.key,
      display_name: m.display_name,
      architecture: m.architecture,
      quantization: { name: m.quant, bits_per_weight: m.bits },
      size_bytes: m.size,
      params_string: m.params,
      loaded_instances: m.loaded ? [{ id: m.key, config: { context_length: 32_768, eval_batch_size: 512, parallel: 4, flash_attention: true, offload_kv_cache_to_gpu: true } }] : [],
      max_context_length: m.ctx,
      format: 'gguf',
    })),
  });
}

function ok(argv: readonly string[], stdout: string): CommandResult {
  return { argv: [...argv], exitCode: 0, signal: null, stdout, stderr: '', durationMs: 12, timedOut: false, truncated: false, error: null };
}

function fail(argv: readonly string[], exitCode: number, stderr: string): CommandResult {
  return { argv: [...argv], exitCode, signal: null, stdout: '', stderr, durationMs: 9, timedOut: false, truncated: false, error: null };
}

/** ps etime: MM:SS, HH:MM:SS, DD-HH:MM:SS (Apple's print.c). */
function etime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (seconds > 86_400) return `${two(d)}-${two(h)}:${two(m)}:${two(s)}`;
  if (seconds > 3600) return `${two(h)}:${two(m)}:${two(s)}`;
  return `${two(m + h * 60)}:${two(s)}`;
}

/** ps time on darwin: minutes:seconds.centiseconds, minutes unbounded. */
function cpuTime(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}.00`;
}

function plistXml(label: string, args: string[]): string {
  const items = args.map((a) => `\t\t<string>${a.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>Label</key>
\t<string>${label}</string>
\t<key>ProgramArguments</key>
\t<array>
${items}
\t</array>
\t<key>KeepAlive</key>
\t<true/>
</dict>
</plist>
`;
}
