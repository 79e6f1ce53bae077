/**
 * Loaded models read live from stand-in servers that answer in the exact shapes of Ollama,
 * LM Studio and llama.cpp's router, on ports the test picks; the unload really ends the child
 * process that holds the model's memory, so what is given back is measured.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WardenConfigInput } from '../../src/common/config.js';
import type { ModelServerView } from '../../src/common/models.js';
import type { State } from '../../src/common/state.js';
import { createEngine } from '../../src/engine/create.js';
import type { Engine } from '../../src/engine/engine.js';
import { isAlive } from '../support/model-server.js';
import { startStandIn, type StandIn, type StandInKind } from '../support/llm-stand-in.js';

const MB = 1024 * 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const running: Array<{ engine: Engine; servers: StandIn[]; dir: string }> = [];

afterEach(async () => {
  for (const { engine, servers, dir } of running.splice(0)) {
    await engine.stop();
    for (const s of servers) await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

const HEALTH: Record<StandInKind, { path: string; keyword?: string }> = {
  ollama: { path: '/', keyword: 'Ollama is running' },
  lmstudio: { path: '/api/v0/models' },
  router: { path: '/health' },
};

async function watch(servers: StandIn[]): Promise<Engine> {
  const input: WardenConfigInput = {
    intervalSeconds: 1,
    discovery: false,
    services: servers.map((s) => ({
      name: `${s.kind}-test`,
      url: `http://127.0.0.1:${s.port}${HEALTH[s.kind].path}`,
      port: s.port,
      intervalSeconds: 1,
      timeoutSeconds: 2,
      ...(HEALTH[s.kind].keyword ? { expect: { keyword: HEALTH[s.kind].keyword } } : {}),
    })),
  };
  // The engine re-reads its config file: the test's config is a real file.
  const dir = await mkdtemp(join(tmpdir(), 'warden-models-'));
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify(input));
  const engine = await createEngine({ configPath, dataDir: null });
  running.push({ engine, servers, dir });
  return engine;
}

/** Ticks until `ok` holds for the state (a generous deadline for a loaded machine). */
async function until(engine: Engine, ok: (state: State) => boolean, what: string, ms = 30_000): Promise<State> {
  const end = Date.now() + ms;
  let state = await engine.tick();
  while (!ok(state)) {
    if (Date.now() > end) throw new Error(`${what} not seen within ${ms} ms; models: ${JSON.stringify(state.models)}; services: ${JSON.stringify(state.services.map((s) => [s.name, s.state, s.stateReason, s.process?.command]))}`);
    await pause(300);
    state = await engine.tick();
  }
  return state;
}

const server = (state: State, name: string): ModelServerView | undefined => state.models.find((m) => m.service === name);

