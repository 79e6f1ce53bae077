/**
 * A service's own log, tailed live: a child process appends to a real file on command while
 * Warden's tail reads it through LiveFacts; mid-run the file is rotated (renamed, a new one
 * made under the name) and later truncated in place. Every value appended after a read is read
 * exactly once, in order; nothing is read twice; an unfinished line waits for its end.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFacts } from '../../src/platform/live.js';
import { LogTail, resolveLog } from '../../src/engine/log-tail.js';

/** Appends on command: "lines N FROM" writes N lines prefill_us=FROM…; "half V" and "rest" write one line in two pieces. */
const WRITER = `
const fs = require('node:fs');
const file = process.argv[1];
require('node:readline').createInterface({ input: process.stdin }).on('line', (cmd) => {
  const [op, a, b] = cmd.split(' ');
  if (op === 'lines') for (let i = 0; i < Number(a); i++) fs.appendFileSync(file, 'INFO done prefill_us=' + (Number(b) + i).toLocaleString('en-US') + ' decode_us=2,000\\n');
  if (op === 'half') fs.appendFileSync(file, 'INFO done prefill_us=' + Number(a).toLocaleString('en-US'));
  if (op === 'rest') fs.appendFileSync(file, ' decode_us=9\\n');
  process.stdout.write('ok\\n');
});
`;

let dir: string;
let file: string;
let child: ChildProcessWithoutNullStreams;
let replies: AsyncIterator<string>;

async function tell(command: string): Promise<void> {
  child.stdin.write(`${command}\n`);
  const reply = await replies.next();
  expect(reply.value).toBe('ok');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-logtail-'));
  file = path.join(dir, 'server.log');
  child = spawn(process.execPath, ['-e', WRITER, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
});
afterAll(() => {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the log tail, live', () => {
  it('reads appended lines once each through a rotation and a truncation, with a baseline and a ratio', async () => {
    const facts = new LiveFacts();
    const tail = new LogTail(resolveLog('cathedral', { path: file, name: 'prefill', pattern: 'prefill_us=(?<v>[\\d,]+)', unit: 'us' }));
    const record = async (at: number) => {
      await tail.poll(facts, at);
      const view = tail.view();
      expect(view.error).toBeNull();
      return view;
    };

    // Not there yet: said, and nothing held.
    await tail.poll(facts, 0);
    expect(tail.view().error).toBe(`${file} does not exist`);

    await tell('lines 5 200000');
    let view = await record(1);
    expect(view.count).toBe(5);
    expect(view.latest).toEqual({ value: 200.004, at: 1 });
    expect(view.baseline).toBeCloseTo(200.0015, 6);
    expect(view.text).toBe('prefill 200 ms, baseline 200 ms (1.0×)');

    // Nothing appended: nothing read again.
    view = await record(2);
    expect(view.count).toBe(5);

    // An unfinished line waits for its end.
    await tell('half 59229150');
    view = await record(3);
    expect(view.count).toBe(5);
    await tell('rest');
    view = await record(4);
    expect(view.count).toBe(6);
    expect(view.latest).toEqual({ value: 59229.15, at: 4 });
    expect(view.text).toBe('prefill 59.2 s, baseline 200 ms (296×)');

    // Rotated: the old file renamed away, the writer makes a new one under the name.
    renameSync(file, `${file}.1`);
    await tell('lines 3 300000');
    view = await record(5);
    expect(view.count).toBe(9);
    expect(view.latest?.value).toBe(300.002);

    // Truncated in place (copytruncate), then written again: read from its start.
    truncateSync(file, 0);
    await tell('lines 2 400000');
    view = await record(6);
    expect(view.count).toBe(11);
    expect(view.latest?.value).toBe(400.001);

    // Then appended again: only the new bytes.
    await tell('lines 1 500000');
    view = await record(7);
    expect(view.count).toBe(12);
    expect(view.latest?.value).toBe(500);
  }, 60_000);
});
