import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../../../src/common/config.js';
import type { ProcessRow, ProcessTable } from '../../../../src/common/processes.js';
import { DEFAULT_THRESHOLDS } from '../../../../src/engine/defaults.js';
import { LISTENER_TABLE_MS, ListenerTable, SOCKETS_FULL_READ_MS } from '../../../../src/engine/services/listeners.js';
import { ServiceMonitor } from '../../../../src/engine/services/monitor.js';
import type { CommandResult, HttpRequest, HttpResult, RunOptions } from '../../../../src/platform/facts.js';
import { lsofTcpListenersArgv } from '../../../../src/platform/lsof.js';
import { ScriptedFacts, fail, isTcpListenersArgv, lsofListeners, ok } from '../../../support/scripted-facts.js';

const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);
const lsofRuns = (facts: ScriptedFacts) => facts.ran.filter((argv) => argv[0] === 'lsof');
const crashed = (argv: readonly string[]): CommandResult => ({ ...fail(argv, 1, ''), exitCode: null, signal: 'SIGSEGV' });

/** Answers lsof with whatever `listening` holds at the time; a run can be held until released. */
class Host extends ScriptedFacts {
  listening: Array<{ pid: number; command: string; port: number }> = [];
  crash = false;
  private held: Array<() => void> | null = null;

  constructor(http: ((request: HttpRequest) => Promise<HttpResult>) | null = null) {
    super(http);
    this.on((argv) => {
      if (!isTcpListenersArgv(argv)) return null;
      if (this.crash) return crashed(argv);
      return this.listening.length > 0 ? ok(argv, lsofListeners(this.listening)) : fail(argv, 1, '');
    });
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const go of waiting) go();
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    if (this.held) await new Promise<void>((resolve) => this.held?.push(resolve));
    return super.run(argv, options);
  }
}

