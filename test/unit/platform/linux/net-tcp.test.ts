import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listenersFingerprint, parseListeningSockets } from '../../../../src/platform/linux/net-tcp.js';

// Real: test/fixtures/linux/SOURCES-memory-processes.md.
const text = (name: string): string => readFileSync(new URL(`../../../fixtures/linux/${name}`, import.meta.url), 'utf8');

describe('listening sockets from /proc/net/tcp and tcp6', () => {
  it('keeps LISTEN rows only (port from hex, the socket inode), IPv4 and IPv6 alike', () => {
    const v4 = parseListeningSockets(text('proc-net-tcp.txt'));
    expect(v4).toContainEqual({ port: 38655, inode: 102294 });
    expect(v4).toContainEqual({ port: 2024, inode: 1061 });
    // The established connection to 38655 and the TIME_WAIT row are not listeners.
    expect(v4.filter((s) => s.port === 38655)).toHaveLength(1);
    expect(v4.map((s) => s.inode)).not.toContain(102295);
    expect(v4).toHaveLength(5);
    expect(parseListeningSockets(text('proc-net-tcp6.txt'))).toEqual([{ port: 38215, inode: 102293 }]);
  });

  it('skips the header and lines that are not socket rows', () => {
    expect(parseListeningSockets('  sl  local_address rem_address   st\n\ngarbage line\n')).toEqual([]);
  });

  it('gives one string per set, whatever the order, and another when a listener is replaced', () => {
    const a = listenersFingerprint([{ port: 80, inode: 1 }, { port: 443, inode: 2 }]);
    expect(listenersFingerprint([{ port: 443, inode: 2 }, { port: 80, inode: 1 }])).toBe(a);
    expect(listenersFingerprint([{ port: 80, inode: 3 }, { port: 443, inode: 2 }])).not.toBe(a);
  });
});
