import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveFacts } from '../../src/platform/live.js';

/** LiveFacts.readFile grows its buffer as it reads; these pin what it returns at each size. */
describe('LiveFacts.readFile on real files', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'warden-read-'));
  const facts = new LiveFacts();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  // A line-numbered text, so a byte lost or repeated at a buffer boundary changes the content.
  const text = (bytes: number) => {
    let out = '';
    for (let i = 0; out.length < bytes; i++) out += `${String(i).padStart(9, '0')}\n`;
    return out.slice(0, bytes);
  };

  it('reads a file larger than the first buffer whole, byte for byte', async () => {
    const content = text(300_000);
    const read = await facts.readFile(write('big.txt', content));
    expect(read).toMatchObject({ exists: true, truncated: false, error: null });
    expect(read.content).toBe(content);
  });

  it('reads a file of exactly the cap whole, and one byte more as truncated to the cap', async () => {
    const cap = 70_000;
    const exact = await facts.readFile(write('exact.txt', text(cap)), { maxBytes: cap });
    expect({ truncated: exact.truncated, length: exact.content?.length }).toEqual({ truncated: false, length: cap });
    const over = await facts.readFile(write('over.txt', text(cap + 1)), { maxBytes: cap });
    expect({ truncated: over.truncated, content: over.content }).toEqual({ truncated: true, content: text(cap) });
  });

  it('honours a tiny cap (a pidfile is read with 64 bytes)', async () => {
    const read = await facts.readFile(write('pid', `${'1'.repeat(100)}\n`), { maxBytes: 64 });
    expect({ truncated: read.truncated, content: read.content }).toEqual({ truncated: true, content: '1'.repeat(64) });
  });

  it('reads an empty file as empty, and a missing one as not there', async () => {
    expect(await facts.readFile(write('empty', ''))).toMatchObject({ exists: true, content: '', truncated: false });
    expect(await facts.readFile(join(dir, 'nope'))).toMatchObject({ exists: false, content: null, error: null });
  });

  it.skipIf(process.platform !== 'linux')('reads a /proc file, whose stat size is 0, to its end', async () => {
    const read = await facts.readFile('/proc/self/status');
    expect(read.truncated).toBe(false);
    expect(read.content).toMatch(/^Name:/);
    expect(read.content).toMatch(/\nVmRSS:\s+\d+ kB\n/);
  });
});
