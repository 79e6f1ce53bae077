import { plainText } from '../common/text.js';

/** Log lines about refusals per minute; past it one line counts the rest, so a flood cannot fill the log. */
const LOG_LINES_PER_MINUTE = 30;

/**
 * Passes lines through, at most LOG_LINES_PER_MINUTE a minute, each as plain text (a path or a
 * header from a client is the client's text); the first line after a quiet minute counts what was left out.
 */
export function limitedLog(write: (line: string) => void, now: () => number): (line: string) => void {
  let windowStart = -Infinity;
  let lines = 0;
  let left = 0;
  return (line) => {
    const t = now();
    if (t - windowStart >= 60_000) {
      if (left > 0) write(`${left} more serve log ${left === 1 ? 'line' : 'lines'} left out in the last minute`);
      windowStart = t;
      lines = 0;
      left = 0;
    }
    if (lines >= LOG_LINES_PER_MINUTE) {
      left += 1;
      return;
    }
    lines += 1;
    write(plainText(line, 300));
  };
}
