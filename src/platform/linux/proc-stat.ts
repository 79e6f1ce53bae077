import type { ProcessRow } from '../../common/processes.js';
import { nameFromCommand } from '../ps.js';

/**
 * The process table from /proc, the same rows `ps -A -o pid,ppid,uid,rss,%cpu,time,etime,command`
 * gives (procps-ng reads these very files): no process spawned per cycle. Pure: the reader
 * hands over the texts (status and cmdline already turned into DerivedFacts), this turns them into rows.
 */
export interface ProcEntry {
  pid: number;
  /** /proc/PID/stat */
  stat: string;
  /**
   * What /proc/PID/status (the effective uid) and /proc/PID/cmdline (argv) say, worked out when
   * they were read: for this same process (pid and start), a few tens of seconds ago at most.
   * The texts themselves are not kept (a walk re-reads them once a minute, and keeping 1–2 KiB
   * per process that long only fills the old generation of the heap).
   */
  derived: DerivedFacts;
}

/** What a process's status and cmdline say, worked out once per read of them (they change far less often than stat is read). */
export interface DerivedFacts {
  uid: number | null;
  /** argv joined as ps prints it; '' for a kernel thread or zombie. */
  args: string;
  /** nameFromCommand(args), '' when args is. */
  argsName: string;
}

export function derivedFactsOf(status: string, cmdline: string): DerivedFacts {
  const args = commandOf(cmdline);
  return { uid: effectiveUid(status), args, argsName: args === '' ? '' : nameFromCommand(args) };
}

export interface ProcClock {
  /** Boot time in ms since the epoch (btime in /proc/stat). */
  bootTimeMs: number;
  /** USER_HZ: the unit of every time in /proc/PID/stat (100 on every Linux Warden runs on). */
  ticksPerSecond: number;
  /** The unit of the rss field of /proc/PID/stat. */
  pageSizeBytes: number;
}

/** USER_HZ is 100 on all mainstream architectures (the kernel scales to it whatever its CONFIG_HZ); auxv says for sure. */
export const USER_HZ = 100;
export const PAGE_SIZE = 4096;

// Fields of /proc/PID/stat after `pid (comm) `, numbered from 0 = state (proc(5): field 3).
const STATE = 0;
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const STARTTIME = 19;
const RSS_PAGES = 21;
const DEFUNCT = '<defunct>';
/** ps prints a control character in a command line as `?` (procps escape_str), a newline as a space. */
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** btime from /proc/stat, in ms since the epoch; null when the line is not there. */
export function parseBootTime(procStat: string): number | null {
  const match = /^btime (\d+)$/m.exec(procStat);
  return match ? Number(match[1]) * 1000 : null;
}

/** One row from a process's three files, or null when they do not read as a process (gone half-way, a format change). */
export function parseProcEntry(entry: ProcEntry, at: number, clock: ProcClock): ProcessRow | null {
  const { stat } = entry;
  const open = stat.indexOf(' (');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open || integerAt(stat, 0, open) !== entry.pid) return null;
  // Only the fields read (the tail holds some 30 more), found without splitting the line.
  const fields = statFields(stat, close, RSS_PAGES);
  if (fields === null) return null;
  const zombie = fields[STATE] === ZOMBIE;
  const ppid = fields[PPID] as number;
  const ticks = (fields[UTIME] as number) + (fields[STIME] as number);
  const startTicks = fields[STARTTIME] as number;
  const rssPages = fields[RSS_PAGES] as number;
  if (!Number.isSafeInteger(ppid) || !Number.isSafeInteger(ticks) || !Number.isSafeInteger(startTicks) || !Number.isSafeInteger(rssPages)) return null;
  const derived = entry.derived;
  const uid = derived.uid;
  if (uid === null) return null;
  // The pages VmRSS counts (anon + file + shmem), without summing the kernel's per-CPU batches:
  // up to 64 pages per CPU off the exact VmRSS ps prints, nothing next to the GB Warden judges.
  const rssBytes = Math.max(0, rssPages) * clock.pageSizeBytes;
  const startedAt = clock.bootTimeMs + (startTicks * 1000) / clock.ticksPerSecond;
  const lifetimeSeconds = Math.max(0, (at - startedAt) / 1000);
  const cpuSeconds = ticks / clock.ticksPerSecond;
  const args = derived.args;
  // ps: a process without arguments (a kernel thread, a zombie) is shown as [comm].
  const comm = zombie || args === '' ? stat.slice(open + 2, close) : '';
  const command = zombie ? `[${comm}] ${DEFUNCT}` : args === '' ? `[${comm}]` : args;
  return {
    pid: entry.pid,
    ppid,
    uid,
    rssBytes,
    // ps's %cpu on Linux: CPU time over the process's lifetime, in tenths (procps pcpu).
    cpuPercent: lifetimeSeconds > 0 ? Math.floor((cpuSeconds / lifetimeSeconds) * 1000) / 10 : 0,
    cpuSeconds,
    elapsedSeconds: Math.floor(lifetimeSeconds),
    startedAt,
    // What nameFromCommand gives for `[comm]` and `[comm] <defunct>`, without working it out each walk.
    name: command === args ? derived.argsName : comm.trim() || '?',
    command,
    zombie,
  };
}

