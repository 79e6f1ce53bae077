/**
 * `npm run bench`: Warden's performance table for an operator (DESIGN.md § Performance budget).
 * Exit 1 when one sampling cycle costs less than 10× fewer CPU than systeminformation reading the
 * same facts, or (Linux) more than 1.5× the floor: the same /proc reads, nothing judged, measured
 * in its own loop by the same clock (bench/floor-ratio.ts). Every other figure is reported, never asserted.
 * WARDEN_BENCH_CYCLES sets the sampling cycles (default 50; CI runs 20) and scales the rest;
 * WARDEN_BENCH_LONG_SECONDS the long run of the real `warden watch` and `warden serve` (default
 * 600; CI runs 40; 0 skips it); WARDEN_BENCH_PROCESSES the real sleeping processes of the big
 * table (default 5000; 0 skips it).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { errorText } from '../src/common/result.js';
import { plural } from '../src/common/format.js';
import { median, openCpuClock, sumSpans, type Span } from './measure.js';
import { Report, bytes, count, ms, percent, ratio, signedBytes } from './report.js';
import { repoRoot } from './repo.js';
import { startFarm } from './farm.js';
import { SI_SPACING_MS, benchSampling } from './sampling.js';
import { SETTLE_AFTER_MS, TRIM_SHARE, WARM_UP_MS, benchFloorRatio, floorFigures } from './floor-ratio.js';
import { benchLiveChecks, benchProbe, benchScriptedChecks, type CostSeries } from './probes.js';
import { benchEngine, benchHistory, benchTable, type EngineCost } from './scaling.js';
import { INCIDENT_CAPTURE, benchStateSize, popoverSizes } from './sizes.js';
import { INSPECT_EVERY_SECONDS } from '../src/engine/services/monitor.js';
import { DISCOVERY_INTERVAL_SECONDS } from '../src/engine/services/discovery.js';
import { RESIDENT_FLAG, measureResident, residentChild } from './resident.js';
import { SETTLE_MS, benchLongRun, longRunSecondsFromEnv } from './long-run.js';
import { benchManyProcesses } from './many-processes.js';
import { benchSenses } from './senses.js';
import { benchStatusStart } from './status-start.js';
import { RATE_PAIR_MS } from '../src/cli/command-inputs.js';

const DEFAULT_CYCLES = 50;
const GATE_RATIO = 10;
/**
 * The sampling cycle against the floor (bench/floor.ts: the same reads, nothing judged), on the
 * trimmed means of bench/floor-ratio.ts. Measured there at 1.13–1.33× on the 2-core test host,
 * quiet and with both cores busy; spawning ps for the table measured 4.3× a plain walk.
 */
const FLOOR_GATE_RATIO = 1.5;
/** Turns of the floor loop: at least this many, whatever WARDEN_BENCH_CYCLES says (40 take ~12 s). */
const MIN_FLOOR_TURNS = 40;
/** The issue's bar for the long-running processes, reported beside them (not gated: a shared host's load moves it). */
const LONG_RUN_TARGET_PERCENT = 0.15;
const DEFAULT_LONG_SECONDS = 600;
const DEFAULT_PROCESSES = 5_000;
/** The uptime row: processes over the tracker's 64 MB floor (a Mac with a browser, an IDE and two model servers has about this many) among small ones. */
const HISTORY_TRACKED = 30;
const HISTORY_SMALL = 300;
/** DESIGN.md: under 0.2 % of one core at the default interval. */
const CPU_BUDGET_PERCENT = 0.2;
const DEFAULT_INTERVAL_MS = 5_000;
const STATUS_RUNS = 5;
/** The issue's bar for `warden status`: CPU outside its sleep for rates (reported, not gated). */
const STATUS_TARGET_MS = 400;

function processesFromEnv(): number {
  const text = process.env.WARDEN_BENCH_PROCESSES;
  if (text === undefined || text === '') return DEFAULT_PROCESSES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 20_000) throw new Error(`WARDEN_BENCH_PROCESSES must be a whole number from 0 to 20000, not ${JSON.stringify(text)}`);
  return n;
}

