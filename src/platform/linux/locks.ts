import type { LockKind } from '../../common/services.js';
import type { Part } from '../../common/result.js';
import type { Facts } from '../facts.js';
import { readFileOpeners } from '../lsof.js';

export interface ProcLock {
  /** POSIX (fcntl/lockf), FLOCK, OFDLCK (open-file-description fcntl), LEASE, DELEG… */
  kind: 'POSIX' | 'FLOCK' | 'OFDLCK' | string;
  mode: 'READ' | 'WRITE';
  /** -1 for OFD locks (owned by an open file, not a process); 0 for a pid outside this pid namespace. */
  pid: number;
  major: number;
  minor: number;
  inode: number;
  /** A `->` row: a process blocked waiting for the lock above it, not holding anything. */
  waiting: boolean;
}

export interface LockHolderRef {
  pid: number;
  kind: LockKind;
}

export const PROC_LOCKS = '/proc/locks';

// "4: POSIX  ADVISORY  WRITE 7742 fe:00:2146509 0 EOF", waiters as "4: -> POSIX …".
// The device is MAJOR:MINOR in hex (fs/locks.c prints "%02x:%02x:%lu"), the inode decimal.
const ROW = /^\s*\d+:\s+((?:->\s*)*)(\S+)\s+\S+\s+(\S+)\s+(-?\d+)\s+([0-9a-fA-F]+):([0-9a-fA-F]+):(\d+)\s/;

/** Parses /proc/locks. Rows for no inode (`<none>`) and modes other than READ/WRITE are skipped. */
export function parseProcLocks(text: string): ProcLock[] {
  const locks: ProcLock[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line);
    if (!m) continue;
    const [, arrows, kind, mode, pid, major, minor, inode] = m;
    if (mode !== 'READ' && mode !== 'WRITE') continue;
    locks.push({
      kind: kind as string,
      mode,
      pid: Number(pid),
      major: parseInt(major as string, 16),
      minor: parseInt(minor as string, 16),
      inode: Number(inode),
      waiting: (arrows ?? '').includes('->'),
    });
  }
  return locks;
}

/**
 * Splits a Linux st_dev (as Node's fs.stat reports it) into major and minor the way glibc's
 * gnu_dev_major/minor do: major = bits 8–19 and 32–43, minor = bits 0–7 and 20–31. Arithmetic,
 * not bitwise operators, because st_dev can exceed 32 bits.
 */
export function splitLinuxDev(dev: number): { major: number; minor: number } {
  const low = dev % 2 ** 32;
  const high = Math.floor(dev / 2 ** 32);
  const major = (Math.floor(low / 2 ** 8) % 2 ** 12) + (high % 2 ** 20) * 2 ** 12;
  const minor = (low % 2 ** 8) + Math.floor(low / 2 ** 20) * 2 ** 8;
  return { major, minor };
}

function kindOf(lock: ProcLock): LockKind | null {
  if (lock.kind === 'FLOCK') return 'flock';
  if (lock.kind === 'POSIX' || lock.kind === 'OFDLCK') return lock.mode === 'WRITE' ? 'posix-write' : 'posix-read';
  return null;
}

function addHolder(holders: LockHolderRef[], pid: number, kind: LockKind): void {
  if (!holders.some((h) => h.pid === pid && h.kind === kind)) holders.push({ pid, kind });
}

const FDINFO_LOCK = /^lock:\s+(.*)$/;

/**
 * Locks that belong to an open file description rather than to a process: OFD locks (pid -1
 * in /proc/locks) and flock locks. For an flock, /proc/locks names the pid that *took* it;
 * the description (and the lock) lives on in every process that inherited the descriptor, so
 * once the taker forks and exits its pid names nobody, or, once reused, an innocent process.
 */
function isFileSide(lock: ProcLock): boolean {
  return lock.kind === 'OFDLCK' || lock.kind === 'FLOCK' || lock.pid === -1;
}

