import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, FIRST_READ_BYTES, LINE_CAP, LogTail, VALUES_HELD, formatLogValue, matchLines, parseLogValue, resolveLog } from '../../../src/engine/log-tail.js';
import { checkConfig, logPatternProblem } from '../../../src/engine/config.js';
import { ScriptedFacts } from '../../support/scripted-facts.js';

const FILE = '/var/log/server.log';
const line = (us: number) => `INFO done prefill_us=${us.toLocaleString('en-US')}\n`;

function host(content: string): ScriptedFacts {
  const facts = new ScriptedFacts();
  facts.files.set(FILE, { content, mtimeMs: 0 });
  return facts;
}

const prefill = () => new LogTail(resolveLog('cathedral', { path: FILE, name: 'prefill', pattern: 'prefill_us=(?<v>[\\d,]+)', unit: 'us' }));

describe('log values', () => {
  it('numbers with thousands separators; units shown as durations', () => {
    expect(parseLogValue('59,229,150')).toBe(59_229_150);
    expect(parseLogValue('2441.22')).toBe(2441.22);
    expect(parseLogValue('12_000')).toBe(12_000);
    expect(parseLogValue('n/a')).toBeNull();
    expect(formatLogValue(59_229.15, 'us')).toBe('59.2 s');
    expect(formatLogValue(200, 'ms')).toBe('200 ms');
    expect(formatLogValue(0.85, 'us')).toBe('850 µs');
    expect(formatLogValue(41.5, 'tokens/s')).toBe('41.5 tokens/s');
  });

  it("llama.cpp's built-in pattern reads llama-server's and llama_perf_context_print's lines", () => {
    const log = resolveLog('llama', { path: FILE, builtin: 'llama.cpp' });
    expect(log.name).toBe('prompt eval');
    const lines = [
      // llama-server's timing block and llama-cli's perf print, as llama.cpp prints them.
      'prompt eval time =    2441.22 ms /   161 tokens (   15.16 ms per token,    65.95 tokens per second)',
      '       eval time =  349899.35 ms /  8853 tokens (   39.52 ms per token,    25.30 tokens per second)',
      '0.00.052.729 I llama_perf_context_print: prompt eval time =       4.07 ms /     9 tokens (    0.45 ms per token,  2211.85 tokens per second)',
    ];
    expect(matchLines(lines, log)).toEqual([2441.22, 4.07]);
  });

  it('a pattern must compile and hold one named group v', () => {
    expect(logPatternProblem('prefill_us=(?<v>[\\d,]+)')).toBeNull();
    expect(logPatternProblem('prefill_us=([\\d,]+)')).toBe('needs one named group (?<v>…) holding the number (has none)');
    expect(logPatternProblem('(?<a>\\d+) (?<v>\\d+)')).toBe('needs one named group (?<v>…) holding the number (has "a", "v")');
    expect(logPatternProblem('(?<v>[')).toMatch(/^is not a regular expression: /);
    expect(checkConfig({ services: [{ name: 'x', port: 1, logs: [{ path: '/l', pattern: '(\\d+)' }] }] })).toEqual([
      { field: 'services.0.logs.0.pattern', message: 'needs one named group (?<v>…) holding the number (has none)' },
    ]);
    expect(checkConfig({ services: [{ name: 'x', port: 1, logs: [{ path: '/l' }] }] })).toEqual([{ field: 'services.0.logs.0', message: 'needs exactly one of pattern or builtin' }]);
    expect(checkConfig({ services: [{ name: 'x', port: 1, logs: [{ path: '/l', builtin: 'llama.cpp' }] }], modelFolders: ['~/models'] })).toEqual([]);
    expect(checkConfig({ services: [{ name: 'x', port: 1, logs: [{ path: '/l', builtin: 'vllm' }] }] }).map((p) => p.field)).toEqual(['services.0.logs.0.builtin']);
  });
});

describe('the tail', () => {
  it('a log seen first is read from 64 KiB before its end, the cut line left out', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => line(200_000 + i));
    const content = lines.join('');
    const facts = host(content);
    const tail = prefill();
    await tail.poll(facts, 1);
    const view = tail.view();
    // Whole lines inside the last 64 KiB; the first (cut) one is not matched.
    const whole = content.slice(content.length - FIRST_READ_BYTES).split('\n').length - 2;
    expect(view.count).toBe(Math.min(VALUES_HELD, whole));
    expect(view.latest?.value).toBe(202.999);
  });

  it('holds at most 64 values; the baseline is the median of the 20 before the latest', async () => {
    const facts = host('');
    const tail = prefill();
    await tail.poll(facts, 0);
    let content = '';
    for (let i = 0; i < 100; i++) content += line(i === 99 ? 59_229_150 : 190_000 + (i % 2) * 20_000);
    facts.files.set(FILE, { content, mtimeMs: 1 });
    await tail.poll(facts, 1);
    const view = tail.view();
    expect(view.count).toBe(VALUES_HELD);
    expect(view.baseline).toBe(200);
    expect(view.text).toBe('prefill 59.2 s, baseline 200 ms (296×)');
  });

  it('a line over the cap is skipped, also when it arrives unfinished; the lines after it are read', async () => {
    const facts = host('');
    const tail = prefill();
    await tail.poll(facts, 0);
    const long = `prefill_us=1 ${'x'.repeat(LINE_CAP + 10)}`;
    facts.files.set(FILE, { content: long, mtimeMs: 1 });
    await tail.poll(facts, 1);
    facts.files.set(FILE, { content: `${long}${'y'.repeat(100)}\n${line(200_000)}`, mtimeMs: 2 });
    await tail.poll(facts, 2);
    expect(tail.view()).toMatchObject({ count: 1, latest: { value: 200, at: 2 } });
  });

  it('more than 256 KiB appended in one cycle: only the last 256 KiB are read', async () => {
    const facts = host('');
    const tail = prefill();
    await tail.poll(facts, 0);
    const big = Array.from({ length: 20_000 }, (_, i) => line(100_000 + i)).join('');
    expect(big.length).toBeGreaterThan(CHUNK_BYTES);
    facts.files.set(FILE, { content: big, mtimeMs: 1 });
    const read: number[] = [];
    const inner = facts.readRange.bind(facts);
    facts.readRange = async (p, offset, max) => {
      read.push(max);
      return inner(p, offset, max);
    };
    await tail.poll(facts, 1);
    expect(read).toEqual([CHUNK_BYTES]);
    expect(tail.view().latest?.value).toBe(119.999);
  });

  it('a log that cannot be read says why and keeps the values it had', async () => {
    const facts = host(line(200_000));
    const tail = prefill();
    await tail.poll(facts, 1);
    facts.files.delete(FILE);
    await tail.poll(facts, 2);
    expect(tail.view()).toMatchObject({ count: 1, error: `${FILE} does not exist`, latest: { value: 200, at: 1 } });
  });
});
