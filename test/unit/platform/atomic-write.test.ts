import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/platform/atomic-write.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the file whole, with the mode given even where the file existed with another', async () => {
    const target = join(dir, 'config.json');
    await writeFile(target, 'old', { mode: 0o644 });
    await writeFileAtomic(target, 'new', { mode: 0o600, sync: true });
    expect(await readFile(target, 'utf8')).toBe('new');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);
  });

  it('a temporary file left by a crash, or a link planted in its place, is replaced, not written through', async () => {
    const target = join(dir, 'alerts.json');
    const temp = `${target}.${process.pid}.tmp`;
    const elsewhere = join(dir, 'elsewhere');
    await writeFile(elsewhere, 'untouched');
    await symlink(elsewhere, temp);
    await writeFileAtomic(target, 'fresh');
    expect(await readFile(target, 'utf8')).toBe('fresh');
    expect(await readFile(elsewhere, 'utf8')).toBe('untouched');
    expect((await readdir(dir)).sort()).toEqual(['alerts.json', 'elsewhere']);
  });

  it('a failed rename leaves the old file and no temporary file, and throws', async () => {
    const target = join(dir, 'series.json');
    await mkdir(target);
    await writeFile(join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'text')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await readdir(dir)).toEqual(['series.json']);
    expect(await readFile(join(target, 'inside'), 'utf8')).toBe('x');
  });
});
