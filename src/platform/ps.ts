import type { ProcessRow } from '../common/processes.js';
import { baseName } from '../common/text.js';
import { parseCpuTime, parseEtime } from './etime.js';

/**
 * One ps for the whole table, the same argv on darwin (adv_cmds) and linux (procps-ng):
 * `=` blanks every header, so there is no header line to find; `command=` is last and `-ww`
 * set, so it is printed in full, never cut to the terminal width or 16 characters.
 */
export const PS_ARGV: readonly string[] = ['ps', '-A', '-ww', '-o', 'pid=,ppid=,uid=,rss=,%cpu=,time=,etime=,command='];

const FIXED_FIELDS = 7;
const DEFUNCT = '<defunct>';
const DEFUNCT_SUFFIX = ` ${DEFUNCT}`;
const BUNDLE_MARK = '.app/Contents/MacOS/';
const SPACE = 0x20;
const TAB = 0x09;
const SLASH = 0x2f;
const DASH = 0x2d;
const DIGITS = /^\d+$/;
/** Apple's ps prints the uid with %d, so `nobody` (4294967294) is `-2`: a uid, not a bad line. */
const UID = /^-?\d+$/;
const PERCENT = /^\d+(?:\.\d+)?$/;

/**
 * One pass over the text, no per-line regex on the command: seven blank-separated fields, one
 * separator, then the command verbatim (spaces and all; it is data, never interpreted).
 * A line that does not fit is counted in `skipped`, so a format change shows up as a number.
 */
export function parsePs(text: string, at: number): { rows: ProcessRow[]; skipped: number } {
  const rows: ProcessRow[] = [];
  let skipped = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (isBlankLine(line)) continue;
    const row = parseLine(line, at);
    if (row) rows.push(row);
    else skipped += 1;
  }
  return { rows, skipped };
}

function parseLine(line: string, at: number): ProcessRow | null {
  const fields: string[] = [];
  let i = 0;
  while (fields.length < FIXED_FIELDS) {
    while (i < line.length && isBlank(line.charCodeAt(i))) i += 1;
    const from = i;
    while (i < line.length && !isBlank(line.charCodeAt(i))) i += 1;
    if (from === i) return null;
    fields.push(line.slice(from, i));
  }
  const [pidText, ppidText, uidText, rssText, cpuText, timeText, etimeText] = fields as [string, string, string, string, string, string, string];
  const command = i < line.length ? line.slice(i + 1) : '';
  if (!DIGITS.test(pidText) || !DIGITS.test(ppidText) || !UID.test(uidText) || !DIGITS.test(rssText)) return null;
  if (!PERCENT.test(cpuText)) return null;
  const pid = Number(pidText);
  const ppid = Number(ppidText);
  const uid = Number(uidText);
  const rssKib = Number(rssText);
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(ppid) || !Number.isSafeInteger(uid) || !Number.isSafeInteger(rssKib * 1024)) return null;
  let elapsedSeconds: number;
  let cpuSeconds: number | null;
  try {
    elapsedSeconds = parseEtime(etimeText);
    cpuSeconds = timeText === '-' ? null : parseCpuTime(timeText);
  } catch {
    return null;
  }
  return {
    pid,
    ppid,
    uid,
    rssBytes: rssKib * 1024,
    cpuPercent: Number(cpuText),
    cpuSeconds,
    elapsedSeconds,
    startedAt: at - elapsedSeconds * 1000,
    name: nameFromCommand(command),
    command,
    // darwin prints a zombie's command as `<defunct>`; procps as `[name] <defunct>`.
    zombie: command === DEFUNCT || command.endsWith(DEFUNCT_SUFFIX),
  };
}

/**
 * The executable's name for people: basename of argv[0]. ps joins argv with single spaces, so
 * where argv[0] ends is a guess; app bundles get a better guess because their paths are full of
 * spaces: for `….app/Contents/MacOS/<name> --flag` the name runs to the next argument, which
 * starts with ` -x` or ` /`. `[kworker/0:1]` (linux kernel thread) and `(name)` (darwin, when
 * the arguments could not be read) are unwrapped; a login shell's `-zsh` is `zsh`.
 */
export function nameFromCommand(command: string): string {
  let text = command.trim();
  if (text.endsWith(DEFUNCT_SUFFIX)) text = text.slice(0, -DEFUNCT_SUFFIX.length).trimEnd();
  if (text === '') return '?';
  const first = text[0];
  const last = text[text.length - 1];
  if ((first === '[' && last === ']') || (first === '(' && last === ')')) {
    return text.slice(1, -1).trim() || '?';
  }
  const bundle = text.indexOf(BUNDLE_MARK);
  // Only when the marker sits inside argv[0]: `open /Applications/X.app/Contents/MacOS/X` is `open`.
  if (bundle >= 0 && nextArgument(text, 0) > bundle) {
    const from = bundle + BUNDLE_MARK.length;
    return text.slice(from, nextArgument(text, from)).trim() || '?';
  }
  const space = text.indexOf(' ');
  const argv0 = space === -1 ? text : text.slice(0, space);
  let base = baseName(argv0);
  if (base.length > 1 && base.startsWith('-')) base = base.slice(1);
  // Processes that retitle themselves print `sshd: user@pts/0`, `postgres: checkpointer`.
  if (base.length > 1 && base.endsWith(':')) base = base.slice(0, -1);
  return base || '?';
}

/** Index of the space before the next argument (` -x` or ` /`), or the end of the text. */
function nextArgument(text: string, from: number): number {
  for (let i = text.indexOf(' ', from); i !== -1; i = text.indexOf(' ', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === SLASH) return i;
    // ` - ` is part of a name ("Foo - Bar.app"); ` -x` starts an option.
    if (next === DASH && i + 2 < text.length && !isBlank(text.charCodeAt(i + 2))) return i;
  }
  return text.length;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isBlankLine(line: string): boolean {
  for (let i = 0; i < line.length; i += 1) if (!isBlank(line.charCodeAt(i)) && line.charCodeAt(i) !== 0x0d) return false;
  return true;
}
