import { chmodSync, cpSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A `node -e` script that takes a real SQLite write lock (BEGIN EXCLUSIVE: a POSIX lock that
 * /proc/locks shows) on the database named by its first argument, prints "held", and hangs, as
 * the incident's ingest job did. Later arguments are ignored (tests pass hostile ones).
 */
export const SQLITE_HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('CREATE TABLE IF NOT EXISTS t (x INTEGER)');
db.exec('BEGIN EXCLUSIVE');
db.exec('INSERT INTO t VALUES (1)');
console.log('held');
setInterval(() => {}, 60000);
`;

/**
 * A folder any user can read holding better-sqlite3 and what it loads (bindings,
 * file-uri-to-path), for a holder started as another user: the repo may lie in a 0700 folder
 * (what `mktemp -d` gives), whose node_modules that user cannot read. Run the holder with this
 * folder as its working directory (`node -e` resolves require() from there). Remove it after.
 */
export function sqliteForAnyUser(repo: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-sqlite-any-user-'));
  for (const name of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    cpSync(path.join(repo, 'node_modules', name), path.join(dir, 'node_modules', name), {
      recursive: true,
      // The sources and object files are not needed to load the built module.
      filter: (source) => !/[\\/](deps|src|obj|obj\.target)$/.test(source),
    });
  }
  chmodTree(dir);
  return dir;
}

function chmodTree(at: string): void {
  chmodSync(at, statSync(at).isDirectory() ? 0o755 : 0o644);
  if (statSync(at).isDirectory()) for (const entry of readdirSync(at)) chmodTree(path.join(at, entry));
}
