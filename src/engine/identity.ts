/**
 * A process is its pid and its start time: pids are reused (macOS wraps at 99,999), start
 * times are not. Start times are derived from ps's whole-second etime at the sample time, so
 * the same process's start time jitters by a second or so between tables; more than this is
 * another process.
 */
export const SAME_PROCESS_TOLERANCE_MS = 2_000;

export function sameStart(a: number, b: number): boolean {
  return Math.abs(a - b) <= SAME_PROCESS_TOLERANCE_MS;
}
