import { redactText } from '../common/redact.js';
import { plainText } from '../common/text.js';

/** Longest line of a message printed whole (config problems, capture errors). */
const MESSAGE_LINE_MAX = 1000;

/**
 * One line for the terminal from text Warden did not write itself (a log line, an error that
 * quotes a config key, a JSON.parse snippet of an untrusted capture): secrets hidden, escapes
 * and control characters gone, cut to a length.
 */
export function terminalLine(text: string, maxLength = MESSAGE_LINE_MAX): string {
  return plainText(redactText(text), maxLength);
}

/** The same for a message of several lines: each line on its own, the line breaks kept. */
export function terminalText(text: string, maxLength = MESSAGE_LINE_MAX): string {
  return text.split('\n').map((line) => terminalLine(line, maxLength)).join('\n');
}

/** A log sink for the long-running commands: "warden: LINE" on stderr. */
export function stderrLog(prefix: string): (line: string) => void {
  return (line) => process.stderr.write(`${prefix}: ${terminalLine(line)}\n`);
}
