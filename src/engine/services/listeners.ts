import type { Part } from '../../common/result.js';
import type { Facts } from '../../platform/facts.js';
import { readTcpListeners, type TcpListener } from '../../platform/lsof.js';

/**
 * How long one read of every TCP listener answers for. The inspections one engine cycle starts
 * (and a discovery due in it) share one lsof; a recheck after a failed probe in a later cycle
 * gets a fresh one unless the cycle came within this of the read (an interval of 1 s).
 */
export const LISTENER_TABLE_MS = 2_000;

/**
 * Linux: while every listener on the ports a caller asks about still holds the socket the last
 * lsof saw (its /proc/PID/fd), /proc/net/tcp is read only this often (a read walks every socket
 * of the host: 10 ms with 800). A listener gone or replaced is seen at the next inspection as
 * before; one added beside a listener that stays is seen within this.
 */
export const SOCKETS_FULL_READ_MS = 300_000;

export interface Listeners {
  /** The `now` of the caller that started the read: what a later process table is compared with. */
  at: number;
  byPort: ReadonlyMap<number, readonly TcpListener[]>;
}

/**
 * Who listens on which TCP port, shared by the service monitor and discovery. lsof walks every
 * process's descriptors whatever port it is asked about, so one run per round answers them
 * all: with a run per service, 100 services cost 100 walks every 30 s. A read still running
 * is joined whatever its age, so a slow lsof on a busy Mac is never run twice at once; a
 * failed read gives every caller that shares it the same reason.
 */
export class ListenerTable {
  private last: { at: number; running: boolean; read: Promise<Part<Listeners>>; sockets: string | null; ok: boolean; value: Listeners | null } | null = null;
  /** When /proc/net/tcp was last read (null: never). */
  private socketsReadAt: number | null = null;
  private socketsDistrusted = false;
  /** The listening sockets as read at `at`: callers in the same poll (or window) share one read, as they share lsof (/proc/net/tcp costs ms). */
  private socketsRead: { at: number; read: Promise<string | null> } | null = null;

  constructor(
    private readonly facts: Facts,
    private readonly windowMs = LISTENER_TABLE_MS,
  ) {}

  /**
   * Callers with the same `now` (one poll) always share a read; with a window of 0, only they do.
   * Where the facts say which sockets listen (Linux: /proc/net/tcp), a read stands for as long
   * as that set is unchanged on the `ports` the caller will look at (all ports when it names
   * none): a new listener there, one gone or replaced, or forget() (a failed probe, a listener
   * that left the table, an action) brings a fresh lsof. Listeners coming and going on other
   * ports (a test suite, a browser) do not.
   */
  async read(now: number, ports?: readonly number[]): Promise<Part<Listeners>> {
    const last = this.last;
    if (last && (last.running || now === last.at || (now > last.at && now - last.at < this.windowMs))) return last.read;
    // Linux: while the listening sockets (port and inode) are the ones the last good read saw,
    // its owners still stand; a probe failure or a lost listener calls forget() for a fresh one.
    if (ports !== undefined && last && last.ok && !this.socketsDistrusted && (await this.stillHeld(last, ports, now)) && this.last === last) return last.read;
    const sockets = await this.sockets(now);
    if (last && this.last === last && last.ok && !this.socketsDistrusted && sockets !== null && last.sockets !== null && sameOnPorts(sockets, last.sockets, ports)) return last.read;
    if (this.last !== last && this.last) return this.last.read;
    const read = readTcpListeners(this.facts).then((part): Part<Listeners> => (part.ok ? { ok: true, value: { at: now, byPort: part.value } } : part));
    const entry: NonNullable<ListenerTable['last']> = { at: now, running: true, read, sockets, ok: false, value: null };
    this.socketsDistrusted = false;
    const done = () => {
      entry.running = false;
    };
    // A rejection (replay: the capture has no record of it) reaches every caller through `read`.
    read.then((part) => {
      entry.ok = part.ok;
      entry.value = part.ok ? part.value : null;
      done();
    }, done);
    this.last = entry;
    return read;
  }

  private sockets(now: number): Promise<string | null> {
    const listening = this.facts.listeningSockets;
    if (!listening) return Promise.resolve(null);
    const last = this.socketsRead;
    if (last && (now === last.at || (now > last.at && now - last.at < this.windowMs))) return last.read;
    const read = listening.call(this.facts);
    this.socketsRead = { at: now, read };
    this.socketsReadAt = now;
    return read;
  }

  /**
   * Every listener the last lsof saw on these ports still holds the socket /proc/net/tcp then
   * showed for the port, and that read is under SOCKETS_FULL_READ_MS old. False when it cannot
   * be told (no per-process read here, a port nobody listened on, an owner unreadable).
   */
  private async stillHeld(last: NonNullable<ListenerTable['last']>, ports: readonly number[], now: number): Promise<boolean> {
    const held = this.facts.socketHeld;
    const readAt = this.socketsReadAt;
    if (!held || last.value === null || last.sockets === null || readAt === null || now < readAt || now - readAt >= SOCKETS_FULL_READ_MS) return false;
    for (const port of ports) {
      const inodes = last.sockets.split(' ').filter((word) => word.slice(0, word.indexOf(':')) === String(port)).map((word) => word.slice(word.indexOf(':') + 1));
      const owners = last.value.byPort.get(port) ?? [];
      if (inodes.length === 0 || owners.length === 0) return false;
      for (const inode of inodes) {
        let found = false;
        for (const owner of owners) {
          const answer = await held.call(this.facts, owner.pid, inode);
          if (answer === null) return false;
          if (answer) {
            found = true;
            break;
          }
        }
        if (!found) return false;
      }
    }
    return true;
  }

  /** Who listens on one port, from the shared read. */
  async port(port: number, now: number): Promise<Part<{ at: number; listeners: readonly TcpListener[] }>> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${port} is not a TCP port (1–65535)` };
    const read = await this.read(now, [port]);
    if (!read.ok) return read;
    return { ok: true, value: { at: read.value.at, listeners: read.value.byPort.get(port) ?? [] } };
  }

  /**
   * A probe failed: the next read past the window runs lsof even if the sockets look the same
   * (a read running, or within the window, is still shared).
   */
  distrustSockets(): void {
    this.socketsDistrusted = true;
    this.socketsRead = null;
    this.socketsReadAt = null;
  }

  /** Something changed the listeners (an action ran): the next caller reads afresh. */
  forget(): void {
    this.last = null;
    this.socketsRead = null;
    this.socketsReadAt = null;
  }
}

/** Two fingerprints (`port:inode` words, sorted) hold the same sockets on these ports (all ports when none are named). */
export function sameOnPorts(a: string, b: string, ports?: readonly number[]): boolean {
  if (ports === undefined) return a === b;
  const on = (fingerprint: string) => {
    const kept: string[] = [];
    for (const word of fingerprint.split(' ')) if (ports.includes(Number(word.slice(0, word.indexOf(':'))))) kept.push(word);
    return kept.join(' ');
  };
  return on(a) === on(b);
}
