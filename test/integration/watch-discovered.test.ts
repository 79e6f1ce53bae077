/**
 * "Watch from now on": a discovered server joins the config file, URL and port only, and is a
 * configured service from the next cycle. The real engine on this host; only the Ollama at its
 * fixed port 11434 is stood in for (a shared machine cannot promise that port is free): lsof
 * lists a real sleeping child on it, and its fingerprint answers as Ollama does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { loadConfigFile } from '../../src/engine/config.js';
import { hostPlatform, liveHost } from '../../src/engine/create.js';
import { LiveFacts } from '../../src/platform/live.js';
import { LiveEffects } from '../../src/platform/effects.js';
import { systemClock } from '../../src/platform/clock.js';
import type { CommandResult, HttpRequest, HttpResult, RunOptions } from '../../src/platform/facts.js';
import { DelegatingFacts } from '../support/delegating-facts.js';
import { isTcpListenersArgv, lsofListener } from '../support/scripted-facts.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'warden-watch-'));
let sleeper: ChildProcess | null = null;

afterAll(() => {
  sleeper?.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

class WithOllama extends DelegatingFacts {
  constructor(private readonly pid: number) {
    super(new LiveFacts());
  }
  override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const result = await super.run(argv, options);
    if (!isTcpListenersArgv(argv)) return result;
    return { ...result, exitCode: 0, stdout: result.stdout + lsofListener(this.pid, 'ollama', 11434) };
  }
  override async http(request: HttpRequest): Promise<HttpResult> {
    if (!request.url.startsWith('http://127.0.0.1:11434/')) return super.http(request);
    const ok = request.url === 'http://127.0.0.1:11434/';
    return { url: request.url, method: request.method ?? 'GET', status: ok ? 200 : 404, latencyMs: 3, timedOut: false, error: null, headers: {}, body: ok ? 'Ollama is running' : '', bodyTruncated: false };
  }
}

describe('watch a discovered server from now on', () => {
  it('adds its URL and port (no command) to the config file; it is configured from then on', async () => {
    sleeper = spawn('sleep', ['120']);
    const file = path.join(home, 'config.json');
    writeFileSync(file, JSON.stringify({ discovery: true, services: [] }));
    const config = await loadConfigFile(file, home);
    const engine = new Engine({
      facts: new WithOllama(sleeper.pid!), effects: new LiveEffects(), clock: systemClock, platform: hostPlatform(), host: liveHost(), home,
      config, configPath: file, history: null, settleParts: true, replay: false, dataDir: null,
    });
    await engine.tick();
    const state = await engine.tick();
    const ollama = state.services.find((s) => s.name === 'ollama')!;
    expect(ollama.source).toBe('discovered');
    const offer = ollama.actions.find((a) => a.kind === 'watch')!;
    expect(offer.id).toBe('watch:ollama');

    const result = await engine.runAction(offer.id);
    expect(result.ok).toBe(true);
    expect(result.message).toBe('ollama is watched from now on');
    const written = JSON.parse(readFileSync(file, 'utf8')) as { services: unknown[] };
    expect(written.services).toEqual([{ name: 'ollama', url: 'http://127.0.0.1:11434/', port: 11434, expect: { keyword: 'Ollama is running' } }]);
    const after = await engine.tick();
    expect(after.services.find((s) => s.name === 'ollama')?.source).toBe('config');
    await engine.stop();
  }, 120_000);
});
