/**
 * Stand-ins for the commands Warden runs (ps, vm_stat, sysctl, top, launchctl, lsof, plutil):
 * real /bin/sh scripts written to a temp folder at test time, each answering in the real macOS
 * format or misbehaving on purpose: hanging with SIGTERM ignored, hanging behind a grandchild
 * that keeps the pipes open, dying of SIGSEGV, printing random bytes or half a table.
 *
 * StandInFacts maps argv[0] to the stand-in of that name and runs it through the production
 * LiveFacts (the runner: deadline, SIGTERM, SIGKILL, output cap). This is the thinner edge than
 * putting the folder first on PATH: the runner builds its environment once at module load, so
 * PATH would mean resetting the module graph and changing process.env for every test sharing
 * the worker, while a mapping here is per engine and lets faults run side by side. Results
 * carry the argv Warden asked for, so reasons name `ps`, not the temp path. A command with no
 * stand-in is refused rather than run, so the host's own (Linux) sysctl or ps never answers
 * for the simulated Mac. The CLI test puts the folder on PATH instead: a fresh process reads
 * it at start.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LiveFacts } from '../../src/platform/live.js';
import { commandNotRun, type CommandResult, type RunOptions } from '../../src/platform/facts.js';
import { DelegatingFacts } from './delegating-facts.js';
import { seededRandom } from './seeded-random.js';

export type Behaviour =
  /** Prints `answer` and exits 0 (or the given exit code). */
  | 'answer'
  /** Ignores SIGTERM and sleeps: only the runner's SIGKILL ends it. */
  | 'hang'
  /** Leaves a sleeping grandchild holding stdout and stderr, then hangs: even SIGKILL of the command leaves the pipes open. */
  | 'hang-grandchild'
  /** Kills itself with SIGSEGV, as a crashing binary does. */
  | 'crash'
  /** 4 KiB of random bytes (seeded), exit 0. */
  | 'garbage'
  /** The first part of `answer`, cut inside a line, exit 0. */
  | 'half';

export interface StandIn {
  behaviour: Behaviour;
  /** What the command prints when it answers (also the source of `half`). */
  answer?: string;
  exitCode?: number;
  /** Where `half` cuts `answer`; default: in the middle. */
  cutAt?: number;
}

const GARBAGE_BYTES = 4096;

/** Seeded, so "random bytes" are the same bytes on every run. */
export function seededBytes(length: number, seed = 0x5eed): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

export class StandInBin {
  readonly dir: string;
  private readonly pidsFile: string;
  private readonly strayFile: string;

  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'warden-standins-'));
    this.pidsFile = path.join(this.dir, 'pids');
    this.strayFile = path.join(this.dir, 'grandchildren');
    writeFileSync(this.pidsFile, '');
    writeFileSync(this.strayFile, '');
  }

  /** Writes (or rewrites) the stand-in for `name`; a running engine sees the new one at its next call. */
  set(name: string, standIn: StandIn): this {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`stand-in name ${name} is not a plain command name`);
    const data = path.join(this.dir, `${name}.data`);
    const body: string[] = ['#!/bin/sh', `echo $$ >> ${this.pidsFile}`];
    switch (standIn.behaviour) {
      case 'answer':
        writeFileSync(data, standIn.answer ?? '');
        body.push(`cat ${data}`, `exit ${standIn.exitCode ?? 0}`);
        break;
      case 'half': {
        const text = Buffer.from(standIn.answer ?? '');
        writeFileSync(data, text.subarray(0, standIn.cutAt ?? Math.floor(text.length / 2)));
        body.push(`exec cat ${data}`);
        break;
      }
      case 'garbage':
        writeFileSync(data, seededBytes(GARBAGE_BYTES));
        body.push(`exec cat ${data}`);
        break;
      case 'crash':
        body.push('kill -SEGV $$', 'exit 0');
        break;
      case 'hang':
        // An ignored signal stays ignored across exec: sleep itself shrugs off SIGTERM.
        body.push("trap '' TERM", 'exec sleep 3600');
        break;
      case 'hang-grandchild':
        body.push("trap '' TERM", 'sleep 3600 &', `echo $! >> ${this.strayFile}`, 'exec sleep 3600');
        break;
    }
    const file = path.join(this.dir, name);
    writeFileSync(file, `${body.join('\n')}\n`);
    chmodSync(file, 0o755);
    return this;
  }

  has(name: string): boolean {
    return /^[a-z_]+$/.test(name) && existsSync(path.join(this.dir, name));
  }

  /** Every stand-in command that ran, in order. */
  pids(): number[] {
    return readPids(this.pidsFile);
  }

  /** Stand-in commands still alive (a zombie not yet reaped counts as gone). */
  alive(): number[] {
    return this.pids().filter((pid) => isRunning(pid));
  }

  /**
   * SIGKILLs what is left. `commands` are stand-ins the runner should have ended; `grandchildren`
   * are the sleepers 'hang-grandchild' left behind, which the runner cannot know of (it kills
   * the command it started, not a process group).
   */
  killLeftovers(): { commands: number[]; grandchildren: number[] } {
    const commands = this.alive();
    const grandchildren = readPids(this.strayFile).filter((pid) => isRunning(pid));
    for (const pid of [...commands, ...grandchildren]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    return { commands, grandchildren };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readPids(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number);
}

/** Alive and not a zombie: a killed child its parent has not reaped yet is gone for our purposes. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** LiveFacts, with every command answered by its stand-in and nothing else run. */
export class StandInFacts extends DelegatingFacts {
  readonly ran: string[][] = [];

  constructor(private readonly bin: StandInBin) {
    super(new LiveFacts());
  }

  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.ran.push([...argv]);
    const [name, ...args] = argv;
    if (!name || !this.bin.has(name)) return commandNotRun(argv, `ENOENT: no stand-in for ${name ?? '(empty)'}`);
    const result = await this.inner.run([path.join(this.bin.dir, name), ...args], options);
    return { ...result, argv: [...argv] };
  }
}
