import type { LockKind } from '../common/services.js';
import type { Part } from '../common/result.js';
import type { Facts } from './facts.js';
import { readFileOpeners } from './lsof.js';
import { readLockHolders } from './linux/locks.js';

export interface FileHolderRef {
  pid: number;
  kind: LockKind;
}

/**
 * Who holds `path`. On macOS nothing shows fcntl locks: lsof's lock column is filled only by
 * its old kmem dialect, never by the libproc one modern macOS uses, and DuckDB and SQLite lock
 * with fcntl(F_SETLK), which does not set the FHASLOCK flag lsof could print. So on darwin
 * every process with the file open is reported as 'open' (the holder is among them; a
 * reader's "Conflicting lock is held in … (PID n)" names it exactly). On Linux /proc/locks
 * names the lock holders; other openers are added as 'open'.
 */
export async function readFileHolders(facts: Facts, platform: string, path: string): Promise<Part<FileHolderRef[]>> {
  if (platform === 'darwin') {
    const openers = await readFileOpeners(facts, path);
    if (!openers.ok) return openers;
    return { ok: true, value: openers.value.map((o) => ({ pid: o.pid, kind: 'open' as const })) };
  }
  if (platform === 'linux') {
    const locks = await readLockHolders(facts, path);
    if (!locks.ok) return locks;
    const holders: FileHolderRef[] = [...locks.value];
    const openers = await readFileOpeners(facts, path);
    // The lock rows are the finding; openers are context, so a failed lsof (not installed,
    // deadline) leaves the lock holders standing rather than hiding them.
    if (openers.ok) {
      for (const opener of openers.value) {
        if (!holders.some((h) => h.pid === opener.pid)) holders.push({ pid: opener.pid, kind: 'open' });
      }
    }
    return { ok: true, value: holders };
  }
  return { ok: false, reason: `file holders: not supported on ${platform}` };
}
