import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRow } from '../../src/common/processes.js';
import { LiveFacts } from '../../src/platform/live.js';
import { readMemory } from '../../src/platform/memory.js';
import { readProcessTable } from '../../src/platform/processes.js';
import { parsePs } from '../../src/platform/ps.js';

const onLinux = process.platform === 'linux';

const ARGV0 = 'wärden-tëst-🦊';
const SCRIPT = 'setInterval(() => {}, 1000)';
const EXPECTED_COMMAND = `${ARGV0} -e ${SCRIPT} -- two words`;

describe.runIf(onLinux)('live memory and process table on this Linux', () => {
  let child: ChildProcess;

  beforeAll(async () => {
    child = spawn(process.execPath, ['-e', SCRIPT, '--', 'two words'], { argv0: ARGV0, stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
  });

  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('reads host memory with plausible values', async () => {
    const at = Date.now();
    const part = await readMemory(new LiveFacts(), 'linux', at);
    if (!part.ok) throw new Error(part.reason);
    const m = part.value;
    expect(m.at).toBe(at);
    expect(m.platform).toBe('linux');
    expect(m.totalBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(m.availableBytes).toBeGreaterThan(0);
    expect(m.availableBytes).toBeLessThanOrEqual(m.totalBytes);
    expect(m.freeBytes).toBeLessThanOrEqual(m.totalBytes);
    expect(m.swapUsedBytes).toBeLessThanOrEqual(m.swapTotalBytes);
    expect(m.counters?.pageSizeBytes).toBe(4096);
    expect(m.counters?.pageins).toBeGreaterThan(0);
    if (existsSync('/proc/pressure/memory')) {
      expect(m.pressure).not.toBeNull();
      expect(m.pressureSource).toMatch(/^\/proc\/pressure\/memory some avg10=\d+\.\d\d/);
    }
  });

  it('finds this test process with its parent and its command', async () => {
    const part = await readProcessTable(new LiveFacts(), Date.now());
    if (!part.ok) throw new Error(part.reason);
    const self = part.value.rows.find((r) => r.pid === process.pid);
    expect(self).toBeDefined();
    expect(self?.ppid).toBe(process.ppid);
    expect(self?.command).toMatch(/vitest|node/);
    expect(self?.rssBytes).toBeGreaterThan(0);
    expect(self?.zombie).toBe(false);
    expect(part.value.rows.find((r) => r.pid === 1)?.ppid).toBe(0);
  });

  it('finds a child with a space in an argument and a unicode argv[0], whole, through the runner', async () => {
    // The runner keeps numbers in the C locale but characters in UTF-8, so procps prints the name as it is.
    const part = await readProcessTable(new LiveFacts(), Date.now());
    if (!part.ok) throw new Error(part.reason);
    const row = part.value.rows.find((r) => r.pid === child.pid) as ProcessRow;
    expect(row).toBeDefined();
    expect(row.ppid).toBe(process.pid);
    expect(row.command).toBe(EXPECTED_COMMAND);
    expect(row.name).toBe(ARGV0);
    expect(row.elapsedSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe('a 5,000-row process table', () => {
  it('parses fully, every row', () => {
    const lines: string[] = [];
    const at = 1_778_400_000_000;
    for (let pid = 100; pid < 5100; pid += 1) {
      const etime = pid % 3 === 0 ? '12-03:04:05' : pid % 3 === 1 ? '03:04:05' : '04:05';
      const time = pid % 2 === 0 ? '123:45.67' : '01:02:03';
      const command =
        pid % 5 === 0
          ? `/Applications/Some App.app/Contents/Frameworks/Some App Helper (GPU).app/Contents/MacOS/Some App Helper (GPU) --type=gpu-process --seatbelt-client=${pid} ${'x'.repeat(pid % 700)}`
          : pid % 5 === 1
            ? `[kworker/${pid % 8}:${pid % 3}]`
            : `/usr/bin/worker --id ${pid} --path /var/tmp/with space/${pid}`;
      lines.push(`${String(pid).padStart(5)} ${String(pid - 1).padStart(5)}   501 ${String(pid * 10).padStart(6)}   0.${pid % 10} ${time.padStart(9)} ${etime.padStart(11)} ${command}`);
    }
    const { rows, skipped } = parsePs(`${lines.join('\n')}\n`, at);
    expect(skipped).toBe(0);
    expect(rows).toHaveLength(5000);
    expect(rows[0]).toMatchObject({ pid: 100, ppid: 99, name: 'Some App Helper (GPU)', elapsedSeconds: 3 * 3600 + 4 * 60 + 5, cpuSeconds: 123 * 60 + 45.67 });
    expect(rows[1]).toMatchObject({ pid: 101, name: 'kworker/5:2' });
    expect(rows[4999]?.pid).toBe(5099);
    expect(rows.every((r) => Number.isFinite(r.startedAt) && r.command.length > 0)).toBe(true);
  });
});
