import { describe, expect, it } from 'vitest';
import { ancestryOf, recogniseRole, type RoleProcess } from '../../../src/engine/roles.js';
import { ThiefTracker } from '../../../src/engine/thieves.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import { nameFromCommand } from '../../../src/platform/ps.js';
import type { ProcessRow } from '../../../src/common/processes.js';

/** A process as ps shows it: the name comes from the command, as parsePs gives it. */
const proc = (pid: number, ppid: number, command: string): RoleProcess => ({ pid, ppid, name: nameFromCommand(command), command });

const BLOB = '/Users/bert/.ollama/models/blobs/sha256-6a0746a1ec1aef3e7ec53868f220ff6e389f6f8ef87a01d77c96807de94ca2aa';
const OLLAMA_APP = proc(700, 1, '/Applications/Ollama.app/Contents/MacOS/Ollama');
const OLLAMA_SERVE_APP = proc(701, 700, '/Applications/Ollama.app/Contents/Resources/ollama serve');
const OLLAMA_SERVE_BREW = proc(710, 1, '/opt/homebrew/opt/ollama/bin/ollama serve');
const SHELL = proc(720, 1, '-zsh');
const JAN = proc(730, 1, '/Applications/Jan.app/Contents/MacOS/Jan');
const LM_STUDIO = proc(740, 1, '/Applications/LM Studio.app/Contents/MacOS/LM Studio');
const LOCAL_AI = proc(750, 1, '/usr/local/bin/local-ai run');
const SLACK = proc(760, 1, '/Applications/Slack.app/Contents/MacOS/Slack');
const runner = (ppid: number) => proc(800 + ppid, ppid, `llama-server --model ${BLOB} --port 51234 --host 127.0.0.1 --no-webui --offline -c 8192 -np 1`);

function role(p: RoleProcess, family: RoleProcess[]): { role: string; label: string } | null {
  return recogniseRole(p, ancestryOf(p, new Map([...family, p].map((x) => [x.pid, x]))));
}

describe('roles from the family', () => {
  it.each([
    ['a bare llama-server under brew\'s ollama serve', runner(710), [OLLAMA_SERVE_BREW], 'ollama-runner', 'Ollama model runner'],
    ['a bare llama-server under the app\'s ollama serve (grandparent Ollama.app)', runner(701), [OLLAMA_APP, OLLAMA_SERVE_APP], 'ollama-runner', 'Ollama model runner'],
    ['the same command started by hand from a shell, on an Ollama blob', runner(720), [SHELL], 'llama-server', 'llama.cpp server'],
    ['the same command with its parent gone (reparented to launchd)', runner(1), [], 'llama-server', 'llama.cpp server'],
    ['a llama-server started by Jan', proc(900, 730, '/Users/bert/bin/llama-server -m /x.gguf --port 3012'), [JAN], 'jan', 'Jan model runner'],
    ['a llama-server started by LM Studio', proc(901, 740, 'llama-server -m /x.gguf'), [LM_STUDIO], 'lmstudio-worker', 'LM Studio worker'],
    ['LM Studio\'s node service helper (owns the port, loads models)', proc(902, 740, '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper.app/Contents/MacOS/LM Studio Helper --type=utility --utility-sub-type=node.mojom.NodeService'), [LM_STUDIO], 'lmstudio-worker', 'LM Studio worker'],
    ['LM Studio\'s renderer', proc(903, 740, '/Applications/LM Studio.app/Contents/Frameworks/LM Studio Helper (Renderer).app/Contents/MacOS/LM Studio Helper (Renderer) --type=renderer'), [LM_STUDIO], 'electron-helper', 'LM Studio helper'],
    ['a Chrome renderer', proc(904, 1203, '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer'), [], 'electron-helper', 'Google Chrome helper'],
    ['a VS Code helper (named "Code Helper")', proc(905, 1, '/Applications/Visual Studio Code.app/Contents/Frameworks/Code Helper (Plugin).app/Contents/MacOS/Code Helper (Plugin) --type=utility'), [], 'electron-helper', 'Visual Studio Code helper'],
    ['a Slack GPU helper', proc(906, 760, '/Applications/Slack.app/Contents/Frameworks/Slack Helper (GPU).app/Contents/MacOS/Slack Helper (GPU) --type=gpu-process'), [SLACK], 'electron-helper', 'Slack helper'],
    ['an unpackaged Electron app\'s helper', proc(908, 1, '/Users/bert/app/node_modules/electron/dist/Electron.app/Contents/Frameworks/Electron Helper (Renderer).app/Contents/MacOS/Electron Helper (Renderer) --type=renderer'), [], 'electron-helper', 'Electron helper'],
    ['a LocalAI backend', proc(907, 750, '/Users/bert/.local-ai/backends/llama-cpp/grpc-server --addr 127.0.0.1:41233'), [LOCAL_AI], 'localai', 'LocalAI model backend'],
    ['ollama serve itself', OLLAMA_SERVE_BREW, [], 'ollama', 'Ollama'],
  ])('%s', (_what, p, family, expectedRole, label) => {
    expect(role(p, family)).toEqual({ role: expectedRole, label });
  });

  it('walks a parent loop or a long chain without hanging', () => {
    const a = { pid: 10, ppid: 11, name: 'a', command: 'a' };
    const b = { pid: 11, ppid: 10, name: 'b', command: 'b' };
    expect(ancestryOf(a, new Map([[10, a], [11, b]])).map((p) => p.pid)).toEqual([11]);
    const chain = new Map(Array.from({ length: 50 }, (_, i) => [100 + i, { pid: 100 + i, ppid: 101 + i, name: 'x', command: 'x' }]));
    expect(ancestryOf(chain.get(100)!, chain)).toHaveLength(6);
  });

  it('labels thieves from the table they were read in', () => {
    const at = Date.UTC(2026, 4, 10, 14, 0, 0);
    const row = (p: RoleProcess, rssBytes: number): ProcessRow => ({ ...p, uid: 501, rssBytes, cpuPercent: 0, cpuSeconds: null, elapsedSeconds: 86_400, startedAt: at - 86_400_000, zombie: false });
    const tracker = new ThiefTracker(DEFAULT_THRESHOLDS);
    tracker.update({ at, rows: [row(OLLAMA_SERVE_BREW, 60e6), row(runner(710), 9e9), row(runner(720), 8e9), row(SHELL, 3e6)] });
    const labels = Object.fromEntries(tracker.thieves(at, null).map((t) => [t.pid, t.roleLabel]));
    expect(labels).toEqual({ 1510: 'Ollama model runner', 1520: 'llama.cpp server' });
  });
});
