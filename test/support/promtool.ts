import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Debian's promtool (the prometheus package) and amtool (prometheus-alertmanager), found on
 * PATH. Outside CI a missing tool skips the tests that need it; in CI (CI=true) it is an
 * error: .ci/run installs both.
 */
export function findTool(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

const TOOLS = { promtool: { path: findTool('promtool'), pkg: 'prometheus' }, amtool: { path: findTool('amtool'), pkg: 'prometheus-alertmanager' } };
export type Tool = keyof typeof TOOLS;

/** Fails the test in CI when the tool is missing; elsewhere says whether to skip. */
export function toolMissing(tool: Tool): boolean {
  if (TOOLS[tool].path) return false;
  if (process.env.CI === 'true') throw new Error(`${tool} is not installed (apt-get install ${TOOLS[tool].pkg}); CI=true needs it`);
  return true;
}

export const promtoolMissing = (): boolean => toolMissing('promtool');

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the tool with argv (no shell), optional stdin, a 60 s deadline. */
export function runTool(tool: Tool, args: string[], stdin?: string, cwd?: string): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(TOOLS[tool].path as string, args, { timeout: 60_000, cwd, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(error);
      resolve({ code, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

export const promtool = (args: string[], stdin?: string, cwd?: string): Promise<ToolRun> => runTool('promtool', args, stdin, cwd);
