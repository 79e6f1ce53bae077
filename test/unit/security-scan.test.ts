/**
 * No command built through a shell, anywhere; only the runner and the effects start
 * processes; electron only in the shell and the preload; no HTML sinks (issue 6, item 4).
 * The scanner (test/support/source-scan.ts) is first shown to catch each pattern, then run on
 * src/, bin/ and scripts/, failing with file:line for anything it finds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanSource, scanTree, sourceFiles, type Violation } from '../support/source-scan.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const found = (text: string, file = 'src/engine/x.ts') => scanSource(text, file).map((v) => `${v.line} ${v.rule}: ${v.what}`);
const listed = (violations: Violation[]) => violations.map((v) => `${v.file}:${v.line} [${v.rule}] ${v.what}`);

describe('the scanner catches', () => {
  it('shell options, exec and execSync, and execa command strings', () => {
    const text = [
      "import { exec, execSync as run, spawn } from 'node:child_process';",
      "import * as cp from 'child_process';",
      "import { execaCommand, $ } from 'execa';",
      "spawn('ls', ['-l'], { shell: true });",
      "spawn('ls', [], { shell: '/bin/zsh' });",
      'const shell = true; spawn(\'ls\', [], { shell });',
      "cp.exec('ls');",
      "require('node:child_process').execSync('id');",
      '$`ls ${dir}`;',
    ].join('\n');
    expect(found(text, 'scripts/x.mjs')).toEqual([
      '1 shell: imports exec from node:child_process (always runs a shell)',
      '1 shell: imports execSync from node:child_process (always runs a shell)',
      '3 shell: imports execaCommand from execa (a command string)',
      '3 shell: imports $ from execa (a command string)',
      '4 shell: shell: true',
      '5 shell: shell: \'/bin/zsh\'',
      '6 shell: shell: shell',
      '7 shell: calls cp.exec() (always runs a shell)',
      "8 shell: calls require('node:child_process').execSync() (always runs a shell)",
      '9 shell: execa $`…` (a command string)',
    ]);
  });

  it('a program built from a template or +, or a command line passed as the program', () => {
    const text = [
      'spawn(`${dir}/run`, []);',
      "execFile('/usr/bin/' + name, []);",
      "execa('ps -A -o pid');",
      "spawnSync('launchctl', ['print', target]);",
    ].join('\n');
    expect(found(text)).toEqual([
      '1 shell: spawn() with a program built from a template',
      '2 shell: execFile() with a program built from a concatenation',
      '3 shell: execa("ps -A -o pid"): a command line, not a program',
    ]);
  });

  it('a process started outside the runner and the effects', () => {
    expect(found("import { spawn } from 'node:child_process';", 'src/engine/jobs.ts')).toEqual(['1 process: imports node:child_process']);
    expect(found("import { execa } from 'execa';", 'src/cli/commands.ts')).toEqual(['1 process: imports execa']);
    expect(found("const cp = await import('node:child_process');", 'src/main/main.ts')).toEqual(['1 process: imports node:child_process']);
    expect(found("import { spawn } from 'node:child_process';", 'src/platform/effects.ts')).toEqual([]);
    expect(found("import { execFileSync } from 'node:child_process';", 'scripts/build.mjs')).toEqual([]);
  });

  it('electron outside src/main and src/preload', () => {
    expect(found("import { app } from 'electron';", 'src/engine/engine.ts')).toEqual(['1 electron: imports electron']);
    expect(found("const { shell } = require('electron');", 'src/renderer/index.ts')).toEqual(['1 electron: imports electron']);
    expect(found("import type { IpcMain } from 'electron/main';", 'src/common/ipc.ts')).toEqual(['1 electron: imports electron/main']);
    expect(found("import { app } from 'electron';", 'src/main/main.ts')).toEqual([]);
    expect(found("import { ipcRenderer } from 'electron';", 'src/preload/preload.ts')).toEqual([]);
  });

  it('HTML sinks and code from strings', () => {
    const text = [
      'el.innerHTML = name;',
      "row['outerHTML'] = x;",
      "el.insertAdjacentHTML('beforeend', s);",
      'document.write(s);',
      'frame.srcdoc = s;',
      'range.createContextualFragment(s);',
      'eval(code);',
      "new Function('return 1');",
    ].join('\n');
    expect(found(text, 'src/renderer/view.ts').map((l) => l.split(':')[0])).toEqual(['1 html', '2 html', '3 html', '4 html', '5 html', '6 html', '7 html', '8 html']);
  });

  it('and nothing in comments, strings or harmless look-alikes', () => {
    const text = [
      '// never el.innerHTML = x; never exec("ls") or { shell: true }',
      "const note = 'spawn(`${x}`) and shell: true are forbidden';",
      'const m = /a/.exec(text);',
      "db.exec('BEGIN EXCLUSIVE');",
      "spawn(process.execPath, ['-e', script], { shell: false, stdio: 'ignore' });",
      'el.textContent = name;',
    ].join('\n');
    expect(found(text)).toEqual([]);
  });
});

describe("Warden's own source", () => {
  it('scans every file it should', () => {
    const files = sourceFiles(ROOT, ['src', 'bin', 'scripts']);
    expect(files).toContain('src/platform/runner.ts');
    expect(files).toContain('src/renderer/dom.ts');
    expect(files).toContain('bin/warden.js');
    expect(files.length).toBeGreaterThan(60);
  });

  it('has no shell, no process outside the runner and effects, electron only in main and preload, no HTML sink', () => {
    expect(listed(scanTree(ROOT, ['src', 'bin', 'scripts']))).toEqual([]);
  });

  it('keeps the renderer to textContent: its one element factory never parses markup', () => {
    const dom = scanSource(readText('src/renderer/dom.ts'), 'src/renderer/dom.ts');
    expect(dom).toEqual([]);
    expect(readText('src/renderer/dom.ts')).toMatch(/textContent/);
  });
});

function readText(rel: string): string {
  return readFileSync(path.join(ROOT, rel), 'utf8');
}
