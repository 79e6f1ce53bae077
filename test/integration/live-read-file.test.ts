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

describe.runIf(process.platform === 'linux')('LiveFacts.readFile on the kernel /proc files it reads in-process', () => {
  const facts = new LiveFacts();

  it('reads /proc/meminfo, vmstat and this process cgroup whole, as the file reads them', async () => {
    const { readFileSync } = await import('node:fs');
    const meminfo = await facts.readFile('/proc/meminfo');
    expect(meminfo).toMatchObject({ exists: true, truncated: false, error: null });
    expect(meminfo.content?.split('\n')[0]).toBe(readFileSync('/proc/meminfo', 'utf8').split('\n')[0]);
    const vmstat = await facts.readFile('/proc/vmstat');
    expect(vmstat.content).toMatch(/^nr_free_pages \d+\n/);
    expect((await facts.readFile(`/proc/${process.pid}/cgroup`)).content).toBe(readFileSync(`/proc/${process.pid}/cgroup`, 'utf8'));
  });

  it('caps as any read does, and says a file that is not there does not exist', async () => {
    const capped = await facts.readFile('/proc/vmstat', { maxBytes: 100 });
    expect({ truncated: capped.truncated, length: capped.content?.length }).toEqual({ truncated: true, length: 100 });
    expect(await facts.readFile('/proc/4194305/cgroup')).toEqual({ path: '/proc/4194305/cgroup', exists: false, content: null, truncated: false, error: null });
  });

  it('leaves every other path to the bounded reader (a FIFO is still refused)', async () => {
    const { PROC_TEXT_FILE } = await import('../../src/platform/linux/proc-file.js');
    for (const path of ['/proc/meminfo', '/proc/vmstat', '/proc/pressure/memory', '/proc/locks', '/proc/12/cgroup', '/proc/12/fdinfo/3']) expect(PROC_TEXT_FILE.test(path), path).toBe(true);
    for (const path of ['/proc/self/fd/0', '/proc/12/fd/3', '/proc/meminfo/../kcore', '/proc/kcore', '/tmp/meminfo', '/proc/12/cgroup\n']) expect(PROC_TEXT_FILE.test(path), path).toBe(false);
  });
});