describe('ListenerTable', () => {
  it('gives every caller within the window the one read, and reads afresh after it', async () => {
    const host = new Host();
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }];
    const table = new ListenerTable(host);
    const [a, b] = await Promise.all([table.port(11434, NOW), table.port(1234, NOW)]);
    expect(a).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
    expect(b).toEqual({ ok: true, value: { at: NOW, listeners: [] } });
    expect(await table.port(11434, NOW + LISTENER_TABLE_MS - 1)).toEqual(a);
    expect(lsofRuns(host)).toEqual([lsofTcpListenersArgv()]);

    host.listening = [];
    expect(await table.port(11434, NOW + LISTENER_TABLE_MS)).toEqual({ ok: true, value: { at: NOW + LISTENER_TABLE_MS, listeners: [] } });
    expect(lsofRuns(host)).toHaveLength(2);
  });

  it('joins a read still running whatever its age, so a slow lsof never runs twice at once', async () => {
    const host = new Host();
    host.hold();
    const table = new ListenerTable(host);
    const first = table.read(NOW);
    const late = table.read(NOW + 10_000);
    host.release();
    expect(await late).toBe(await first);
    expect(lsofRuns(host)).toHaveLength(1);
    // Done and old: the next caller reads again.
    await table.read(NOW + 10_000);
    expect(lsofRuns(host)).toHaveLength(2);
  });

  it('gives every caller sharing a failed read the same reason', async () => {
    const host = new Host();
    host.crash = true;
    const table = new ListenerTable(host);
    const reads = await Promise.all([1337, 8080, 11434].map((port) => table.port(port, NOW)));
    expect(reads).toEqual(Array(3).fill({ ok: false, reason: 'lsof -iTCP -sTCP:LISTEN: killed by SIGSEGV' }));
    expect(lsofRuns(host)).toHaveLength(1);
  });

  it('reads afresh after forget(), and for a clock that went back', async () => {
    const host = new Host();
    const table = new ListenerTable(host);
    await table.read(NOW);
    table.forget();
    await table.read(NOW);
    await table.read(NOW - 1);
    expect(lsofRuns(host)).toHaveLength(3);
  });

  it('with a window of 0 (inspecting every poll) only the callers of one poll share a read', async () => {
    const host = new Host();
    const table = new ListenerTable(host, 0);
    await Promise.all([table.read(NOW), table.read(NOW)]);
    expect(lsofRuns(host)).toHaveLength(1);
    await table.read(NOW + 1);
    expect(lsofRuns(host)).toHaveLength(2);
  });

  it('where the listening sockets are known (Linux): one lsof while they stay the same, a fresh one when they change or after forget()', async () => {
    const host = new (class extends Host {
      sockets: string | null = '11434:900';
      listeningSockets = (): Promise<string | null> => Promise.resolve(this.sockets);
    })();
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }];
    const table = new ListenerTable(host);
    await table.read(NOW);
    // Ten minutes of inspections every 30 s: the sockets are the same, the owners stand.
    for (let t = 30_000; t <= 600_000; t += 30_000) expect(await table.port(11434, NOW + t)).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
    expect(lsofRuns(host)).toHaveLength(1);
    // A new port appears: read again.
    host.listening.push({ pid: 901, command: 'llama-server', port: 8080 });
    host.sockets = '11434:900 8080:77';
    expect(await table.port(8080, NOW + 630_000)).toEqual({ ok: true, value: { at: NOW + 630_000, listeners: [{ pid: 901, command: 'llama-server' }] } });
    expect(lsofRuns(host)).toHaveLength(2);
    // Unchanged again, but forget() (a failed probe, an action): read again.
    table.forget();
    await table.read(NOW + 660_000);
    expect(lsofRuns(host)).toHaveLength(3);
    // A failed probe: the next read past the window runs lsof though the sockets look the same.
    table.distrustSockets();
    await table.read(NOW + 660_000 + LISTENER_TABLE_MS - 1);
    expect(lsofRuns(host)).toHaveLength(3);
    await table.read(NOW + 675_000);
    expect(lsofRuns(host)).toHaveLength(4);
    await table.read(NOW + 680_000);
    expect(lsofRuns(host)).toHaveLength(4);
    // Unreadable sockets (null): no basis to skip, so lsof runs as it always did.
    host.sockets = null;
    await table.read(NOW + 690_000);
    expect(lsofRuns(host)).toHaveLength(5);
  });

  it('listeners coming and going on other ports bring no lsof; one replaced on the port asked about does', async () => {
    const host = new (class extends Host {
      sockets: string | null = '11434:900 40001:5';
      listeningSockets = (): Promise<string | null> => Promise.resolve(this.sockets);
    })();
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }];
    const table = new ListenerTable(host);
    expect(await table.port(11434, NOW)).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
    // A test suite's servers on other ports, every round another set: the owner of 11434 stands.
    for (let t = 30_000; t <= 300_000; t += 30_000) {
      host.sockets = `11434:900 ${40_000 + t / 30_000}:${t}`;
      expect(await table.port(11434, NOW + t)).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
    }
    expect(lsofRuns(host)).toHaveLength(1);
    // Asked about all ports (no ports named), the other ports count.
    await table.read(NOW + 330_000);
    expect(lsofRuns(host)).toHaveLength(2);
    // The listener on 11434 replaced (another socket inode, another owner): read again.
    host.listening = [{ pid: 950, command: 'ollama', port: 11434 }];
    host.sockets = '11434:951';
    expect(await table.port(11434, NOW + 360_000)).toEqual({ ok: true, value: { at: NOW + 360_000, listeners: [{ pid: 950, command: 'ollama' }] } });
    expect(lsofRuns(host)).toHaveLength(3);
  });

  it('the inspections of one poll read the listening sockets once between them, as they share lsof', async () => {
    const host = new (class extends Host {
      socketReads = 0;
      listeningSockets = (): Promise<string | null> => {
        this.socketReads += 1;
        return Promise.resolve('11434:900 1234:901');
      };
    })();
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }, { pid: 901, command: 'lm-studio', port: 1234 }];
    const table = new ListenerTable(host);
    await table.read(NOW);
    expect(host.socketReads).toBe(1);
    // Two services inspected in the same poll 30 s later, each asking twice (its port and its owner).
    const later = NOW + 30_000;
    await Promise.all([table.port(11434, later), table.port(1234, later), table.port(11434, later), table.port(1234, later)]);
    expect(host.socketReads).toBe(2);
    expect(lsofRuns(host)).toHaveLength(1);
    // forget() (an action): the sockets are read afresh, not taken from before it.
    table.forget();
    await table.read(later);
    expect(host.socketReads).toBe(3);
  });

  it('while each listener still holds its socket (/proc/PID/fd), /proc/net/tcp is read once per SOCKETS_FULL_READ_MS; a socket let go reads it and lsof at once', async () => {
    const host = new (class extends Host {
      socketReads = 0;
      sockets = '11434:900 1234:901';
      holding = new Map<number, Set<string>>([[900, new Set(['900', '77'])], [901, new Set(['901'])]]);
      listeningSockets = (): Promise<string | null> => {
        this.socketReads += 1;
        return Promise.resolve(this.sockets);
      };
      socketHeld = (pid: number, inode: string): Promise<boolean | null> => Promise.resolve(this.holding.has(pid) ? this.holding.get(pid)!.has(inode) : null);
    })();
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }, { pid: 901, command: 'lm-studio', port: 1234 }];
    const table = new ListenerTable(host);
    expect(await table.port(11434, NOW)).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
    expect(host.socketReads).toBe(1);
    // Inspections every 30 s, both owners holding their sockets: no /proc/net/tcp read, no lsof.
    for (let t = 30_000; t < SOCKETS_FULL_READ_MS; t += 30_000) {
      expect(await table.port(11434, NOW + t)).toEqual({ ok: true, value: { at: NOW, listeners: [{ pid: 900, command: 'ollama' }] } });
      expect((await table.port(1234, NOW + t)).ok).toBe(true);
    }
    expect(host.socketReads).toBe(1);
    expect(lsofRuns(host)).toHaveLength(1);
    // Asked about every port (discovery), the sockets are read: a new listener elsewhere counts there.
    await table.read(NOW + 290_000);
    expect(host.socketReads).toBe(2);
    // The owner of 11434 let its socket go (another process took the port): read and lsof at once.
    host.holding.set(900, new Set(['77']));
    host.sockets = '11434:950 1234:901';
    host.listening = [{ pid: 950, command: 'ollama', port: 11434 }, { pid: 901, command: 'lm-studio', port: 1234 }];
    expect(await table.port(11434, NOW + 320_000)).toEqual({ ok: true, value: { at: NOW + 320_000, listeners: [{ pid: 950, command: 'ollama' }] } });
    expect(host.socketReads).toBe(3);
    expect(lsofRuns(host)).toHaveLength(2);
    // An owner that cannot be read (another user's) is no proof: the sockets are read.
    host.holding.delete(950);
    await table.port(11434, NOW + 350_000);
    expect(host.socketReads).toBe(4);
    // Past SOCKETS_FULL_READ_MS since the last read, it is read again even while every socket is held.
    host.holding.set(950, new Set(['950']));
    await table.port(11434, NOW + 380_000);
    expect(host.socketReads).toBe(4);
    await table.port(11434, NOW + 350_000 + SOCKETS_FULL_READ_MS);
    expect(host.socketReads).toBe(5);
    expect(lsofRuns(host)).toHaveLength(2);
  });

  it('does not stand on a failed read even while the sockets are unchanged', async () => {
    const host = new (class extends Host {
      listeningSockets = (): Promise<string | null> => Promise.resolve('11434:900');
    })();
    host.crash = true;
    const table = new ListenerTable(host);
    expect((await table.read(NOW)).ok).toBe(false);
    host.crash = false;
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }];
    expect(await table.port(11434, NOW + 30_000)).toEqual({ ok: true, value: { at: NOW + 30_000, listeners: [{ pid: 900, command: 'ollama' }] } });
    expect(lsofRuns(host)).toHaveLength(2);
  });

  it('refuses a port that is not a TCP port without running anything', async () => {
    const host = new Host();
    expect(await new ListenerTable(host).port(0, NOW)).toEqual({ ok: false, reason: 'port 0 is not a TCP port (1–65535)' });
    expect(host.ran).toEqual([]);
  });
});

