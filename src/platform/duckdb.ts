/** What DuckDB says about the process that holds a database's lock. */
export interface DuckDbLockError {
  /** The database file, as the failing reader named it. */
  path: string;
  /** The holder's executable (full path on macOS and Linux, e.g. "/usr/bin/node"); null when DuckDB gave only a pid. */
  holder: string | null;
  /** 0 when DuckDB could not learn the holder (seen on NFS). */
  pid: number;
  /** Present on macOS ("by user bert"); Linux DuckDB does not say. */
  user: string | null;
}

// DuckDB quotes the path without escaping, so a quote inside it is taken as part of it.
const PREFIX = /Could not set lock on file "(.*)": Conflicting lock is held in /;
// The holder's path may hold spaces and parentheses, so the pid is the LAST " (PID n)".
const WITH_HOLDER = /^(.*) \(PID (\d+)\)(?: by user (.+?))?(?:\. |\.$|$)/;
const PID_ONLY = /^PID (\d+)(?: by user (.+?))?(?:\. |\.$|$)/;

/**
 * Parses DuckDB's lock-conflict error (local_file_system.cpp), e.g.
 * `IO Error: Could not set lock on file "x.duckdb": Conflicting lock is held in
 * /usr/bin/python3 (PID 10832) by user bert. See also https://duckdb.org/…`. Null for any
 * other message, including lock failures that name no holder ("Resource temporarily unavailable").
 */
export function parseDuckDbLockError(message: string): DuckDbLockError | null {
  const head = PREFIX.exec(message);
  if (!head || head[1] === undefined) return null;
  const path = head[1];
  const rest = message.slice(head.index + head[0].length).split('\n')[0] ?? '';
  const pidOnly = PID_ONLY.exec(rest);
  if (pidOnly?.[1]) return { path, holder: null, pid: Number(pidOnly[1]), user: pidOnly[2] ?? null };
  const withHolder = WITH_HOLDER.exec(rest);
  if (!withHolder?.[1] || !withHolder[2]) return null;
  return { path, holder: withHolder[1], pid: Number(withHolder[2]), user: withHolder[3] ?? null };
}
