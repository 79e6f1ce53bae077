import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDuckDbLockError } from '../../../src/platform/duckdb.js';

// duckdb-lock-messages.txt: the four real macOS messages of reference §10, one per line, verbatim.
const REAL = readFileSync(new URL('../../fixtures/darwin/duckdb-lock-messages.txt', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');

describe('parseDuckDbLockError', () => {
  it('reads every real macOS message', () => {
    expect(REAL.map(parseDuckDbLockError)).toEqual([
      { path: '/Users/<username>/Documents/analysis/data.duckdb', holder: '/Users/<username>/mambaforge/bin/python3.10', pid: 3347, user: '<username>' },
      { path: '/data/extract/extract.db', holder: '/Users/jonas/.duckdb/cli/1.2.1/duckdb', pid: 46912, user: 'jonas' },
      { path: 'xxxx.duckdb', holder: '/Applications/Setapp/TablePlus.app/Contents/MacOS/TablePlus', pid: 77370, user: 'xxxx' },
      { path: '/tmp/some.db', holder: '/opt/homebrew/Cellar/duckdb/0.9.2/bin/duckdb', pid: 44251, user: 'hannes' },
    ]);
  });

  it('reads the incident’s message (the operator’s write-up, path shortened with ...)', () => {
    const message = 'Could not set lock on file "workspace.duckdb": Conflicting lock is held in .../Python (PID 10832) by user bert';
    expect(parseDuckDbLockError(message)).toEqual({ path: 'workspace.duckdb', holder: '.../Python', pid: 10832, user: 'bert' });
  });

  it('reads the real Linux form, which names no user', () => {
    // Recorded from @duckdb/node-api 1.5 on Linux by test/integration/locks-live.test.ts.
    const message =
      'IO Error: Could not set lock on file "/tmp/lk/dir with (parens)/work space.duckdb": Conflicting lock is held in /usr/bin/node (PID 8181). See also https://duckdb.org/docs/stable/connect/concurrency';
    expect(parseDuckDbLockError(message)).toEqual({ path: '/tmp/lk/dir with (parens)/work space.duckdb', holder: '/usr/bin/node', pid: 8181, user: null });
  });

  it('anchors on the last (PID n): holder paths with spaces and parentheses', () => {
    const message =
      'IO Error: Could not set lock on file "/Users/bert/My Data (old)/w.duckdb": Conflicting lock is held in /Applications/Data Tool (PID 7) Beta.app/Contents/MacOS/Data Tool (PID 4242) by user bert. However, you would be able to open this database in read-only mode, e.g. by using the -readonly parameter in the CLI. See also https://duckdb.org/docs/connect/concurrency';
    expect(parseDuckDbLockError(message)).toEqual({
      path: '/Users/bert/My Data (old)/w.duckdb',
      holder: '/Applications/Data Tool (PID 7) Beta.app/Contents/MacOS/Data Tool',
      pid: 4242,
      user: 'bert',
    });
  });

  it('reads `PID n` with no holder (NFS reports PID 0), with and without a user', () => {
    expect(parseDuckDbLockError('IO Error: Could not set lock on file "/mnt/nfs/a.db": Conflicting lock is held in PID 0. See also https://duckdb.org/docs/connect/concurrency')).toEqual({
      path: '/mnt/nfs/a.db',
      holder: null,
      pid: 0,
      user: null,
    });
    expect(parseDuckDbLockError('Could not set lock on file "a.db": Conflicting lock is held in PID 12 by user first.last. See also x')).toEqual({
      path: 'a.db',
      holder: null,
      pid: 12,
      user: 'first.last',
    });
  });

  it('keeps a quote inside the database path', () => {
    expect(parseDuckDbLockError('Could not set lock on file "/tmp/a"b.db": Conflicting lock is held in /bin/x (PID 3)')?.path).toBe('/tmp/a"b.db');
  });

  it('is null for messages that name no holder, or are not lock errors', () => {
    expect(parseDuckDbLockError('IO Error: Could not set lock on file "./water.duckdb": Resource temporarily unavailable')).toBeNull();
    expect(parseDuckDbLockError('IO Error: Could not set lock on file "/smb/a.db": Operation not supported. See also https://duckdb.org/docs/connect/concurrency')).toBeNull();
    expect(parseDuckDbLockError('Catalog Error: Table with name t does not exist!')).toBeNull();
    expect(parseDuckDbLockError('')).toBeNull();
    expect(parseDuckDbLockError('Could not set lock on file "a": Conflicting lock is held in /bin/x (PID x)')).toBeNull();
  });
});
