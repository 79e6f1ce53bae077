import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { STATIC_FACTS_MS } from '../src/platform/linux/proc-table.js';
import { startTicksOf } from '../src/platform/linux/proc-stat.js';

/**
 * The floor on Linux: the least work that reads the same facts as Warden's sampling cycle, the
 * same way. The same files (meminfo, vmstat, pressure, /proc/stat, the /proc listing, every
 * process's stat; status and cmdline only for a process new since the last walk, by pid and
 * start time, or read STATIC_FACTS_MS ago, as Warden's reader does), each read synchronously
 * into one reused buffer and decoded to text as Warden decodes it; nothing parsed beyond the
 * start time, nothing judged, nothing kept but that cache.
 */
export class FloorWalker {
  private readonly buffer = Buffer.allocUnsafe(64 * 1024);
  private readonly known = new Map<number, { start: number; readAt: number }>();

  /** One walk; the number of processes read. */
  walk(now = Date.now()): number {
    this.text('/proc/meminfo');
    this.text('/proc/vmstat');
    try {
      this.text('/proc/pressure/memory');
    } catch {
      // no PSI on this kernel
    }
    this.text('/proc/stat');
    const seen = new Set<number>();
    for (const entry of readdirSync('/proc')) {
      const code = entry.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      const pid = Number(entry);
      try {
        const start = startTicksOf(this.text(`/proc/${entry}/stat`)) ?? -1;
        const known = this.known.get(pid);
        if (!known || known.start !== start || now - known.readAt >= STATIC_FACTS_MS) {
          this.text(`/proc/${entry}/status`);
          this.text(`/proc/${entry}/cmdline`);
          this.known.set(pid, { start, readAt: now });
        }
        seen.add(pid);
      } catch {
        // gone since the listing
      }
    }
    for (const pid of this.known.keys()) if (!seen.has(pid)) this.known.delete(pid);
    return seen.size;
  }

  private text(path: string): string {
    const fd = openSync(path, 'r');
    try {
      let length = 0;
      for (let n = readSync(fd, this.buffer, 0, this.buffer.length, null); n > 0 && length < this.buffer.length; n = readSync(fd, this.buffer, length, this.buffer.length - length, null)) length += n;
      return this.buffer.toString('latin1', 0, length);
    } finally {
      closeSync(fd);
    }
  }
}