function row(pid: number, command: string): ProcessRow {
  return { pid, ppid: 1, uid: 501, rssBytes: 100e6, cpuPercent: 0, cpuSeconds: 1, elapsedSeconds: 600, startedAt: NOW - 600_000, name: command, command, zombie: false };
}

const SERVICES = 40;
const services: ServiceConfig[] = Array.from({ length: SERVICES }, (_, i) => ({ name: `svc-${i}`, port: 20_000 + i }));
const listening = services.map((s, i) => ({ pid: 5_000 + i, command: `server-${i}`, port: s.port as number }));

async function cycle(monitor: ServiceMonitor, at: number, rows: ProcessRow[]) {
  const table: ProcessTable = { at, rows };
  await monitor.poll(at, table);
  await monitor.idle();
  return monitor.views(at, table);
}

describe('the service monitor reads the listeners once per round', () => {
  it(`inspects ${SERVICES} local services and discovers on the default ports with one lsof between them`, async () => {
    const ollama = async (request: HttpRequest): Promise<HttpResult> => {
      const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 2, timedOut: false, error: null, headers: {}, bodyTruncated: false };
      return request.url === 'http://127.0.0.1:11434/' ? { ...base, status: 200, body: 'Ollama is running' } : { ...base, status: 404, body: '' };
    };
    const host = new Host(ollama);
    host.listening = [...listening, { pid: 900, command: 'ollama', port: 11434 }];
    const rows = [...listening.map((l) => row(l.pid, l.command)), row(900, 'ollama')];
    const monitor = new ServiceMonitor(host, { concurrency: 8 });
    monitor.configure(services, { discovery: true, platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });

    const first = await cycle(monitor, NOW, rows);
    expect(lsofRuns(host)).toEqual([lsofTcpListenersArgv()]);
    const configured = first.filter((v) => v.source === 'config');
    expect(configured.map((v) => [v.name, v.state, v.process?.pid])).toEqual(services.map((s, i) => [s.name, 'running', 5_000 + i]));
    expect(configured.every((v) => v.stateReason.startsWith(`PID ${v.process?.pid} serves port ${v.port}`))).toBe(true);

    // Discovery found Ollama; its first inspection, a second later, is answered by the same read.
    const second = await cycle(monitor, NOW + 1_000, rows);
    expect(second.find((v) => v.name === 'ollama')).toMatchObject({ source: 'discovered', state: 'running', process: { pid: 900 } });
    expect(lsofRuns(host)).toHaveLength(1);
  });

  it('a listener in a shared read that is gone from a later process table has exited: not shown running', async () => {
    const ollama = async (request: HttpRequest): Promise<HttpResult> => {
      const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 2, timedOut: false, error: null, headers: {}, bodyTruncated: false };
      return request.url === 'http://127.0.0.1:11434/' ? { ...base, status: 200, body: 'Ollama is running' } : { ...base, status: 404, body: '' };
    };
    const host = new Host(ollama);
    host.listening = [{ pid: 900, command: 'ollama', port: 11434 }];
    const monitor = new ServiceMonitor(host);
    monitor.configure([], { discovery: true, platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });
    await cycle(monitor, NOW, [row(900, 'ollama')]);
    // Ollama quit between the read at NOW and the table a second later, which the read still answers for.
    const [view] = await cycle(monitor, NOW + 1_000, []);
    expect(lsofRuns(host)).toHaveLength(1);
    expect(view).toMatchObject({ name: 'ollama', state: 'missing', process: null });
  });

  it('rechecks after failed probes with a fresh read, one for all of them; a failed read is every service\'s reason', async () => {
    let up = true;
    const http = async (request: HttpRequest): Promise<HttpResult> => {
      const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 2, timedOut: false, headers: {}, bodyTruncated: false, body: '' };
      return up ? { ...base, status: 200, error: null } : { ...base, status: null, error: 'connection refused' };
    };
    const host = new Host(http);
    host.listening = listening;
    const probed = services.map((s) => ({ ...s, url: `http://127.0.0.1:${s.port}/health`, intervalSeconds: 5 }));
    const monitor = new ServiceMonitor(host);
    monitor.configure(probed, { discovery: false, platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });
    const rows = listening.map((l) => row(l.pid, l.command));
    await cycle(monitor, NOW, rows);
    expect(lsofRuns(host)).toHaveLength(1);

    // Every server went away: their pids left the process table, so this very cycle re-inspects
    // all of them at once, with one fresh read; the failed probes ask for nothing more after it.
    up = false;
    host.listening = [];
    const after = await cycle(monitor, NOW + 15_000, []);
    expect(lsofRuns(host)).toHaveLength(2);
    expect(after.map((v) => v.state)).toEqual(Array(SERVICES).fill('missing'));
    await cycle(monitor, NOW + 16_000, []);
    expect(lsofRuns(host)).toHaveLength(2);

    // lsof crashes at the next round (an action asked for a recheck of one service, which also
    // drops the shared read): every service says so, with the same reason, from one run.
    host.crash = true;
    for (const s of services) monitor.recheck(s.name);
    const broken = await cycle(monitor, NOW + 17_000, []);
    expect(lsofRuns(host)).toHaveLength(3);
    expect(broken.map((v) => v.state)).toEqual(Array(SERVICES).fill('unknown'));
    expect(monitor.unknowns().filter((u) => /: port \d+$/.test(u.part))).toEqual(
      services.map((s) => ({ part: `service ${s.name}: port ${s.port}`, reason: 'lsof -iTCP -sTCP:LISTEN: killed by SIGSEGV' })),
    );
  });

  it('a recheck after an action reads the listeners again, even within the window', async () => {
    const host = new Host();
    host.listening = [listening[0]!];
    const monitor = new ServiceMonitor(host);
    monitor.configure([services[0]!], { discovery: false, platform: 'darwin', uid: 501, thresholds: DEFAULT_THRESHOLDS });
    expect((await cycle(monitor, NOW, [row(5_000, 'server-0')]))[0]?.state).toBe('running');
    // The action stopped it; the table read after it shows it gone.
    host.listening = [];
    monitor.recheck('svc-0');
    const [view] = await cycle(monitor, NOW + 500, []);
    expect(lsofRuns(host)).toHaveLength(2);
    expect(view?.state).toBe('missing');
  });
});
