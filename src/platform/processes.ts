import type { ProcessTable } from '../common/processes.js';
import { errorText, known, unknownPart, type Part } from '../common/result.js';
import { commandProblem, type CommandResult, type Facts } from './facts.js';
import { PS_ARGV, parsePs } from './ps.js';
import { parseBootTime, parseProcEntry } from './linux/proc-stat.js';

export const PS_TIMEOUT_MS = 4_000;
/**
 * Electron and Chromium helpers carry command lines of several KiB each; 5,000 of them can pass
 * the runner's default 8 MiB cap, and a truncated table is worse than none.
 */
export const PS_MAX_BYTES = 32 * 1024 * 1024;

export async function readProcessTable(facts: Facts, at: number): Promise<Part<ProcessTable>> {
  if (facts.processSnapshot) return readFromProc(facts.processSnapshot.bind(facts), at);
  let result: CommandResult;
  try {
    result = await facts.run(PS_ARGV, { timeoutMs: PS_TIMEOUT_MS, maxBytes: PS_MAX_BYTES });
  } catch (error) {
    return unknownPart(errorText(error));
  }
  // ps exits 1 with no output when it matched nothing (adv_cmds: `if (nkept == 0) exit(1)`).
  if (result.exitCode === 1 && !result.error && !result.timedOut && result.stdout.trim() === '') {
    return unknownPart('ps printed nothing');
  }
  const problem = commandProblem(result);
  if (problem) return unknownPart(problem);
  const { rows, skipped } = parsePs(result.stdout, at);
  if (rows.length === 0) {
    return unknownPart(skipped > 0 ? `ps: none of ${skipped} lines had the expected columns` : 'ps printed nothing');
  }
  // ps ends every row with a newline: output that stops mid-line was cut, and the processes
  // after the cut are missing; a table that silently lacks them is worse than none.
  if (!result.stdout.endsWith('\n')) return unknownPart(`ps: the output stops mid-line after ${rows.length} rows (cut short)`);
  return known({ at, rows, skipped });
}

/** Linux, live: the same rows from /proc, with no process spawned; `skipped` counts entries that did not parse. */
async function readFromProc(snapshot: NonNullable<Facts['processSnapshot']>, at: number): Promise<Part<ProcessTable>> {
  let read: Awaited<ReturnType<typeof snapshot>>;
  try {
    read = await snapshot(PS_TIMEOUT_MS);
  } catch (error) {
    return unknownPart(`/proc: ${errorText(error)}`);
  }
  if (read.timedOut) return unknownPart(`/proc: the walk passed its ${PS_TIMEOUT_MS / 1000} s deadline after ${read.entries.length} processes`);
  const bootTimeMs = parseBootTime(read.procStat);
  if (bootTimeMs === null) return unknownPart('/proc/stat has no btime line');
  const rows: ProcessTable['rows'] = [];
  let skipped = 0;
  const clock = { bootTimeMs, ticksPerSecond: read.ticksPerSecond, pageSizeBytes: read.pageSizeBytes };
  for (const entry of read.entries) {
    const row = parseProcEntry(entry, at, clock);
    if (row) rows.push(row);
    else skipped += 1;
  }
  if (rows.length === 0) return unknownPart(skipped > 0 ? `/proc: none of ${skipped} processes read as expected` : '/proc lists no processes');
  return known({ at, rows, skipped });
}
