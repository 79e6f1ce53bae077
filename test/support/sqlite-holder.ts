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
