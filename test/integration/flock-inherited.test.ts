/**
 * An flock outlives the process that took it: /proc/locks keeps that process's pid while the
 * descriptor (and the lock) lives on in a child. These tests make that happen for real: a
 * process takes flock(LOCK_EX), forks a `sleep` that inherits the descriptor, and exits. Where root may write ns_last_pid, an innocent process
 * is then given the taker's pid, as the kernel would sooner or later. Warden must name the
 * sleep (proven by its /proc/<pid>/fdinfo), never the pid in /proc/locks, and Release must
 * signal the sleep and leave the innocent process alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ProcessTable } from '../../src/common/processes.js';
import { ActionLog, ActionRunner } from '../../src/engine/actions/runner.js';
import { DEFAULT_THRESHOLDS } from '../../src/engine/defaults.js';
import { LockMonitor } from '../../src/engine/locks.js';
import { systemClock } from '../../src/platform/clock.js';
import { LiveEffects } from '../../src/platform/effects.js';
import { parseProcLocks, readLockHolders, splitLinuxDev } from '../../src/platform/linux/locks.js';
import { LiveFacts } from '../../src/platform/live.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { isAlive, waitForExit } from '../support/model-server.js';

const linux = process.platform === 'linux';
const facts = new LiveFacts();
const uid = process.getuid?.() ?? 0;
const PYTHON = '/usr/bin/python3';
const hasPython = linux && (() => {
  try {
    return statSync(PYTHON).isFile();
  } catch {
    return false;
  }
})();
const mayChoosePid = linux && uid === 0 && (() => {
  try {
    writeFileSync('/proc/sys/kernel/ns_last_pid', readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'warden flock '));
/** Pids these tests started (the sleeps outlive their bash); each is SIGKILLed by pid when its test ends. */
const started: number[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  // The holders first, while their subreaper is there to reap them.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Python as a child subreaper (so the orphan comes back to it and is reaped: this machine's
 * init reaps nothing): its child, the taker, opens `path`, takes flock(LOCK_EX), forks the
 * holder (`sleep 3600`, the descriptor inherited) and exits. Resolves with both pids once the
 * taker is gone.
 */
const INHERIT = `
import ctypes, fcntl, os, sys
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
r, w = os.pipe()
taker = os.fork()
if taker == 0:
    os.close(r)
    f = open(sys.argv[1], 'w')
    fcntl.flock(f, fcntl.LOCK_EX)
    os.set_inheritable(f.fileno(), True)
    holder = os.fork()
    if holder == 0:
        os.close(w)
        os.execv('/bin/sleep', ['sleep', '3600'])
    os.write(w, ('%d %d\\n' % (os.getpid(), holder)).encode())
    os._exit(0)
os.close(w)
line = os.fdopen(r).readline()
os.waitpid(taker, 0)
sys.stdout.write(line)
sys.stdout.flush()
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
`;

function inheritedFlock(path: string): Promise<{ taker: number; holder: number }> {
  const python = spawn(PYTHON, ['-c', INHERIT, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(python);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    python.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const [taker, holder] = out.trim().split(' ').map(Number);
      if (!out.includes('\n') || !taker || !holder) return;
      started.push(holder);
      resolve({ taker, holder });
    });
    python.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    python.on('error', reject);
    python.on('exit', (code) => reject(new Error(`python exited ${code} before the lock was handed on: ${out.trim()} ${err.trim()}`)));
  });
}

function procLocksRow(path: string) {
  const st = statSync(path);
  const { major, minor } = splitLinuxDev(st.dev);
  return parseProcLocks(readFileSync('/proc/locks', 'utf8')).filter((r) => r.inode === st.ino && r.major === major && r.minor === minor);
}

async function table(): Promise<ProcessTable> {
  const read = await readProcessTable(facts, Date.now());
  if (!read.ok) throw new Error(read.reason);
  return read.value;
}

/** Gives `pid` to a new `sleep` (the innocent), trying as other processes on the host fork too. */
function reusePid(pid: number): ChildProcess | null {
  for (let attempt = 0; attempt < 200; attempt++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const child = spawn('/bin/sleep', ['3601'], { stdio: 'ignore' });
    children.push(child);
    if (child.pid === pid) return child;
    child.kill('SIGKILL');
  }
  return null;
}

function monitorAndRunner(path: string) {
  const locks = new LockMonitor(facts, { everySeconds: 0 });
  locks.configure([{ path, maxHeldMinutes: 0 }], { platform: 'linux', uid, thresholds: DEFAULT_THRESHOLDS });
  const runner = new ActionRunner(
    { facts, effects: new LiveEffects(), clock: systemClock, uid, platform: 'linux', ownPid: process.pid, waits: { lockFreeSeconds: 5, pollMs: 100 } },
    new ActionLog(join(dir, 'actions.jsonl')),
  );
  return { locks, runner };
}

describe.runIf(hasPython)('an flock inherited by a child after its taker exited (real processes)', () => {
  it('names the child that holds it (from its fdinfo), not the dead taker /proc/locks names', async () => {
    const path = join(dir, 'inherited.lock');
    const { taker, holder } = await inheritedFlock(path);
    await waitForExit(taker);
    // The kernel's own view: the taker's pid, though it is gone.
    expect(procLocksRow(path).map((r) => [r.kind, r.pid])).toEqual([['FLOCK', taker]]);
    expect(isAlive(taker)).toBe(false);

    expect(await readLockHolders(facts, path)).toEqual({ ok: true, value: [{ pid: holder, kind: 'flock' }] });
  }, 30_000);

  // Writing ns_last_pid needs root (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE) on a kernel that allows it.
  it.runIf(mayChoosePid)(
    'once the taker’s pid is reused, the innocent process is neither named nor signalled; Release stops the real holder',
    { timeout: 60_000, retry: 2 },
    async () => {
      const path = join(dir, 'reused.lock');
      const { taker, holder } = await inheritedFlock(path);
      await waitForExit(taker);
      const innocent = reusePid(taker);
      expect(innocent, `no process got PID ${taker} back in 200 tries`).not.toBeNull();
      expect(procLocksRow(path).map((r) => r.pid)).toEqual([taker]);

      const { locks, runner } = monitorAndRunner(path);
      // Held past its limit of zero minutes once a whole second has passed.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await locks.poll(Date.now());
      await locks.idle();
      const [view] = locks.views(Date.now(), await table());
      expect(view?.holders.map((h) => [h.pid, h.kind, h.command])).toEqual([[holder, 'flock', 'sleep 3600']]);
      expect(view?.actions.map((a) => a.id)).toEqual([`release:${path}`]);
      expect(view?.actions[0]?.confirm).toMatch(new RegExp(`^Send SIGTERM to PID ${holder} \\(sleep 3600,`));

      const result = await runner.run(`release:${path}`, view!.actions, { lock: (p) => locks.target(p) });
      expect(result.steps[0]).toMatch(new RegExp(`sent SIGTERM to PID ${holder} \\(sleep\\)$`));
      expect(result.ok).toBe(true);
      await waitForExit(holder);
      expect(isAlive(taker), 'the innocent process at the reused pid is untouched').toBe(true);
      expect(procLocksRow(path)).toEqual([]);
    },
  );
});
