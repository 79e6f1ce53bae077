import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, killAndWait, waitForListen } from './model-server.js';

const SCRIPT = fileURLToPath(new URL('./llm-stand-in.mjs', import.meta.url));

export type StandInKind = 'ollama' | 'lmstudio' | 'router';
export type StandInMode = 'ok' | 'garbage' | '404' | 'hang' | 'huge' | 'refuse' | 'ignore' | 'v0';

/** The executable name each kind goes by in ps, so Warden recognises it from its command line. */
const EXECUTABLE: Record<StandInKind, string> = { ollama: 'ollama', lmstudio: 'lmstudio', router: 'llama-server' };

export interface StandIn {
  kind: StandInKind;
  port: number;
  pid: number;
  child: ChildProcess;
  setMode(mode: StandInMode): Promise<void>;
  load(model: string, mb: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a stand-in server of `kind` on a port the test picks, with each model held by a real
 * child process keeping `mb` MiB resident. It runs as `node DIR/<ollama|lmstudio|llama-server>`.
 */
export async function startStandIn(kind: StandInKind, models: Array<{ name: string; mb: number }>, mode: StandInMode = 'ok'): Promise<StandIn> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-llm-'));
  const exe = join(dir, EXECUTABLE[kind]);
  // An extensionless file is CommonJS: it imports the real (ESM) script.
  await writeFile(exe, `import(${JSON.stringify(pathToFileURL(SCRIPT).href)});\n`);
  const port = await freePort();
  const argv = [exe, 'serve', '--kind', kind, '--port', String(port), '--mode', mode, ...models.flatMap((m) => ['--model', m.name, '--mb', String(m.mb)])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForListen(port);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  };
  return {
    kind,
    port,
    pid: child.pid as number,
    child,
    setMode: (m) => post('/__mode', { mode: m }),
    load: (model, mb) => post('/__load', { model, mb }),
    async stop() {
      // SIGTERM: the stand-in kills its runners; they also end by themselves once it is gone.
      await killAndWait(child.pid as number, 'SIGTERM').catch(() => killAndWait(child.pid as number));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