describe('loaded models, read live', () => {
  it('reads Ollama /api/ps, LM Studio /api/v1/models and the llama.cpp router /models, each beside its process tree', async () => {
    const servers = [
      await startStandIn('ollama', [{ name: 'llama3.2:1b', mb: 40 }]),
      await startStandIn('lmstudio', [{ name: 'qwen2.5-coder-1.5b-instruct', mb: 30 }]),
      await startStandIn('router', [{ name: 'Qwen3-0.6B-Q8_0', mb: 30 }]),
    ];
    const engine = await watch(servers);
    const state = await until(engine, (s) => ['ollama-test', 'lmstudio-test', 'router-test'].every((n) => server(s, n)?.read === 'ok' && (server(s, n)?.process?.pids.length ?? 0) >= 2), 'three servers read');
    const ollama = server(state, 'ollama-test')!;
    expect(ollama.kind).toBe('ollama');
    expect(ollama.models.map((m) => [m.name, m.state, m.sizeBytes, m.sizeMeaning])).toEqual([['llama3.2:1b', 'loaded', 40 * MB, 'at-load']]);
    expect(ollama.models[0]!.expiresAt).toBeGreaterThan(Date.now());
    // The runner child holds the 40 MiB: the tree's measured memory includes it.
    expect(ollama.process!.memoryBytes).toBeGreaterThan(40 * MB);
    expect(ollama.models[0]!.actions.map((a) => a.id)).toEqual(['unload:ollama-test:llama3.2:1b']);
    const lm = server(state, 'lmstudio-test')!;
    expect(lm.source).toContain('/api/v1/models');
    // The not-loaded Gemma is left out; the size is the file's.
    expect(lm.models.map((m) => [m.name, m.sizeMeaning, m.contextLength])).toEqual([['qwen2.5-coder-1.5b-instruct', 'file', 4096]]);
    const router = server(state, 'router-test')!;
    expect(router.models.map((m) => [m.name, m.state])).toEqual([['Qwen3-0.6B-Q8_0', 'loaded']]);
    expect(router.models[0]!.actions).toHaveLength(1);
  }, 90_000);

  it('unloads a model from an Ollama-shaped server and reports the memory given back', async () => {
    const ollama = await startStandIn('ollama', [{ name: 'llama3.2:1b', mb: 160 }]);
    const engine = await watch([ollama]);
    // The runner has filled its 160 MiB (it takes a moment on a loaded machine).
    const before = await until(engine, (s) => (server(s, 'ollama-test')?.models[0]?.actions.length ?? 0) > 0 && server(s, 'ollama-test')!.process!.memoryBytes > 160 * MB, 'the unload offer');
    const shown = server(before, 'ollama-test')!;
    const runner = shown.process!.pids.find((pid) => pid !== ollama.pid)!;
    expect(isAlive(runner)).toBe(true);

    const result = await engine.runAction('unload:ollama-test:llama3.2:1b');
    expect(result.ok, result.message).toBe(true);
    expect(result.steps.join('\n')).toContain('POST /api/generate {"model":"llama3.2:1b","keep_alive":0}: HTTP 200');
    // "PID n and its children 210.3 MB → 45.1 MB (165.2 MB given back); host available …"
    const m = /and its children ([\d.]+) (MB|GB) → ([\d.]+) (MB|GB) \(([\d.]+) (MB|GB) given back\); host available /.exec(result.message);
    expect(m, result.message).not.toBeNull();
    const bytes = (n: string, unit: string) => Number(n) * (unit === 'GB' ? 1e9 : 1e6);
    expect(bytes(m![5]!, m![6]!), result.message).toBeGreaterThan(100 * MB);
    // The three figures are rounded as shown (to 0.1 MB under 100 MB, to 1 MB above).
    expect(Math.abs(bytes(m![1]!, m![2]!) - bytes(m![3]!, m![4]!) - bytes(m![5]!, m![6]!))).toBeLessThanOrEqual(1.5e6);
    expect(isAlive(runner)).toBe(false);
    const after = await until(engine, (s) => server(s, 'ollama-test')?.read === 'ok' && server(s, 'ollama-test')!.models.length === 0, 'the model gone');
    expect(server(after, 'ollama-test')!.process!.memoryBytes).toBeLessThan(shown.process!.memoryBytes - 100 * MB);
  }, 90_000);

  it('says plainly when the server refuses the unload, or accepts it and frees nothing', async () => {
    const ollama = await startStandIn('ollama', [{ name: 'llama3.2:1b', mb: 20 }], 'refuse');
    const engine = await watch([ollama]);
    await until(engine, (s) => (server(s, 'ollama-test')?.models[0]?.actions.length ?? 0) > 0, 'the unload offer');
    const refused = await engine.runAction('unload:ollama-test:llama3.2:1b');
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe('Ollama (ollama-test) refused to unload llama3.2:1b: HTTP 500 {"error":"unload refused by the stand-in"}');

    await ollama.setMode('ignore');
    await until(engine, (s) => (server(s, 'ollama-test')?.models[0]?.actions.length ?? 0) > 0, 'the unload offer again');
    const ignored = await engine.runAction('unload:ollama-test:llama3.2:1b');
    expect(ignored.ok).toBe(false);
    expect(ignored.message).toMatch(/^Ollama \(ollama-test\) still lists llama3\.2:1b 20 s after accepting the unload; PID \d+ and its children [\d.]+ MB → [\d.]+ MB.*; host available /);
  }, 120_000);

  it('garbage, a 404, a huge list and a hang make the models unknown with the reason, and the probe goes on', async () => {
    const ollama = await startStandIn('ollama', [{ name: 'llama3.2:1b', mb: 8 }]);
    const engine = await watch([ollama]);
    await until(engine, (s) => server(s, 'ollama-test')?.read === 'ok', 'a first read');
    const cases: Array<[Parameters<StandIn['setMode']>[0], RegExp]> = [
      ['garbage', /^GET \/api\/ps: is not JSON \(starts "/],
      ['404', /^GET \/api\/ps: 404 \(a version without this endpoint\)$/],
      ['huge', /^GET \/api\/ps: (lists 20000 entries \(more than 1000\); not read|the answer is over 1 MiB; not read)$/],
      ['hang', /^GET \/api\/ps: no answer within 2 s$/],
    ];
    for (const [mode, reason] of cases) {
      await ollama.setMode(mode);
      const state = await until(engine, (s) => server(s, 'ollama-test')?.read === 'unknown', `models unknown under ${mode}`);
      const view = server(state, 'ollama-test')!;
      expect(view.reason, mode).toMatch(reason);
      expect(view.models).toEqual([]);
      expect(state.unknowns).toContainEqual({ part: 'models ollama-test', reason: view.reason });
      // The health probe (GET /) is a different question, still answered.
      expect(state.services[0]!.probe?.ok, mode).toBe(true);
      await ollama.setMode('ok');
      await until(engine, (s) => server(s, 'ollama-test')?.read === 'ok', `read again after ${mode}`);
    }
  }, 150_000);

  it('reads an LM Studio older than 0.4 from /api/v0/models (no sizes) and offers no REST unload', async () => {
    const lm = await startStandIn('lmstudio', [{ name: 'qwen2.5-coder-1.5b-instruct', mb: 8 }], 'v0');
    const engine = await watch([lm]);
    const state = await until(engine, (s) => server(s, 'lmstudio-test')?.read === 'ok', 'the v0 read');
    const view = server(state, 'lmstudio-test')!;
    expect(view.source).toContain('/api/v0/models');
    expect(view.models.map((m) => [m.name, m.sizeBytes, m.actions.length])).toEqual([['qwen2.5-coder-1.5b-instruct', null, 0]]);
  }, 60_000);

  it('a model that loads while Warden watches is dated by when it was first seen', async () => {
    const ollama = await startStandIn('ollama', []);
    const engine = await watch([ollama]);
    await until(engine, (s) => server(s, 'ollama-test')?.read === 'ok', 'an empty list');
    const before = Date.now();
    await ollama.load('qwen2.5-coder:14b', 8);
    const state = await until(engine, (s) => (server(s, 'ollama-test')?.models.length ?? 0) === 1, 'the arrival');
    const model = server(state, 'ollama-test')!.models[0]!;
    expect(model.loadedAtSource).toBe('seen');
    expect(model.loadedAt).toBeGreaterThanOrEqual(before);
  }, 60_000);
});
