import type { BackupMatch, OrphanEvidence, ProcessRef } from '../../common/services.js';
import type { Facts } from '../../platform/facts.js';
import { programArgumentsOf, readPlist } from '../../platform/darwin/plist.js';
import { plural } from '../../common/format.js';
import { baseName } from '../../common/text.js';

export { baseName };

/** Backups read per orphan; a folder with more is a folder of experiments, newest first wins. */
const MAX_BACKUPS = 40;

function splitPath(path: string): { dir: string; base: string } | null {
  const slash = path.lastIndexOf('/');
  if (slash < 0 || slash === path.length - 1) return null;
  return { dir: slash === 0 ? '/' : path.slice(0, slash), base: path.slice(slash + 1) };
}

function inDir(dir: string, entry: string): string {
  return dir.endsWith('/') ? `${dir}${entry}` : `${dir}/${entry}`;
}

/**
 * What launchd would run from this plist, joined the way `ps -ww -o command` joins argv (single
 * spaces), or null when the plist cannot be read or names no program.
 */
async function commandLineOf(facts: Facts, path: string): Promise<string | null> {
  const read = await readPlist(facts, path);
  if (!read.ok || !read.value.data) return null;
  const argv = programArgumentsOf(read.value.data);
  return argv ? argv.join(' ') : null;
}

/**
 * The evidence for an orphan: the process, whether the job's canonical plist exists, and the
 * backups beside it (`<label>.plist.*`), each compared byte for byte with the running command
 * line. Newest matching first. When the canonical plist itself matches, it is the one to use.
 */
export async function gatherOrphanEvidence(facts: Facts, process: ProcessRef, canonicalPath: string | null, why: string): Promise<OrphanEvidence> {
  const evidence: OrphanEvidence = { process, canonicalPath, canonicalExists: null, backups: [], matchingBackup: null, why };
  if (!canonicalPath) return evidence;
  const parts = splitPath(canonicalPath);
  const canonical = await facts.stat(canonicalPath);
  evidence.canonicalExists = canonical.error ? null : canonical.exists;
  if (!parts) return evidence;

  const listing = await facts.listDir(parts.dir);
  const prefix = `${parts.base}.`;
  const names = (listing.entries ?? []).filter((name) => name.startsWith(prefix) && name.length > prefix.length);
  const stats = await Promise.all(names.map(async (name) => ({ name, st: await facts.stat(inDir(parts.dir, name)) })));
  const files = stats
    .filter(({ st }) => st.exists && st.isFile)
    .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
    .slice(0, MAX_BACKUPS);

  const backups: BackupMatch[] = [];
  for (const { name, st } of files) {
    const path = inDir(parts.dir, name);
    const line = await commandLineOf(facts, path);
    backups.push({ path, matches: line !== null && line === process.command, mtimeMs: st.mtimeMs || null });
  }
  backups.sort((a, b) => Number(b.matches) - Number(a.matches));
  evidence.backups = backups;

  if (evidence.canonicalExists && (await commandLineOf(facts, canonicalPath)) === process.command) {
    evidence.matchingBackup = canonicalPath;
  } else {
    evidence.matchingBackup = backups.find((b) => b.matches)?.path ?? null;
  }
  return evidence;
}

export function describeOrphan(evidence: OrphanEvidence): string {
  const parts = [evidence.why];
  if (evidence.canonicalPath) {
    parts.push(evidence.canonicalExists === false ? `${evidence.canonicalPath} is missing` : evidence.canonicalExists ? `${evidence.canonicalPath} exists` : `${evidence.canonicalPath}: could not be checked`);
  }
  if (evidence.matchingBackup && evidence.matchingBackup !== evidence.canonicalPath) {
    const others = evidence.backups.length - 1;
    parts.push(`${baseName(evidence.matchingBackup)} matches the running command line${others > 0 ? ` (${plural(others, 'other backup')})` : ''}`);
  } else if (evidence.backups.length > 0 && !evidence.matchingBackup) {
    parts.push(`none of ${evidence.backups.length} backups matches the running command line`);
  }
  return parts.join('; ');
}
