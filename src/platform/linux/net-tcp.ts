/**
 * Listening TCP sockets from /proc/net/tcp and /proc/net/tcp6: `local_address` is HEX_IP:HEX_PORT,
 * `st` 0A is LISTEN, `inode` names the socket. Pure. The set of (port, inode) pairs changes when
 * a listener appears, goes or is replaced, which is when the listener owners (lsof) are worth
 * reading again; it does not say who owns them.
 */
const LISTEN = '0A';

export interface ListeningSocket {
  port: number;
  inode: number;
}

export function parseListeningSockets(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (fields.length < 10 || fields[3] !== LISTEN) continue;
    const local = fields[1] as string;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    const inode = Number(fields[9]);
    if (Number.isInteger(port) && port > 0 && port <= 65535 && Number.isSafeInteger(inode)) out.push({ port, inode });
  }
  return out;
}

/** One string for the set, order-free: equal strings, same listeners. */
export function listenersFingerprint(sockets: readonly ListeningSocket[]): string {
  return sockets
    .map((s) => `${s.port}:${s.inode}`)
    .sort()
    .join(' ');
}