function unnamedReason(lock: ProcLock, count: number): string {
  if (lock.kind === 'FLOCK') {
    return `${count} flock lock(s): ${PROC_LOCKS} names PID ${lock.pid}, the process that took it, and no process with the file open shows it in /proc/<pid>/fdinfo (the taker may have exited, leaving the lock to a child Warden cannot read: another user's process?)`;
  }
  return `${count} open-file-description (OFD) lock(s) show no pid in ${PROC_LOCKS}, and no opener's /proc/<pid>/fdinfo named it (another user's process?)`;
}

/**
 * Names the holders of file-side locks (see isFileSide) from the file's side: the file's
 * openers (from lsof), and for each descriptor /proc/<pid>/fdinfo/<fd>, which lists the locks
 * held through that very descriptor. A pid is a holder only when its fdinfo shows the lock.
 * Named holders are added to `holders`; returns why any such lock stayed unnamed.
 */
async function nameFileSideHolders(facts: Facts, path: string, locks: ProcLock[], holders: LockHolderRef[]): Promise<string | null> {
  const openers = await readFileOpeners(facts, path);
  if (!openers.ok) return `cannot name the holder of its ${locks.some((l) => l.kind === 'FLOCK') ? 'flock' : 'OFD'} lock: ${openers.reason}`;
  const named = new Set<ProcLock>();
  for (const opener of openers.value) {
    for (const fd of opener.fds.filter((f) => /^\d+$/.test(f))) {
      const info = await facts.readFile(`/proc/${opener.pid}/fdinfo/${fd}`);
      for (const line of (info.content ?? '').split('\n')) {
        const row = FDINFO_LOCK.exec(line)?.[1];
        const lock = row ? parseProcLocks(row)[0] : undefined;
        const match = lock && locks.find((o) => o.kind === lock.kind && o.mode === lock.mode && o.inode === lock.inode && o.major === lock.major && o.minor === lock.minor);
        if (!match) continue;
        named.add(match);
        addHolder(holders, opener.pid, kindOf(match) ?? 'posix-write');
      }
    }
  }
  const unnamed = locks.filter((l) => !named.has(l));
  const first = unnamed[0];
  return first ? unnamedReason(first, unnamed.length) : null;
}

/**
 * Processes holding a lock on `path`: /proc/locks rows matched by inode and device (the
 * device of the file's filesystem, from stat). Waiters are not holders. A POSIX lock's pid is
 * its owner (the lock dies with it and is never inherited); flock and OFD holders are proven
 * from the file side (nameFileSideHolders). A missing file has no holders. Not ok when a holder
 * exists but cannot be named.
 */
export async function readLockHolders(facts: Facts, path: string): Promise<Part<LockHolderRef[]>> {
  const st = await facts.stat(path);
  if (st.error) return { ok: false, reason: `${path}: ${st.error}` };
  if (!st.exists) return { ok: true, value: [] };
  const file = await facts.readFile(PROC_LOCKS);
  if (file.error || file.content === null) return { ok: false, reason: `${PROC_LOCKS}: ${file.error ?? 'not present on this system'}` };
  const { major, minor } = splitLinuxDev(st.dev);
  const rows = parseProcLocks(file.content).filter((l) => !l.waiting && l.inode === st.ino && l.major === major && l.minor === minor);
  const holders: LockHolderRef[] = [];
  const fileSide: ProcLock[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    const kind = kindOf(row);
    if (!kind) continue;
    if (isFileSide(row)) fileSide.push(row);
    else if (row.pid > 0) addHolder(holders, row.pid, kind);
    else problems.push(`a ${row.kind} ${row.mode} lock is held by a process outside this pid namespace (pid 0 in ${PROC_LOCKS})`);
  }
  if (fileSide.length > 0) {
    const unnamed = await nameFileSideHolders(facts, path, fileSide, holders);
    if (unnamed) problems.push(unnamed);
  }
  if (problems.length > 0) return { ok: false, reason: `${path}: ${problems.join('; ')}` };
  return { ok: true, value: holders };
}