function cyclesFromEnv(): number {
  const text = process.env.WARDEN_BENCH_CYCLES;
  if (text === undefined || text === '') return DEFAULT_CYCLES;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 5 || n > 10_000) throw new Error(`WARDEN_BENCH_CYCLES must be a whole number from 5 to 10000, not ${JSON.stringify(text)}`);
  return n;
}

const cpuPerCycle = (spans: readonly Span[]) => sumSpans(spans).cpuMs / spans.length;
const walls = (spans: readonly Span[]) => spans.map((s) => s.wallMs);
const range = (spans: readonly Span[]) => `${ms(Math.min(...walls(spans)))} – ${ms(Math.max(...walls(spans)))}`;

async function main(): Promise<number> {
  const started = performance.now();
  const cycles = cyclesFromEnv();
  const root = repoRoot();
  const clock = await openCpuClock();
  const report = new Report();

  // 1. Sampling
  const sampling = await benchSampling(clock, cycles);
  const w = sumSpans(sampling.warden);
  const s = sumSpans(sampling.si);
  const samplingRatio = s.cpuMs / w.cpuMs;
  const wardenPercent = (w.cpuMs / cycles / DEFAULT_INTERVAL_MS) * 100;
  report.section(`1. Sampling cycle: host memory + process table + thieves, ${cycles} cycles, interleaved with systeminformation mem() + processes()`);
  report.row('CPU per cycle, mean, incl. children', `${ms(w.cpuMs / cycles)}`, `si ${ms(s.cpuMs / cycles)}`, `${ratio(samplingRatio)} less CPU (gate: ≥ ${GATE_RATIO}×)`);
  report.row('  in this process', ms(w.selfMs / cycles), `si ${ms(s.selfMs / cycles)}`, ratio(s.selfMs / w.selfMs));
  report.row('  in child processes', ms(w.childMs / cycles), `si ${ms(s.childMs / cycles)}`, clock.childrenCounted ? ratio(s.childMs / w.childMs) : 'not counted on this OS');
  report.row('wall per cycle, median', ms(median(walls(sampling.warden))), `si ${ms(median(walls(sampling.si)))}`);
  report.row('wall per cycle, min – max', range(sampling.warden), `si ${range(sampling.si)}`);
  report.row('processes read per cycle', count(sampling.wardenRows), `si ${count(sampling.siRows)}`, `${sampling.thieves} thieves named`);
  report.row('sampling CPU at the default 5 s interval', percent(wardenPercent), `budget ${CPU_BUDGET_PERCENT} %`, `of one core; ${wardenPercent <= CPU_BUDGET_PERCENT ? 'within' : 'OVER'} budget`);
  const floor = process.platform === 'linux' ? await benchFloorRatio(clock, Math.max(MIN_FLOOR_TURNS, cycles)) : null;
  const floorCost = floor ? floorFigures(floor) : null;
  if (floor && floorCost) {
    report.row(
      'against the floor: Warden\'s cycle, net',
      ms(floorCost.wardenNetMs),
      `floor ${ms(floorCost.floorNetMs)}`,
      `${ratio(floorCost.ratio, 2)} the floor (gate: ≤ ${FLOOR_GATE_RATIO}×); by plain means ${ratio(floorCost.plainRatio, 2)}; ${count(floor.rows)} processes (the floor walked ${count(floor.floorRows)})`,
    );
    report.note(
      `Floor: the same /proc reads, nothing parsed but the start time, nothing judged (bench/floor.ts). Its own loop of ${floor.wardenMs.length} turns after ${WARM_UP_MS / 1000} s of warm-up: a Warden cycle, a floor walk and an empty step in turn-about order, each followed by ${SETTLE_AFTER_MS} ms of idle counted in its CPU; the empty step's ${ms(floorCost.idleMs)} is taken out of both. Means drop ${TRIM_SHARE * 100} % of each side's spans at each end: one full collection or background compile (10–20 ms) lands in whichever step is running.`,
    );
  }
  if (!clock.childrenCounted) report.note('Child processes are not counted on this OS: both columns show in-process CPU only, and the ratio compares those.');
  report.note(`si processes() answers from a cache when called within 500 ms of its last answer: each si call started ≥ ${SI_SPACING_MS} ms after the previous one ended; ${sampling.siFresh}/${cycles} built a fresh list.`);
  report.note(
    process.platform === 'linux'
      ? 'Warden reads /proc in its own process (no spawn); si on Linux runs ps, then `cat /proc/PID/stat` for every process in one shell, so its cost grows with the process count.'
      : 'Warden runs one ps; si runs ps too.',
  );

  const farm = await startFarm(root, 4);
  const port = farm.fast[0] as number;
  let probe: CostSeries;
  let live: Awaited<ReturnType<typeof benchLiveChecks>>;
  let scripted: Awaited<ReturnType<typeof benchScriptedChecks>>;
  const engines: EngineCost[] = [];
  const engineCycles = Math.max(3, Math.round(cycles / 8));
  try {
    // 2. Per probe, per check
    probe = await benchProbe(clock, port, cycles * 4);
    live = await benchLiveChecks(clock, port, cycles);
    scripted = await benchScriptedChecks(clock, root, cycles * 4);
    // 3b. Whole engine cycles
    for (const services of [0, 10, 100]) engines.push(await benchEngine(clock, farm.fast, services, engineCycles));
  } finally {
    await farm.stop();
  }
  const costRow = (label: string, series: CostSeries, note: string) =>
    report.row(label, `CPU ${ms(cpuPerCycle(series.spans))}`, `wall ${ms(median(walls(series.spans)))}`, `${series.spans.length} runs, wall ${range(series.spans)}; ${note}`);
  report.section('2. Per probe and per supervision check (mean CPU incl. children, median wall)');
  costRow('HTTP probe (GET, 200 + JSON field)', probe, 'node:http on 127.0.0.1, in another process (not counted)');
  costRow('check: command supervisor, live', live.command, `pidfile + this host's table: ${live.command.outcome}`);
  costRow('check: every TCP listener via lsof, live', live.lsof, `lsof -iTCP -sTCP:LISTEN (${live.lsof.outcome}); one per round, shared by the inspections and discovery`);
  costRow('check: launchd, scripted', scripted.launchd, 'launchctl print answered from a real-format fixture: parsing only');
  costRow('check: systemd, scripted', scripted.systemd, 'systemctl show answered from a fixture: parsing only');

  // 3a. Tables
  await benchTable(clock, 500, 5); // JIT warm-up, not reported
  const small = await benchTable(clock, 500, Math.max(10, cycles));
  const large = await benchTable(clock, 5_000, Math.max(5, Math.round(cycles / 2)));
  report.section('3. Scaling: process table size (synthetic procps text: parsePs + ThiefTracker), services per engine cycle');
  report.row('parse + analyse 500 rows', `CPU ${ms(cpuPerCycle(small.spans))}`, `wall ${ms(median(walls(small.spans)))}`, `${small.spans.length} tables, ${small.thieves} thieves`);
  report.row('parse + analyse 5,000 rows', `CPU ${ms(cpuPerCycle(large.spans))}`, `wall ${ms(median(walls(large.spans)))}`, `${ratio(cpuPerCycle(large.spans) / cpuPerCycle(small.spans))} the 500-row CPU for 10× the rows`);
  const history = await benchHistory(clock, HISTORY_TRACKED, HISTORY_SMALL, 6, Math.max(10, cycles));
  report.row(
    `thieves after ${history.historyHours} h up, ${history.tracked} tracked`,
    `CPU ${ms(cpuPerCycle(history.full))}`,
    `wall ${ms(median(walls(history.full)))}`,
    `update + thieves() over ${count(history.rows)} rows; ${ratio(cpuPerCycle(history.full) / cpuPerCycle(history.fresh))} the same after 1 min up (${ms(cpuPerCycle(history.fresh))}); ${percent((cpuPerCycle(history.full) / DEFAULT_INTERVAL_MS) * 100)} of a core at 5 s`,
  );
  for (const e of engines) {
    const label = `engine cycle, ${e.services} services`;
    const worst = Math.max(e.first.wallMs, ...walls(e.steady));
    const steady = sumSpans(e.steady);
    report.row(
      label,
      `CPU ${ms(steady.cpuMs / e.steady.length)}`,
      `wall ${ms(median(walls(e.steady)))}`,
      `slowest cycle ${ms(worst)} = ${percent((worst / e.deadlineMs) * 100)} of the ${e.deadlineMs / 1000} s deadline; ${e.answering}/${e.services} answering`,
    );
    if (e.services > 0) {
      // Inspections outlive the cycle that starts them; what they cost shows up only in the total.
      const firstCpu = e.total.cpuMs - steady.cpuMs;
      report.row(
        `  first cycle, + inspections`,
        `CPU ${ms(firstCpu)}`,
        `wall ${ms(e.first.wallMs)}`,
        `${plural(e.lsofRuns, 'lsof run')} for ${e.services} inspections (every TCP listener at once), again every ${INSPECT_EVERY_SECONDS} s: ${ms(firstCpu / (INSPECT_EVERY_SECONDS * 1000 / DEFAULT_INTERVAL_MS))} per 5 s cycle`,
      );
    }
  }
  report.note(`Engine: live on this host (ps, /proc, lsof, HTTP); services probed every cycle; ${engineCycles} cycles ~1 s apart; steady = cycles after the first.`);

  // 4, 5. Sizes
  const stateSize = await benchStateSize(clock, root);
  report.section('4. State size');
  report.row(`State JSON after replaying the incident`, bytes(stateSize.bytes), `gzip ${bytes(stateSize.gzipBytes)}`, `${count(stateSize.bytes)} bytes; ${stateSize.samples} samples in ${ms(stateSize.replay.wallMs)}; ${stateSize.thieves} thieves, ${stateSize.findings} findings`);
  report.note(INCIDENT_CAPTURE);
  report.section('5. Popover bundle (dist/renderer)');
  let total = 0;
  let totalGzip = 0;
  for (const file of popoverSizes(root)) {
    if ('missing' in file) {
      report.row(file.name, 'missing', '', 'not built: run node scripts/build.mjs (npm run bench does)');
      continue;
    }
    total += file.bytes;
    totalGzip += file.gzipBytes;
    report.row(file.name, bytes(file.bytes), `gzip ${bytes(file.gzipBytes)}`, `${count(file.bytes)} bytes`);
  }
  report.row('popover total', bytes(total), `gzip ${bytes(totalGzip)}`);

  // 6. Resident
  const resident = await measureResident(fileURLToPath(import.meta.url), cycles);
  const steadyCycle = resident.rest.cpuMs / (resident.cycles - 1);
  const discovery = Math.max(0, resident.first.cpuMs - steadyCycle);
  const discoveryShare = discovery / ((DISCOVERY_INTERVAL_SECONDS * 1000) / DEFAULT_INTERVAL_MS);
  const enginePercent = ((steadyCycle + discoveryShare) / DEFAULT_INTERVAL_MS) * 100;
  report.section(`6. Warden headless: createEngine, zero config, no data folder, ${resident.cycles} cycles back to back in a fresh process`);
  report.row('resident memory (RSS) after the cycles', bytes(resident.rssBytes), `heap ${bytes(resident.heapUsedBytes)}`, `after a full GC; Node + code before the engine: ${bytes(resident.rssBeforeBytes)} RSS`);
  report.row('engine CPU per cycle, mean', ms(steadyCycle), `wall ${ms(resident.rest.wallMs / (resident.cycles - 1))}`, `the ${resident.cycles - 1} cycles after the first, incl. stop()`);
  report.row('  discovery + host identity, first cycle', ms(discovery), `+${ms(discoveryShare)}/cycle`, `one lsof of every TCP listener for the default LLM ports, again every ${DISCOVERY_INTERVAL_SECONDS / 60} min; the identity read (systeminformation) once, beside the loop (counted here as if repeated with discovery)`);
  report.row('engine CPU at the default 5 s interval', percent(enginePercent), `budget ${CPU_BUDGET_PERCENT} %`, `of one core; ${enginePercent <= CPU_BUDGET_PERCENT ? 'within' : 'OVER'} budget`);
  if (resident.unknowns.length > 0) report.note(`unknown in the last cycle: ${resident.unknowns.join('; ')}`);

  // 7. The real processes, from the OS
  const longSeconds = longRunSecondsFromEnv(DEFAULT_LONG_SECONDS);
  if (process.platform === 'linux' && longSeconds > 0) {
    const long = await benchLongRun(root, longSeconds);
    report.section(`7. Long run: the real warden watch and warden serve side by side, defaults (5 s), a data folder, ${Math.round(long.processes[0]?.seconds ?? longSeconds)} s after a ${SETTLE_MS / 1000} s settle (WARDEN_BENCH_LONG_SECONDS)`);
    for (const p of long.processes) {
      report.row(
        `${p.name}, whole process`,
        percent(p.percentOfCore),
        `target ${LONG_RUN_TARGET_PERCENT} %`,
        `of one core (utime+stime+cutime+cstime ${ms(p.cpuMs)}); ${ratio(p.percentOfCore / long.floorPercent)} the floor; RSS ${bytes(p.rssFirstBytes)} → ${bytes(p.rssLastBytes)} (max ${bytes(p.rssMaxBytes)}), ${p.rssLateSlopeBytesPerHour === null ? 'no slope (the run is under 10 min)' : `${signedBytes(p.rssLateSlopeBytesPerHour)}/h over the second half`}`,
      );
    }
    report.row('floor: the same /proc reads every 5 s', percent(long.floorPercent), `${ms(long.floorMsPerWalk)} a walk`, `${count(long.rows)} processes, read after the run`);
    report.note(`${long.discovered}. Stand-in servers: test/support/llm-stand-in.mjs, one 16 MiB model each.`);
  }
  // 8. A real 5,000-process table
  const processCount = processesFromEnv();
  if (process.platform === 'linux' && processCount > 0) {
    const many = await benchManyProcesses(clock, processCount, Math.max(3, Math.round(cycles / 4)));
    const wardenMs = sumSpans(many.warden).cpuMs / many.warden.length;
    const psMs = sumSpans(many.ps).cpuMs / many.ps.length;
    report.section(`8. A real table: ${count(many.started)} sleeping processes started by one shell (${many.startSeconds.toFixed(1)} s), reaped after`);
    report.row(`Warden's table + thieves, ${count(many.rows)} rows`, `CPU ${ms(wardenMs)}`, `wall ${ms(median(walls(many.warden)))}`, `${ratio(wardenMs / many.floorMs)} the floor; ${percent((wardenMs / DEFAULT_INTERVAL_MS) * 100)} of a core at 5 s`);
    report.row('  the same through one ps + parsePs', `CPU ${ms(psMs)}`, `wall ${ms(median(walls(many.ps)))}`, `incl. the ps child; ${ratio(psMs / wardenMs)} Warden's /proc read`);
    report.row('  floor: a plain /proc walk', `CPU ${ms(many.floorMs)}`, '', 'meminfo, vmstat, pressure, every stat+status+cmdline');
  }
  // 9. Senses
  const senses = await benchSenses(clock, root, cycles);
  report.section(`9. Senses per cycle (the differential's candidates), ${cycles} runs each, live on this host`);
  costRow('thermal', senses.thermal, senses.thermal.outcome);
  costRow('  pmset -g therm, parsing only', senses.pmsetParse, `a real sample (pmset cannot run here): ${senses.pmsetParse.outcome}`);
  costRow('disk: statfs of swap, model folders, data', senses.disk, `no spawn; ${senses.disk.outcome}`);
  costRow('load averages', senses.load, senses.load.outcome);
  costRow('service log: one line appended', senses.logAppended, `stat + the appended bytes: ${senses.logAppended.outcome}`);
  costRow('service log: nothing new', senses.logIdle, 'stat only');
  costRow('all senses, as a cycle runs them', senses.all, senses.all.outcome);
  report.row('host identity (systeminformation), once', `CPU ${ms(senses.identity.span.cpuMs)}`, `wall ${ms(senses.identity.span.wallMs)}`, `at start and after a wake, beside the loop, never in a cycle: ${senses.identity.outcome}`);

  // 10. warden status from a fresh process
  if (clock.childrenCounted) {
    const start = await benchStatusStart(clock, root, STATUS_RUNS);
    const cpu = (spans: readonly Span[]) => median(spans.map((x) => x.cpuMs));
    report.section(`10. warden status: a fresh process, a fresh data folder, ${STATUS_RUNS} runs (median)`);
    report.row('warden status, whole process', `CPU ${ms(cpu(start.status))}`, `wall ${ms(median(walls(start.status)))}`, `target ≤ ${STATUS_TARGET_MS} ms of CPU; the wall holds its ${RATE_PAIR_MS / 1000} s sleep for rates, which costs none; exit ${[...new Set(start.exitCodes)].join(', ')}`);
    report.row('  floor: node -e 0', `CPU ${ms(cpu(start.bareNode))}`, `wall ${ms(median(walls(start.bareNode)))}`, `Node's own start; status costs ${ms(cpu(start.status) - cpu(start.bareNode))} more`);
  }

  const lines = [
    `Warden bench: ${process.platform} ${os.arch()}, ${os.cpus().length} cores, Node ${process.version}, ${cycles} sampling cycles (WARDEN_BENCH_CYCLES)`,
    clock.how,
    '',
    report.render(),
    '',
    `took ${ms(performance.now() - started)}`,
  ];
  const siPassed = samplingRatio >= GATE_RATIO;
  lines.push(
    siPassed
      ? `GATE PASSED: a sampling cycle uses ${ratio(samplingRatio)} less CPU than systeminformation (needs ≥ ${GATE_RATIO}×)`
      : `GATE FAILED: a sampling cycle uses only ${ratio(samplingRatio)} less CPU than systeminformation (needs ≥ ${GATE_RATIO}×): Warden ${ms(w.cpuMs / cycles)}, si ${ms(s.cpuMs / cycles)} per cycle`,
  );
  const floorPassed = floorCost === null || floorCost.ratio <= FLOOR_GATE_RATIO;
  if (floorCost) {
    lines.push(
      floorPassed
        ? `GATE PASSED: a sampling cycle costs ${ratio(floorCost.ratio, 2)} the floor (needs ≤ ${FLOOR_GATE_RATIO}×)`
        : `GATE FAILED: a sampling cycle costs ${ratio(floorCost.ratio, 2)} the floor (needs ≤ ${FLOOR_GATE_RATIO}×): Warden ${ms(floorCost.wardenNetMs)}, floor ${ms(floorCost.floorNetMs)} per cycle, net`,
    );
  }
  console.log(lines.join('\n'));
  return siPassed && floorPassed ? 0 : 1;
}

async function run(): Promise<void> {
  const at = process.argv.indexOf(RESIDENT_FLAG);
  if (at >= 0) {
    await residentChild(Number(process.argv[at + 1]));
    return;
  }
  process.exitCode = await main();
}

run().catch((error: unknown) => {
  console.error(`bench: ${errorText(error)}`);
  process.exitCode = 2;
});
