import type { Part } from '../../common/result.js';
import { errorText } from '../../common/result.js';
import type { Facts } from '../facts.js';
import { commandProblem } from '../facts.js';

export interface PlistRead {
  exists: boolean;
  /** The top-level dictionary; null when the file is missing or malformed. */
  data: Record<string, unknown> | null;
  /** Why a file that exists could not be used ("Opening and ending tag mismatch … (line 12)"). */
  reason: string | null;
}

export interface PlistLint {
  /** Null when the lint could not run (no plutil, deadline). */
  ok: boolean | null;
  message: string;
}

export const PLUTIL_TIMEOUT_MS = 3_000;
const BINARY_MAGIC = 'bplist00';

// plutil reads any argument starting with '-' as an option; it is never given one.
function pathArg(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}

export function plutilLintArgv(path: string): string[] {
  return ['plutil', '-lint', pathArg(path)];
}

export function plutilToXmlArgv(path: string): string[] {
  return ['plutil', '-convert', 'xml1', '-o', '-', pathArg(path)];
}

interface XmlLocator {
  lineNumber?: number;
  columnNumber?: number;
}

/**
 * XML plist text → value, or the parser's message. xmldom (inside `plist`) reports every
 * problem on console.error before throwing, which would leak into the CLI's output; the parse
 * is synchronous, so console.error is muted for exactly its duration. `plist` (and xmldom under
 * it) is loaded the first time a plist is read: launchd hosts only, never at start-up.
 */
async function parseXml(text: string): Promise<{ value: unknown } | { reason: string }> {
  const { parse: parsePlistXml } = await import('plist');
  const consoleError = console.error;
  console.error = () => undefined;
  try {
    return { value: parsePlistXml(text) };
  } catch (error) {
    const where = (error as { locator?: XmlLocator }).locator;
    const line = where?.lineNumber ? ` (line ${where.lineNumber})` : '';
    return { reason: `${errorText(error).split('\n')[0]}${line}` };
  } finally {
    console.error = consoleError;
  }
}

function isDictionary(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

async function fromText(text: string): Promise<PlistRead> {
  const parsed = await parseXml(text);
  if ('reason' in parsed) return { exists: true, data: null, reason: parsed.reason };
  if (!isDictionary(parsed.value)) {
    const what = Array.isArray(parsed.value) ? 'an array' : typeof parsed.value;
    return { exists: true, data: null, reason: `the top level is ${what}, not a dictionary` };
  }
  return { exists: true, data: parsed.value, reason: null };
}

/**
 * A launchd plist: XML parsed here; a binary one (`bplist00`) converted by `plutil` first,
 * since file reads come back as text. Missing → exists false; malformed → data null with the
 * parser's message. Not ok only when the file could not be read at all.
 */
export async function readPlist(facts: Facts, path: string): Promise<Part<PlistRead>> {
  const file = await facts.readFile(path);
  if (!file.exists) return { ok: true, value: { exists: false, data: null, reason: null } };
  if (file.error !== null || file.content === null) return { ok: false, reason: `${path}: ${file.error ?? 'could not be read'}` };
  if (file.truncated) return { ok: true, value: { exists: true, data: null, reason: 'file larger than the read cap; not parsed' } };
  if (!file.content.startsWith(BINARY_MAGIC)) return { ok: true, value: await fromText(file.content) };
  const result = await facts.run(plutilToXmlArgv(path), { timeoutMs: PLUTIL_TIMEOUT_MS });
  const problem = commandProblem(result);
  if (problem) return { ok: false, reason: `${path} is a binary plist and could not be converted: ${problem}` };
  return { ok: true, value: await fromText(result.stdout) };
}

/** What launchd would run: ProgramArguments, else [Program]; null when neither is usable. */
export function programArgumentsOf(data: Record<string, unknown>): string[] | null {
  const args = data['ProgramArguments'];
  if (Array.isArray(args) && args.length > 0 && args.every((a) => typeof a === 'string')) return args as string[];
  const program = data['Program'];
  if (typeof program === 'string' && program !== '') return [program];
  return null;
}

/** `plutil -lint <path>`: "<path>: OK" and exit 0, or "<path>: <problem>" and exit 1. */
export async function lintPlist(facts: Facts, path: string): Promise<PlistLint> {
  const argv = plutilLintArgv(path);
  const result = await facts.run(argv, { timeoutMs: PLUTIL_TIMEOUT_MS });
  if (result.error?.startsWith('ENOENT')) return { ok: null, message: 'plutil not available on this system' };
  if (result.error || result.timedOut || result.truncated) return { ok: null, message: commandProblem(result) ?? 'plutil did not finish' };
  const said = `${result.stdout}\n${result.stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  const prefix = `${argv[2]}: `;
  const message = said.startsWith(prefix) ? said.slice(prefix.length) : said;
  if (result.exitCode === 0) return { ok: true, message: message || 'OK' };
  return { ok: false, message: message || (commandProblem(result) ?? `plutil -lint exit ${result.exitCode}`) };
}
