import { errorText, known, unknownPart, type Part } from '../../common/result.js';
import { commandProblem, type CommandResult, type Facts } from '../facts.js';

/*
 * Physical footprint (what Activity Monitor calls Memory) of the top few processes by it.
 *
 * Source: `top`'s MEM column is the process's phys_footprint — top(1) and footprint(1), as cited
 * in elastic/integrations#20924 — and one `top -l 1` covers every process in about a second,
 * where `footprint -p` costs that per process and libproc's proc_pid_rusage needs an entitlement
 * (EPERM for other users' processes). `-o mem -n N` sorts by MEM before cutting to N rows:
 * without the sort, `-n` keeps the first N by pid and the big ones go missing. `-F` skips the
 * shared-library statistics, which Warden does not read.
 *
 * Output format, as captured on a real Mac in eneskirca/nodeterm#139 (980 rows): a banner of
 * varying height, a blank line, a `PID    MEM` header, then one row per process. MEM is
 * left-aligned in five characters, so values carry trailing spaces (`12M  `, `1314M`); units
 * `K` and `M` were observed, `G` is top's own next unit (its PhysMem line prints `23G`), and
 * values may end in `+` or `-` once top has a previous sample to compare against.
 */

/** top needs about a second for one sample of every process; the rest is headroom. */
export const FOOTPRINT_TIMEOUT_MS = 5_000;
export const FOOTPRINT_MAX_LIMIT = 200;

export function footprintArgv(limit: number): string[] {
  const n = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 1), FOOTPRINT_MAX_LIMIT) : 10;
  return ['top', '-l', '1', '-F', '-o', 'mem', '-n', String(n), '-stats', 'pid,mem'];
}

const HEADER = /^\s*PID\s+MEM\s*$/;
const ROW = /^\s*(\d+)\s+(\d+(?:\.\d+)?)([BKMGT])[+-]?\s*$/;
const UNIT: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** pid → footprint in bytes. Rows that are not `pid size` after the header are skipped, never guessed. */
export function parseTopFootprints(text: string): Map<number, number> {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => HEADER.test(line));
  if (header < 0) throw new Error('top: no "PID MEM" header');
  const out = new Map<number, number>();
  for (let i = header + 1; i < lines.length; i += 1) {
    const match = ROW.exec(lines[i] as string);
    if (!match) continue;
    const pid = Number(match[1]);
    const bytes = Math.round(Number(match[2]) * (UNIT[match[3] as string] as number));
    if (Number.isSafeInteger(pid) && Number.isSafeInteger(bytes)) out.set(pid, bytes);
  }
  return out;
}

export async function readFootprints(facts: Facts, limit: number): Promise<Part<Map<number, number>>> {
  let result: CommandResult;
  try {
    result = await facts.run(footprintArgv(limit), { timeoutMs: FOOTPRINT_TIMEOUT_MS });
  } catch (error) {
    return unknownPart(errorText(error));
  }
  const problem = commandProblem(result);
  if (problem) return unknownPart(problem);
  try {
    return known(parseTopFootprints(result.stdout));
  } catch (error) {
    return unknownPart(errorText(error));
  }
}
