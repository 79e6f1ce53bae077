import { describe, expect, it } from 'vitest';
import { Discovery, kindFromCommand } from '../../../../src/engine/services/discovery.js';
import type { HttpRequest, HttpResult } from '../../../../src/platform/facts.js';
import type { ProcessTable } from '../../../../src/common/processes.js';
import { lsofTcpListenersArgv } from '../../../../src/platform/lsof.js';
import { ScriptedFacts, fail, isTcpListenersArgv, lsofListeners, ok } from '../../../support/scripted-facts.js';

type Route = { status: number; body?: string; headers?: Record<string, string> };

function host(listeners: Record<number, { pid: number; command: string }>, routes: Record<string, Route>) {
  const asked: string[] = [];
  const facts = new ScriptedFacts(async (request: HttpRequest): Promise<HttpResult> => {
    asked.push(`${request.method ?? 'GET'} ${request.url}`);
    const route = routes[request.url];
    const base = { url: request.url, method: request.method ?? 'GET', latencyMs: 2, timedOut: false, bodyTruncated: false };
    if (!route) return { ...base, status: 404, error: null, headers: {}, body: 'Not Found' };
    return { ...base, status: route.status, error: null, headers: route.headers ?? {}, body: route.body ?? '' };
  });
  facts.on((argv) => {
    if (!isTcpListenersArgv(argv)) return null;
    const all = Object.entries(listeners).map(([port, who]) => ({ ...who, port: Number(port) }));
    return all.length > 0 ? ok(argv, lsofListeners(all)) : fail(argv, 1, '');
  });
  return { facts, asked };
}

const table: ProcessTable = {
  at: 0,
  rows: [
    { pid: 900, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 0, cpuSeconds: 0, elapsedSeconds: 100, startedAt: -100_000, name: 'ollama', command: '/opt/homebrew/opt/ollama/bin/ollama serve', zombie: false },
    { pid: 901, ppid: 1, uid: 501, rssBytes: 1, cpuPercent: 0, cpuSeconds: 0, elapsedSeconds: 100, startedAt: -100_000, name: 'Python', command: '/Users/bert/.venv/bin/python3.12 /Users/bert/.venv/bin/mlx_lm.server --model mlx-community/x', zombie: false },
  ],
};

describe('discovery of local LLM servers', () => {
  it('identifies Ollama and an mlx_lm.server on 8080 with safe GETs only, and never probes a port nobody listens on', async () => {
    const { facts, asked } = host(
      { 11434: { pid: 900, command: 'ollama' }, 8080: { pid: 901, command: 'Python' } },
      {
        'http://127.0.0.1:11434/': { status: 200, body: 'Ollama is running' },
        'http://127.0.0.1:8080/health': { status: 200, body: '{"status": "ok"}', headers: { server: 'BaseHTTP/0.6 Python/3.12.4' } },
      },
    );
    const found = await new Discovery(facts).discover(table, new Set(), 0);
    expect(found.problems).toEqual([]);
    expect(found.services).toEqual([
      { name: 'ollama', source: 'discovered', server: 'ollama', pid: 900, port: 11434, url: 'http://127.0.0.1:11434/', expect: { keyword: 'Ollama is running' } },
      { name: 'mlx_lm.server', source: 'discovered', server: 'mlx_lm.server', pid: 901, port: 8080, url: 'http://127.0.0.1:8080/health', expect: {} },
    ]);
    expect(asked.every((a) => a.startsWith('GET '))).toBe(true);
    expect(asked).not.toContain('GET http://127.0.0.1:8080/v1/models');
    for (const port of [1234, 1337, 9931, 8000]) expect(asked.some((a) => a.includes(`:${port}/`))).toBe(false);
  });

  it('tells llama.cpp by /props build_info; skips a configured port; caches by pid', async () => {
    const { facts, asked } = host(
      { 8080: { pid: 777, command: 'llama-server' }, 11434: { pid: 900, command: 'ollama' } },
      {
        'http://127.0.0.1:8080/health': { status: 503, body: '{"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}' },
        'http://127.0.0.1:8080/props': { status: 200, body: '{"build_info": "b4567-abc", "total_slots": 1}' },
      },
    );
    const discovery = new Discovery(facts);
    const first = await discovery.discover(null, new Set([11434]), 0);
    expect(first.services.map((s) => [s.name, s.url])).toEqual([['llama.cpp', 'http://127.0.0.1:8080/health']]);
    const probes = asked.length;
    const again = await discovery.discover(null, new Set([11434]), 60_000);
    expect(again.services).toEqual(first.services);
    expect(asked.length).toBe(probes);
    expect(asked.some((a) => a.includes(':11434/'))).toBe(false);
    // One lsof of every listener per round, never one per port.
    expect(facts.ran).toEqual([lsofTcpListenersArgv(), lsofTcpListenersArgv()]);
  });

  it('one lsof that fails makes every default port unknown with its reason, and probes nothing', async () => {
    const { facts, asked } = host({ 11434: { pid: 900, command: 'ollama' } }, {});
    facts.on((argv) => (isTcpListenersArgv(argv) ? { ...fail(argv, 1, ''), exitCode: null, signal: 'SIGSEGV' } : null));
    const found = await new Discovery(facts).discover(null, new Set([8080]), 0);
    expect(found.services).toEqual([]);
    expect(found.problems).toEqual([11434, 1234, 1337, 9931, 8000].map((port) => ({ part: `discovery: port ${port}`, reason: 'lsof -iTCP -sTCP:LISTEN: killed by SIGSEGV' })));
    expect(facts.ran).toEqual([lsofTcpListenersArgv()]);
    expect(asked).toEqual([]);
  });

  it('runs no lsof when every default port is configured', async () => {
    const { facts } = host({}, {});
    expect(await new Discovery(facts).discover(null, new Set([11434, 1234, 1337, 8080, 9931, 8000]), 0)).toEqual({ services: [], problems: [] });
    expect(facts.ran).toEqual([]);
  });

  it('leaves an unidentified listener alone', async () => {
    const { facts } = host({ 8000: { pid: 55, command: 'python3' } }, { 'http://127.0.0.1:8000/health': { status: 404 } });
    expect((await new Discovery(facts).discover(null, new Set(), 0)).services).toEqual([]);
  });

  it('recognises servers by command line', () => {
    expect(kindFromCommand('/Applications/Ollama.app/Contents/Resources/ollama serve')).toBe('ollama');
    expect(kindFromCommand('python -m mlx_lm server --port 8080')).toBe('mlx_lm.server');
    expect(kindFromCommand('/opt/homebrew/bin/llama-server -m x.gguf')).toBe('llama.cpp');
    expect(kindFromCommand('vllm serve Qwen/Qwen3-8B')).toBe('vllm');
    expect(kindFromCommand('/usr/bin/vim notes-about-ollama.txt')).toBeNull();
  });
});
