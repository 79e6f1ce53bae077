/**
 * The cathedral's corner of the 2026-05-10 incident as a scripted edge: sanctum-mlx (PID 4242,
 * PPID 1) serves port 1337, launchd has no job com.sanctum.mlx, the canonical plist is gone and
 * its backups sit beside it. `world` can be changed by the test (or by ScriptedEffects) to play
 * the re-adoption: the orphan exits, bootstrap loads the job, launchd starts a new pid.
 */
import type { Clock } from '../../src/platform/clock.js';
import type { HttpRequest, HttpResult } from '../../src/platform/facts.js';
import { describeArgv } from '../../src/platform/facts.js';
import {
  ScriptedEffects,
  ScriptedFacts,
  fail,
  launchctlDomain,
  launchctlNoSuchService,
  launchctlPrintRunning,
  isTcpListenersArgv,
  lsofListener,
  ok,
  plistXml,
  psOutput,
  type PsRow,
} from './scripted-facts.js';

export const HOME = '/Users/bert';
export const UID = 501;
export const LABEL = 'com.sanctum.mlx';
export const AGENTS = `${HOME}/Library/LaunchAgents`;
export const PLIST = `${AGENTS}/${LABEL}.plist`;
export const ORPHAN_PID = 4242;
export const NEW_PID = 5151;
export const NOW = Date.UTC(2026, 4, 10, 14, 30, 0);
/** The orphan started at 03:25 (an 11-hour uptime at 14:30). */
export const ORPHAN_STARTED = Date.UTC(2026, 4, 10, 3, 25, 0);

export const CATHEDRAL_ARGS = [
  `${HOME}/sanctum/.venv/bin/sanctum-mlx`,
  '--host',
  '127.0.0.1',
  '--port',
  '1337',
  '--model',
  'mlx-community/Qwen3-VL-32B-Instruct-8bit',
];
export const CATHEDRAL_COMMAND = CATHEDRAL_ARGS.join(' ');

const day = (d: number, h: number, m: number, s: number) => Date.UTC(2026, 4, d, h, m, s);

/** Newest first by mtime; two match the running command line, the newest of them is the answer. */
export const BACKUPS = [
  // The newest backup is an experiment: one flag more, so it must not match.
  { name: `${LABEL}.plist.experiment-20260508-101500`, mtime: day(8, 10, 15, 0), args: [...CATHEDRAL_ARGS, '--trust-remote-code'] },
  { name: `${LABEL}.plist.pre-disable-compile-20260507-030615`, mtime: day(7, 3, 6, 15), args: CATHEDRAL_ARGS },
  { name: `${LABEL}.plist.pre-multimodal-20260503-135006`, mtime: day(3, 13, 50, 6), args: [...CATHEDRAL_ARGS.slice(0, 6), 'mlx-community/Qwen3-32B-8bit'] },
  // Byte for byte: a trailing space in the last argument is a different command line.
  { name: `${LABEL}.plist.pre-metalcaps-20260424-184209`, mtime: Date.UTC(2026, 3, 24, 18, 42, 9), args: [...CATHEDRAL_ARGS.slice(0, 6), `${CATHEDRAL_ARGS[6]} `] },
  { name: `${LABEL}.plist.orig-20260301-090000`, mtime: Date.UTC(2026, 2, 1, 9, 0, 0), args: CATHEDRAL_ARGS },
];
export const MATCHING_BACKUP = `${AGENTS}/${LABEL}.plist.pre-disable-compile-20260507-030615`;

export interface IncidentWorld {
  /** The orphan is in the process table and on the port. */
  orphanAlive: boolean;
  /** launchd holds the job (after bootstrap), running `jobPid`. */
  loaded: boolean;
  jobPid: number | null;
  /** Bootstrap answers 5 (EIO) this many more times before it succeeds. */
  bootstrapEio: number;
  /** The plist launchd loaded with bootstrap, once it did. */
  bootstrapped: string | null;
  /** Another launchd job that claims a pid (for the "owned elsewhere" case). */
  otherJob: { label: string; pid: number } | null;
}

export interface IncidentHost {
  facts: ScriptedFacts;
  effects: ScriptedEffects;
  world: IncidentWorld;
}

