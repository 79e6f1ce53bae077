import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { SocketFds } from '../../../../src/platform/live.js';
import { parseListeningSockets } from '../../../../src/platform/linux/net-tcp.js';

describe.skipIf(process.platform !== 'linux')('SocketFds (Linux only: skipped elsewhere)', () => {
  it('finds the listening socket this process holds, again after its descriptor is kept, and not once it is closed', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const socket = parseListeningSockets(readFileSync('/proc/net/tcp', 'latin1')).find((s) => s.port === port);
    expect(socket).toBeDefined();
    const fds = new SocketFds();
    expect(fds.held(process.pid, String(socket!.inode))).toBe(true);
    expect(fds.held(process.pid, String(socket!.inode))).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(fds.held(process.pid, String(socket!.inode))).toBe(false);
    expect(fds.held(2 ** 22 + 12_345, '1')).toBeNull();
  });
});
