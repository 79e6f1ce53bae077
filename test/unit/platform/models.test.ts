import { describe, expect, it } from 'vitest';
import { modelFromArgv, parseLmStudioV0, parseLmStudioV1, parseOllamaPs, parseOpenAiModels, parseRouterModels } from '../../../src/platform/models.js';

// Verbatim from shared/reference/local-llm-servers.md §1 (the projects' own docs).
const OLLAMA_PS = `{"models":[{"name":"gemma4","model":"gemma4","size":6591830464,
  "digest":"c6eb396dbd5992bbe3f5cdb947e8bbc0ee413d7c17e2beaae69f5d569cf982eb",
  "details":{"parent_model":"","format":"gguf","family":"gemma4","families":["gemma4"],
             "parameter_size":"8.0B","quantization_level":"Q4_K_M"},
  "expires_at":"2025-10-17T16:47:07.93355-07:00","size_vram":5333539264,"context_length":4096}]}`;
const LMSTUDIO_V1 = `{"models":[{"type":"llm","publisher":"google","key":"google/gemma-4-26b-a4b","display_name":"Gemma 4 26B A4B",
  "architecture":"gemma4","quantization":{"name":"Q4_K_M","bits_per_weight":4},"size_bytes":17990911801,
  "params_string":"26B-A4B","loaded_instances":[{"id":"google/gemma-4-26b-a4b","config":{"context_length":4096,
  "eval_batch_size":512,"parallel":4,"flash_attention":true,"num_experts":8,"offload_kv_cache_to_gpu":true}}],
  "max_context_length":262144,"format":"gguf"},
  {"type":"llm","publisher":"qwen","key":"qwen/qwen3-4b","size_bytes":2497280256,"loaded_instances":[],"format":"gguf"}]}`;
const LMSTUDIO_V0 = `{"object":"list","data":[
  {"id":"qwen2-vl-7b-instruct","object":"model","type":"vlm","publisher":"mlx-community","arch":"qwen2_vl",
   "compatibility_type":"mlx","quantization":"4bit","state":"not-loaded","max_context_length":32768},
  {"id":"meta-llama-3.1-8b-instruct","object":"model","type":"llm","publisher":"lmstudio-community","arch":"llama",
   "compatibility_type":"gguf","quantization":"Q4_K_M","state":"loaded","max_context_length":131072}]}`;
const ROUTER = `{"data":[{"id":"ggml-org/gemma-3-4b-it-GGUF:Q4_K_M","object":"model","owned_by":"llamacpp","status":{"value":"loaded","args":["llama-server","-ctx","4096"]}},
  {"id":"unsloth/Qwen3-8B-GGUF:Q4_K_M","status":{"value":"unloaded"}},{"id":"x","status":{"value":"sleeping"}},{"id":"y","status":{"value":"downloading"}}]}`;
const LLAMACPP_V1 = `{"object":"list","data":[{"id":"../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf","object":"model","created":1735142223,"owned_by":"llamacpp",
  "meta":{"vocab_type":2,"n_vocab":128256,"n_ctx_train":131072,"n_embd":4096,"n_params":8030261312,"size":4912898304}}]}`;

describe('model list parsers', () => {
  it('Ollama /api/ps: size fixed at load for GGUF, size_vram, when it unloads, the context', () => {
    const r = parseOllamaPs(OLLAMA_PS);
    expect(r).toEqual({
      ok: true,
      value: [{ name: 'gemma4', state: 'loaded', sizeBytes: 6591830464, sizeMeaning: 'at-load', vramBytes: 5333539264, contextLength: 4096, expiresAt: Date.parse('2025-10-17T23:47:07.933Z') }],
    });
    expect(parseOllamaPs('{"models":[]}')).toEqual({ ok: true, value: [] });
    // The MLX runner's figure is live.
    const mlx = parseOllamaPs('{"models":[{"name":"qwen3:mlx","size":100,"details":{"format":"safetensors"},"expires_at":"0001-01-01T00:00:00Z"}]}');
    expect(mlx.ok && mlx.value[0]).toMatchObject({ sizeMeaning: 'live', expiresAt: null });
  });

  it('LM Studio /api/v1/models: one entry per loaded instance, the file size; /api/v0 only the loaded', () => {
    expect(parseLmStudioV1(LMSTUDIO_V1)).toEqual({
      ok: true,
      value: [{ name: 'google/gemma-4-26b-a4b', state: 'loaded', sizeBytes: 17990911801, sizeMeaning: 'file', vramBytes: null, contextLength: 4096, expiresAt: null }],
    });
    const v0 = parseLmStudioV0(LMSTUDIO_V0);
    expect(v0.ok && v0.value.map((m) => [m.name, m.sizeBytes])).toEqual([['meta-llama-3.1-8b-instruct', null]]);
  });

  it('llama.cpp router /models keeps what holds or takes memory; /v1/models is what is served', () => {
    const r = parseRouterModels(ROUTER);
    expect(r.ok && r.value.map((m) => [m.name, m.state])).toEqual([
      ['ggml-org/gemma-3-4b-it-GGUF:Q4_K_M', 'loaded'],
      ['x', 'sleeping'],
    ]);
    const v1 = parseOpenAiModels(LLAMACPP_V1);
    expect(v1.ok && v1.value[0]).toMatchObject({ state: 'served', sizeBytes: 4912898304, sizeMeaning: 'file' });
  });

  it('garbage, the wrong shape and a huge list are refused with the reason', () => {
    expect(parseOllamaPs('<html>502 Bad Gateway</html>')).toEqual({ ok: false, reason: '/api/ps is not JSON (starts "<html>502 Bad Gateway</html>")' });
    expect(parseOllamaPs('')).toEqual({ ok: false, reason: '/api/ps is not JSON (empty body)' });
    expect(parseOllamaPs('[1,2]')).toEqual({ ok: false, reason: '/api/ps is not a JSON object' });
    expect(parseOllamaPs('{"error":"x"}')).toEqual({ ok: false, reason: '/api/ps has no "models" list' });
    expect(parseOllamaPs('{"models":[{"size":1}]}')).toEqual({ ok: false, reason: '/api/ps: none of 1 entries has a name' });
    const huge = JSON.stringify({ data: Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}` })) });
    expect(parseOpenAiModels(huge)).toEqual({ ok: false, reason: '/v1/models lists 1001 entries (more than 1000); not read' });
    // Negative or non-numeric sizes are not sizes.
    const odd = parseOllamaPs('{"models":[{"name":"a","size":-5,"size_vram":"big","context_length":1.5}]}');
    expect(odd.ok && odd.value[0]).toMatchObject({ sizeBytes: null, vramBytes: null, contextLength: null });
  });

  it("mlx_lm.server's model comes from its command line", () => {
    expect(modelFromArgv('/opt/venv/bin/python3.12 /opt/venv/bin/mlx_lm.server --model mlx-community/Qwen3-8B-4bit --port 8080')).toBe('mlx-community/Qwen3-8B-4bit');
    expect(modelFromArgv('python -m mlx_lm server --model=/models/x')).toBe('/models/x');
    expect(modelFromArgv('python -m mlx_lm server')).toBeNull();
  });
});
