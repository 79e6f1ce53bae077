import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { auxvValues, PAGE_SIZE, startTicksOf, derivedFactsOf, USER_HZ, type ProcEntry, type ProcSnapshot, type DerivedFacts } from './proc-stat.js';

/** Pids read between two turns of the event loop: a 5,000-process table never holds it for long. */
const PIDS_PER_TURN = 256;
/**
 * How old a process's command line and uid may be. Both are read when Warden first sees the
 * process (pid and start time) and again after this; stat (CPU, memory, parent, state) is read
 * every time. A process that retitles itself (`sshd: user@pts/0`) shows the new title within it.
 */
export const STATIC_FACTS_MS = 60_000;
/** The longest /proc/PID/cmdline kept whole; ps -ww reads up to its own limit the same way. */
const CMDLINE_MAX_BYTES = 128 * 1024;

interface StaticFacts {
  /** Clock ticks since boot; -1 when the stat did not say. */
  start: number;
  derived: DerivedFacts;
  readAt: number;
  /** The walk that last listed the pid: a pid no longer listed is forgotten at the end of a walk. */
  walk: number;
}

/**
 * Reads /proc for the process table, in this process: no `ps` spawned. Synchronous reads into
 * one reused buffer (open, read, close: no fstat, no allocation per file), a few hundred pids
 * per turn of the event loop; through libuv's thread pool the same reads cost several times
 * more. Each process's stat is read every walk; its status (uid) and cmdline only when it is
 * new (pid and start time) or they are STATIC_FACTS_MS old. The deadline is checked between
 * turns; past it the walk stops and says so. A process gone between the listing and its reads
 * is counted in `vanished`, not an error.
 */
export class ProcReader {
  private readonly buffer = Buffer.allocUnsafe(16 * 1024);
  private readonly known = new Map<number, StaticFacts>();
  private walks = 0;
  private readonly units: { pageSizeBytes: number; ticksPerSecond: number };

  constructor(private readonly now: () => number = Date.now) {
    let auxv: { pageSizeBytes: number | null; ticksPerSecond: number | null } = { pageSizeBytes: null, ticksPerSecond: null };
    try {
      auxv = auxvValues(readFileSync('/proc/self/auxv'), os.endianness() === 'LE');
    } catch {
      // not readable: the Linux defaults below
    }
    this.units = { pageSizeBytes: auxv.pageSizeBytes ?? PAGE_SIZE, ticksPerSecond: auxv.ticksPerSecond ?? USER_HZ };
  }

  async snapshot(timeoutMs: number): Promise<ProcSnapshot> {
    const started = performance.now();
    const procStat = this.read('/proc/stat', this.buffer.length);
    const pids: number[] = [];
    for (const name of readdirSync('/proc')) {
      const code = name.charCodeAt(0);
      if (code >= 48 && code <= 57) pids.push(Number(name));
    }
    const entries: ProcEntry[] = [];
    const walk = ++this.walks;
    let vanished = 0;
    const now = this.now();
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % PIDS_PER_TURN === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (performance.now() - started > timeoutMs) return { procStat, ...this.units, entries, vanished, timedOut: true };
      }
      const pid = pids[i] as number;
      try {
        // utf8: a kernel thread's or zombie's name comes from here.
        const stat = this.read(`/proc/${pid}/stat`, this.buffer.length, 'utf8');
        const start = startTicksOf(stat) ?? -1;
        let facts = this.known.get(pid);
        if (!facts || facts.start !== start || now - facts.readAt >= STATIC_FACTS_MS || now < facts.readAt) {
          const status = this.read(`/proc/${pid}/status`, this.buffer.length);
          const cmdline = this.read(`/proc/${pid}/cmdline`, CMDLINE_MAX_BYTES, 'utf8');
          facts = { start, derived: derivedFactsOf(status, cmdline), readAt: now, walk };
          this.known.set(pid, facts);
        }
        facts.walk = walk;
        entries.push({ pid, stat, derived: facts.derived });
      } catch (error) {
        // Out of descriptors is Warden's problem, not the process's: the table is unknown, with why.
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EMFILE' || code === 'ENFILE') throw error;
        vanished += 1;
      }
    }
    for (const pid of this.known.keys()) if (this.known.get(pid)?.walk !== walk) this.known.delete(pid);
    return { procStat, ...this.units, entries, vanished, timedOut: false };
  }

  /** One /proc file, up to `max` bytes (a /proc file's size is 0: read until a read returns nothing). */
  private read(path: string, max: number, encoding: 'latin1' | 'utf8' = 'latin1'): string {
    const fd = openSync(path, 'r');
    try {
      let buffer = this.buffer;
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          if (buffer.length >= max) break;
          const grown = Buffer.allocUnsafe(Math.min(max, buffer.length * 4));
          buffer.copy(grown, 0, 0, length);
          buffer = grown;
        }
        const n = readSync(fd, buffer, length, buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return buffer.toString(encoding, 0, length);
    } finally {
      closeSync(fd);
    }
  }
}
