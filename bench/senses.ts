import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { LiveFacts } from '../src/platform/live.js';
import { readThermal } from '../src/platform/thermal.js';
import { parsePmsetTherm } from '../src/platform/darwin/pmset.js';
import { modelFolders, readVolumes, swapPaths } from '../src/platform/disk.js';
import { readHostIdentity } from '../src/platform/host-identity.js';
import { readLoad, SenseMonitor } from '../src/engine/senses.js';
import { LogTail, resolveLog } from '../src/engine/log-tail.js';
import { measure, type CpuClock, type Span } from './measure.js';
import type { CostSeries } from './probes.js';

export interface SenseCosts {
  thermal: CostSeries;
  pmsetParse: CostSeries;
  disk: CostSeries;
  load: CostSeries;
  logAppended: CostSeries;
  logIdle: CostSeries;
  all: CostSeries;
  identity: { span: Span; outcome: string };
}

async function repeat(clock: CpuClock, count: number, work: (i: number) => Promise<string>): Promise<CostSeries> {
  let outcome = await work(-1);
  const spans: Span[] = [];
  for (let i = 0; i < count; i++) {
    const m = await measure(clock, () => work(i));
    spans.push(m.span);
    outcome = m.value;
  }
  return { spans, outcome };
}

/**
 * Each sense as a cycle reads it, on this host: thermal (sysfs here; pmset's parsing from a real
 * sample, since pmset cannot run here), disk (statfs of the swap files, model folders and a data
 * folder), the load averages, a tailed log (one line appended a cycle, and a cycle with nothing
 * new), all of them as SenseMonitor.poll runs them, and the host identity read once.
 */
export async function benchSenses(clock: CpuClock, root: string, count: number): Promise<SenseCosts> {
  const facts = new LiveFacts();
  const platform = process.platform === 'darwin' ? 'darwin' : 'linux';
  const dir = mkdtempSync(join(os.tmpdir(), 'warden-bench-senses-'));
  const log = join(dir, 'server.log');
  appendFileSync(log, '');
  try {
    const thermal = await repeat(clock, count, async () => {
      const part = await readThermal(facts, platform);
      return part.ok ? part.value.summary : `unknown: ${part.reason}`;
    });
    const pmsetText = readFileSync(join(root, 'test/fixtures/darwin/real/pmset-therm/2.txt'), 'utf8');
    const pmsetParse = await repeat(clock, count, async () => parsePmsetTherm(pmsetText)?.summary ?? 'not parsed');
    const disk = await repeat(clock, count, async () => {
      const paths = [
        ...(await swapPaths(facts, platform)).map((path) => ({ path, role: 'swap' as const })),
        ...modelFolders(os.homedir()).map((path) => ({ path, role: 'models' as const })),
        { path: dir, role: 'data' as const },
      ];
      const part = await readVolumes(facts, paths);
      return part.ok ? `${part.value.volumes.length} volume(s) of ${paths.length} paths` : `unknown: ${part.reason}`;
    });
    const load = await repeat(clock, count, async () => {
      const part = await readLoad(facts);
      return part.ok ? `load ${part.value.loadavg[0].toFixed(2)} / ${part.value.cores}` : part.reason;
    });
    const tail = new LogTail(resolveLog('bench', { path: log, name: 'prefill', pattern: 'prefill_us=(?<v>[\\d,]+)', unit: 'us' }));
    const logAppended = await repeat(clock, count, async (i) => {
      appendFileSync(log, `2026-05-10 14:21:00 INFO chat done prefill_us=${(200_000 + i).toLocaleString('en-US')} decode_us=2,180,000\n`);
      await tail.poll(facts, Date.now());
      return tail.view().text;
    });
    const logIdle = await repeat(clock, count, async () => {
      await tail.poll(facts, Date.now());
      return tail.view().text;
    });
    const monitor = new SenseMonitor();
    monitor.configure({ platform, home: os.homedir(), services: [{ name: 'bench', port: 1, logs: [{ path: log, pattern: 'prefill_us=(?<v>[\\d,]+)', unit: 'us' }] }], modelFolders: [], dataDir: dir });
    const all = await repeat(clock, count, async (i) => {
      appendFileSync(log, `INFO chat done prefill_us=${(210_000 + i).toLocaleString('en-US')}\n`);
      const s = await monitor.poll(facts, Date.now());
      return `thermal ${s.thermal.ok ? 'read' : 'unknown'}, disk ${s.disk.ok ? 'read' : 'unknown'}, load ${s.load.ok ? 'read' : 'unknown'}, ${s.logs.length} log`;
    });
    const identityRun = await measure(clock, () => readHostIdentity());
    const identity = { span: identityRun.span, outcome: identityRun.value.ok ? identityRun.value.value.summary : identityRun.value.reason };
    return { thermal, pmsetParse, disk, load, logAppended, logIdle, all, identity };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