/** argv joined with single spaces as ps prints it; the NUL that ends the last argument dropped. */
export function commandOf(cmdline: string): string {
  let end = cmdline.length;
  while (end > 0 && cmdline.charCodeAt(end - 1) === 0) end -= 1;
  return cmdline.slice(0, end).replaceAll('\u0000', ' ').replaceAll('\n', ' ').replace(CONTROL, '?');
}

/** The second number of `Uid:` (real, effective, saved, filesystem): ps's uid is the effective one. */
function effectiveUid(status: string): number | null {
  const match = /^Uid:\s+\d+\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : null;
}

/** The start time field of a stat text (clock ticks since boot): with the pid, which process it is. Null when it does not read. */
export function startTicksOf(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const start = statFields(stat, close, STARTTIME)?.[STARTTIME];
  return start !== undefined && Number.isSafeInteger(start) ? start : null;
}

/** The fields the parser reads, as bits by number; one array, refilled by each call (the hot loop allocates nothing per field). */
const WANTED_FIELDS = (1 << STATE) | (1 << PPID) | (1 << UTIME) | (1 << STIME) | (1 << STARTTIME) | (1 << RSS_PAGES);
const fieldsRead = new Float64Array(RSS_PAGES + 1);
/** The state field's one letter, as fieldsRead holds it (its char code). */
const ZOMBIE = 'Z'.charCodeAt(0);

/**
 * The fields after `pid (comm) ` up to number `last` (0 = state), each wanted one read where it
 * lies, walking the spaces once: no split of the whole line into its 50-odd fields and no
 * string per field. The state is its letter's char code (NaN when the field is not one
 * letter), every other field its decimal value (NaN when it is not a whole number). The array
 * is reused by the next call. Null when the line ends before `last`.
 */
function statFields(stat: string, close: number, last: number): Float64Array | null {
  let at = close + 2;
  for (let i = 0; i <= last; i++) {
    let end = stat.indexOf(' ', at);
    if (end < 0) {
      if (i < last) return null;
      end = stat.length;
      while (end > at && (stat.charCodeAt(end - 1) === LF || stat.charCodeAt(end - 1) === CR)) end -= 1;
    }
    if ((WANTED_FIELDS >> i) & 1) fieldsRead[i] = i === STATE ? (end === at + 1 ? stat.charCodeAt(at) : NaN) : integerAt(stat, at, end);
    at = end + 1;
  }
  return fieldsRead;
}

const LF = 10;
const CR = 13;
const MINUS = 45;

/** The decimal integer (an optional minus, then digits only) in text[from, to); NaN when that is not one. */
function integerAt(text: string, from: number, to: number): number {
  let i = from;
  const negative = i < to && text.charCodeAt(i) === MINUS;
  if (negative) i += 1;
  if (i >= to) return NaN;
  let value = 0;
  for (; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** AT_PAGESZ and AT_CLKTCK from /proc/self/auxv (pairs of machine words, 64-bit here); null for one not there. */
export function auxvValues(auxv: Buffer, littleEndian: boolean): { pageSizeBytes: number | null; ticksPerSecond: number | null } {
  const AT_PAGESZ = 6n;
  const AT_CLKTCK = 17n;
  const out: { pageSizeBytes: number | null; ticksPerSecond: number | null } = { pageSizeBytes: null, ticksPerSecond: null };
  const word = (at: number) => (littleEndian ? auxv.readBigUInt64LE(at) : auxv.readBigUInt64BE(at));
  for (let at = 0; at + 16 <= auxv.length; at += 16) {
    const type = word(at);
    if (type === 0n) break;
    if (type === AT_PAGESZ) out.pageSizeBytes = Number(word(at + 8));
    if (type === AT_CLKTCK) out.ticksPerSecond = Number(word(at + 8));
  }
  return out;
}

/** What the reader hands the parser: /proc/stat and every process's three files, as read. */
export interface ProcSnapshot {
  /** /proc/stat, for btime. */
  procStat: string;
  pageSizeBytes: number;
  ticksPerSecond: number;
  entries: ProcEntry[];
  /** Pids listed but gone before their files were read (normal churn, not an error). */
  vanished: number;
  /** The walk passed its deadline and stopped: the entries are only part of the table. */
  timedOut: boolean;
}
