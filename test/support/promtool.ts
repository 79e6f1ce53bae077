import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Debian's promtool (the prometheus package), found on PATH. Outside CI a missing promtool
 * skips the tests that need it; in CI (CI=true) it is an error: .ci/run installs it.
 */
export function findPromtool(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'promtool');
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

export const PROMTOOL = findPromtool();
export const PROMTOOL_REQUIRED = process.env.CI === 'true';

/** Fails the test in CI when promtool is missing; elsewhere says whether to skip. */
export function promtoolMissing(): boolean {
  if (PROMTOOL) return false;
  if (PROMTOOL_REQUIRED) throw new Error('promtool is not installed (apt-get install prometheus); CI=true needs it');
  return true;
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool with argv (no shell), optional stdin, a 60 s deadline. */
export function promtool(args: string[], stdin?: string, cwd?: string): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(PROMTOOL as string, args, { timeout: 60_000, cwd, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException).code === 'number' ? ((error as unknown as { code: number }).code) : -1) : 0;
      if (error && code === -1) return reject(error);
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
