/**
 * A busy host's process table on a small CI box. Every fact is read from this host through the
 * wrapped Facts, except that the one `ps` the engine runs gets this host's real rows followed by
 * made-up ones up to `rows` in all, in procps's format for the same argv. The made-up pids sit
 * above Linux's largest pid_max (2^22), so they can never be taken for a real process.
 */
import type { CommandResult, Facts, RunOptions } from '../../src/platform/facts.js';
import { DelegatingFacts } from './delegating-facts.js';
import { PS_ARGV } from '../../src/platform/ps.js';

const FIRST_PID = 4_194_305;
const MiB_KIB = 1024;
/** Rows replaced by new pids at every ps: short-lived processes come and go. */
const CHURN_PER_READ = 10;

interface Made {
  pid: number;
  ppid: number;
  uid: number;
  rssKib: number;
  cpu: number;
  startedAt: number;
  command: string;
}

const CHROMIUM_FLAGS = Array.from({ length: 60 }, (_, i) => `--enable-features=Feature${i}Experiment,Other${i}Rollout`).join(' ');

/** A few families of processes a developer's box runs, the Chromium ones with kilobytes of flags. */
function commandFor(n: number): string {
  switch (n % 10) {
    case 0:
    case 1:
    case 2:
      return `[kworker/${n % 16}:${n % 3}-events]`;
    case 3:
      return `/opt/google/chrome/chrome --type=renderer --crashpad-handler-pid=${n} --renderer-client-id=${n} ${CHROMIUM_FLAGS}`;
    case 4:
      return `/usr/share/code/code --type=utility --utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none ${CHROMIUM_FLAGS.slice(0, 1500)}`;
    case 5:
      return `/usr/bin/python3 -m celery -A jobs worker --loglevel=info --hostname=worker${n}@%h`;
    case 6:
      return `/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main -c config_file=/etc/postgresql/16/main/postgresql.conf`;
    case 7:
      return `node /home/dev/app/node_modules/.bin/tsc --watch --project packages/p${n % 40}/tsconfig.json`;
    case 8:
      return `/usr/sbin/sshd -D -R`;
    default:
      return `/bin/bash -c while true; do sleep ${1 + (n % 60)}; done`;
  }
}

function made(n: number, now: number): Made {
  const big = n % 97 === 0;
  const kernel = n % 10 <= 2;
  return {
    pid: FIRST_PID + n,
    ppid: kernel ? 2 : 1,
    uid: kernel ? 0 : 1000 + (n % 3),
    // Most are small; one in 20 is worth tracking (over 64 MiB), one in 97 several GiB.
    rssKib: kernel ? 0 : big ? (2_048 + (n % 6) * 1_024) * MiB_KIB : n % 20 === 0 ? (100 + (n % 900)) * MiB_KIB : (2 + (n % 50)) * MiB_KIB,
    cpu: n % 1_000 === 1 ? 180 + (n % 200) : n % 7 === 0 ? (n % 40) / 2 : 0,
    startedAt: now - (60 + ((n * 7_919) % 900_000)) * 1000,
    command: commandFor(n),
  };
}

export class WideProcessTable extends DelegatingFacts {
  private made: Made[] | null = null;
  private next = 0;
  /** Wall time spent making the text (the harness's cost, not Warden's), and the last row count. */
  makingMs = 0;
  lastRows = 0;

  constructor(
    inner: Facts,
    private readonly rows: number,
  ) {
    super(inner);
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await this.inner.run(argv, options);
    if (argv.join(' ') !== PS_ARGV.join(' ') || result.exitCode !== 0) return result;
    const started = performance.now();
    const real = result.stdout.split('\n').filter((l) => l.trim() !== '');
    const { text, count } = this.madeRows(Date.now(), this.rows - real.length);
    const stdout = `${real.join('\n')}\n${text}`;
    this.lastRows = real.length + count;
    this.makingMs += performance.now() - started;
    return { ...result, stdout };
  }

  private madeRows(now: number, count: number): { text: string; count: number } {
    if (count <= 0) return { text: '', count: 0 };
    // As many as could ever be wanted, so the table stays full when real processes come and go.
    if (!this.made) this.made = Array.from({ length: this.rows }, () => made(this.next++, now));
    for (let i = 0; i < CHURN_PER_READ; i++) this.made[(this.next * 31) % this.made.length] = { ...made(this.next++, now), startedAt: now - 1000 };
    let text = '';
    const rows = this.made.slice(0, count);
    for (const p of rows) {
      const elapsed = Math.max(0, Math.floor((now - p.startedAt) / 1000));
      text += `${String(p.pid).padStart(7)} ${String(p.ppid).padStart(5)} ${String(p.uid).padStart(5)} ${String(p.rssKib).padStart(8)} ${p.cpu.toFixed(1).padStart(4)} ${clock(Math.floor((elapsed * p.cpu) / 100)).padStart(8)} ${etime(elapsed).padStart(11)} ${p.command}\n`;
    }
    return { text, count: rows.length };
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/** procps `time`: [DD-]HH:MM:SS. */
function clock(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const hms = `${two(Math.floor((seconds % 86_400) / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** procps `etime`: [[DD-]HH:]MM:SS. */
function etime(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const ms = `${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  if (d > 0) return `${two(d)}-${two(h)}:${ms}`;
  return h > 0 ? `${two(h)}:${ms}` : ms;
}
