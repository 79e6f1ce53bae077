import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostIdentity } from '../../../src/common/host-identity.js';
import { known, unknownPart, type Part } from '../../../src/common/result.js';
import { bootKeyNow, cachedIdentityReader, sameBoot, type BootKey } from '../../../src/platform/identity-cache.js';

const IDENTITY: HostIdentity = {
  os: 'macOS 15.4',
  model: 'Mac mini (Mac16,11)',
  chip: 'Apple M4 Pro',
  cores: { logical: 14, physical: 14, performance: 10, efficiency: 4 },
  memoryBytes: 64 * 2 ** 30,
  gpus: ['Apple M4 Pro'],
  summary: 'macOS 15.4 · Mac mini (Mac16,11) · Apple M4 Pro, 14 cores (10 P + 4 E) · 64 GiB',
};
const BOOT: BootKey = { hostname: 'studio', kernel: '24.4.0', cpus: 14, memoryBytes: 64 * 2 ** 30, bootId: null, bootedAt: 1_780_000_000 };

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'warden-identity-'));
  file = path.join(dir, 'cache', 'host-identity.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A reader whose fresh reads are counted (systeminformation stands behind it in the engine). */
function counted(answer: Part<HostIdentity> = known(IDENTITY)) {
  const reads = { count: 0 };
  return { reads, read: () => ((reads.count += 1), Promise.resolve(answer)) };
}

describe('the kept host identity', () => {
  it('answers the next process\'s first read from the kept one, and reads afresh after that (a wake)', async () => {
    const first = counted();
    const one = cachedIdentityReader(file, first.read, () => BOOT);
    expect(await one()).toEqual(known(IDENTITY));
    expect(first.reads.count).toBe(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const next = counted(known({ ...IDENTITY, os: 'macOS 15.5' }));
    const two = cachedIdentityReader(file, next.read, () => BOOT);
    expect(await two()).toEqual(known(IDENTITY));
    expect(next.reads.count).toBe(0);
    // After a wake: read afresh, and what it read is what the next process is given.
    expect(await two()).toEqual(known({ ...IDENTITY, os: 'macOS 15.5' }));
    expect(next.reads.count).toBe(1);
    const three = counted();
    expect(await cachedIdentityReader(file, three.read, () => BOOT)()).toEqual(known({ ...IDENTITY, os: 'macOS 15.5' }));
    expect(three.reads.count).toBe(0);
  });

  it('reads afresh on another boot or another machine', async () => {
    await cachedIdentityReader(file, counted().read, () => BOOT)();
    for (const other of [
      { ...BOOT, bootedAt: BOOT.bootedAt + 60 },
      { ...BOOT, hostname: 'other' },
      { ...BOOT, kernel: '24.5.0' },
      { ...BOOT, memoryBytes: 32 * 2 ** 30 },
      { ...BOOT, bootId: 'b1' },
    ]) {
      const fresh = counted();
      await cachedIdentityReader(file, fresh.read, () => other)();
      expect(fresh.reads.count, JSON.stringify(other)).toBe(1);
      // This boot's back for the next case.
      writeFileSync(file, JSON.stringify({ version: 1, boot: BOOT, identity: IDENTITY }));
    }
  });

  it('tells boots apart by boot id where there is one, else by boot time within 5 s', () => {
    expect(sameBoot(BOOT, { ...BOOT, bootedAt: BOOT.bootedAt + 4 })).toBe(true);
    expect(sameBoot(BOOT, { ...BOOT, bootedAt: BOOT.bootedAt - 6 })).toBe(false);
    const linux = { ...BOOT, bootId: '6f1c0b3e-0000-4000-8000-000000000001' };
    expect(sameBoot(linux, { ...linux, bootedAt: linux.bootedAt + 30 })).toBe(true);
    expect(sameBoot(linux, { ...linux, bootId: '6f1c0b3e-0000-4000-8000-000000000002' })).toBe(false);
    expect(sameBoot(linux, BOOT)).toBe(false);
    // This host, read twice: the same boot.
    expect(sameBoot(bootKeyNow(), bootKeyNow(Date.now() + 1500))).toBe(true);
  });

  it('reads past a kept file that is garbage, too big, of another shape or hostile, and then keeps a good one', async () => {
    const good = { version: 1, boot: BOOT, identity: IDENTITY };
    const bad = [
      'not json {',
      '',
      'x'.repeat(20_000),
      JSON.stringify([good]),
      JSON.stringify({ ...good, version: 2 }),
      JSON.stringify({ ...good, identity: { ...IDENTITY, summary: 42 } }),
      JSON.stringify({ ...good, identity: { ...IDENTITY, summary: 'x'.repeat(501) } }),
      JSON.stringify({ ...good, identity: { ...IDENTITY, gpus: 'Apple' } }),
      JSON.stringify({ ...good, identity: { ...IDENTITY, cores: { ...IDENTITY.cores, logical: -1 } } }),
      JSON.stringify({ ...good, identity: { ...IDENTITY, memoryBytes: '64 GB' } }),
      JSON.stringify({ ...good, boot: { ...BOOT, bootedAt: 'yesterday' } }),
      JSON.stringify({ ...good, identity: null }),
    ];
    for (const text of bad) {
      await cachedIdentityReader(file, counted().read, () => BOOT)();
      writeFileSync(file, text);
      const fresh = counted();
      expect(await cachedIdentityReader(file, fresh.read, () => BOOT)(), text.slice(0, 80)).toEqual(known(IDENTITY));
      expect(fresh.reads.count, text.slice(0, 80)).toBe(1);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(good);
    }
  });

  it('keeps no failed read, and a folder it cannot write costs only the keeping', async () => {
    const failed = counted(unknownPart('host identity: systeminformation gave no answer within 20 s'));
    expect((await cachedIdentityReader(file, failed.read, () => BOOT)()).ok).toBe(false);
    const after = counted();
    await cachedIdentityReader(file, after.read, () => BOOT)();
    expect(after.reads.count).toBe(1);

    // The cache folder's parent is a file: nothing can be made under it.
    const blocked = path.join(dir, 'plain-file');
    writeFileSync(blocked, '');
    const under = counted();
    expect(await cachedIdentityReader(path.join(blocked, 'cache', 'host-identity.json'), under.read, () => BOOT)()).toEqual(known(IDENTITY));
    expect(under.reads.count).toBe(1);
  });
});