export function incidentHost(clock: Clock, options: { port?: number; http?: (request: HttpRequest) => Promise<HttpResult> } = {}): IncidentHost {
  const port = options.port ?? 1337;
  const facts = new ScriptedFacts(options.http ?? null);
  const effects = new ScriptedEffects(facts);
  const world: IncidentWorld = { orphanAlive: true, loaded: false, jobPid: null, bootstrapEio: 0, bootstrapped: null, otherJob: null };

  facts.dirs.add(AGENTS);
  facts.files.set(`${AGENTS}/${LABEL}.weekly-restart.plist`, { content: plistXml(`${LABEL}.weekly-restart`, ['/bin/bash', `${HOME}/sanctum/bin/weekly-restart.sh`]), mtimeMs: day(1, 9, 0, 0) });
  for (const backup of BACKUPS) facts.files.set(`${AGENTS}/${backup.name}`, { content: plistXml(LABEL, backup.args), mtimeMs: backup.mtime });

  const rows = (): PsRow[] => {
    const list: PsRow[] = [
      { pid: 1, ppid: 0, uid: 0, startedAt: NOW - 9 * 86_400_000, command: '/sbin/launchd' },
      { pid: 611, ppid: 1, uid: UID, startedAt: NOW - 9 * 86_400_000, command: '/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder' },
    ];
    // PPID 1, like every process launchd started, and like every orphan: it proves nothing.
    if (world.orphanAlive) list.push({ pid: ORPHAN_PID, ppid: 1, uid: UID, startedAt: ORPHAN_STARTED, command: CATHEDRAL_COMMAND, rssKib: 48_000_000 });
    if (world.jobPid !== null) list.push({ pid: world.jobPid, ppid: 1, uid: UID, startedAt: NOW, command: CATHEDRAL_COMMAND });
    return list;
  };

  facts.on((argv) => (argv[0] === 'ps' ? ok(argv, psOutput(rows(), clock.now())) : null));
  facts.on((argv) => {
    if (argv[0] !== 'launchctl' || argv[1] !== 'print') return null;
    if (argv[2] === `gui/${UID}/${LABEL}`) {
      if (!world.loaded) return fail(argv, 113, launchctlNoSuchService(LABEL, UID));
      return ok(argv, launchctlPrintRunning(UID, LABEL, world.bootstrapped ?? PLIST, CATHEDRAL_ARGS, world.jobPid ?? 0));
    }
    if (argv[2] === `gui/${UID}`) {
      const services = [
        { pid: 611, status: '0', label: 'com.apple.Finder' },
        { pid: null, status: '5', label: `${LABEL}.weekly-restart` },
        ...(world.loaded ? [{ pid: world.jobPid, status: '0', label: LABEL }] : []),
        ...(world.otherJob ? [{ pid: world.otherJob.pid, status: '0', label: world.otherJob.label }] : []),
      ];
      return ok(argv, launchctlDomain(UID, services));
    }
    return null;
  });
  facts.on((argv) => {
    // Every TCP listener (the monitor) or this port's (an action waiting for it to free).
    if (argv[0] !== 'lsof' || !(isTcpListenersArgv(argv) || argv.includes(`-iTCP:${port}`))) return null;
    if (world.orphanAlive) return ok(argv, lsofListener(ORPHAN_PID, 'sanctum-mlx', port));
    if (world.jobPid !== null) return ok(argv, lsofListener(world.jobPid, 'sanctum-mlx', port));
    // lsof: nothing matched → exit 1, no output (§9.1).
    return fail(argv, 1, '');
  });
  facts.on((argv) => {
    if (argv[0] !== 'plutil' || argv[1] !== '-lint' || !argv[2]) return null;
    const path = argv[2];
    // §7: "<path>: OK" on stdout, exit 0.
    return facts.files.has(path) ? ok(argv, `${path}: OK\n`) : fail(argv, 1, `${path}: file does not exist or is not readable or is not a regular file\n`);
  });

  effects.onSignal = (pid, signal) => {
    if (pid === ORPHAN_PID && world.orphanAlive && (signal === 'SIGTERM' || signal === 'SIGKILL')) {
      world.orphanAlive = false;
      return { ok: true };
    }
    return { ok: false, reason: 'ESRCH: no such process' };
  };
  effects.onRun = (argv) => {
    if (argv[0] === 'launchctl' && argv[1] === 'bootstrap' && argv[2] === `gui/${UID}` && argv[3]) {
      if (world.bootstrapEio > 0) {
        world.bootstrapEio -= 1;
        return fail(argv, 5, 'Bootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n');
      }
      if (!facts.files.has(argv[3])) return fail(argv, 5, 'Bootstrap failed: 5: Input/output error\n');
      world.loaded = true;
      world.bootstrapped = argv[3];
      world.jobPid = NEW_PID;
      return ok(argv, '');
    }
    return fail(argv, 64, `Unrecognized target specifier. (${describeArgv(argv)})\n`);
  };
  return { facts, effects, world };
}
