import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JobMonitor, launchctlHint, nextDue, previousDue } from '../../../src/engine/jobs.js';
import { DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { JobConfig } from '../../../src/common/config.js';
import { ScriptedFacts, fail, ok } from '../../support/scripted-facts.js';

const WEEKLY_PRINT = readFileSync(new URL('../../fixtures/darwin/launchctl-print-weekly-restart-incident.SYNTHETIC.txt', import.meta.url), 'utf8');
const LABEL = 'com.sanctum.mlx.weekly-restart';
const LOG = '/Users/bert/sanctum/logs/weekly-restart.log';
const weekly: JobConfig = { name: 'weekly restart', supervisor: { kind: 'launchd', label: LABEL }, schedule: { every: 'week', weekday: 0, hour: 4, minute: 0 }, logPath: LOG };
const options = { platform: 'darwin' as const, uid: 501, thresholds: DEFAULT_THRESHOLDS };

// Local time, whatever the test machine's zone: Sunday 2026-05-10 04:00 is the due time.
const SUNDAY_4AM = new Date(2026, 4, 10, 4, 0, 0).getTime();
const HOUR = 3_600_000;

function launchdHost(print: () => string, tail: string | null) {
  return new ScriptedFacts()
    .on((argv) => (argv[0] === 'launchctl' && argv[2] === `gui/501/${LABEL}` ? ok(argv, print()) : null))
    .on((argv) => (argv[0] === 'tail' ? (tail === null ? fail(argv, 1, `tail: cannot open '${LOG}' for reading: No such file or directory\n`) : ok(argv, tail)) : null));
}

async function look(monitor: JobMonitor, now: number) {
  await monitor.poll(now);
  await monitor.idle();
  return monitor.views(now)[0];
}

describe('schedules', () => {
  it('previous and next due times of a weekly and a daily schedule, in local time', () => {
    const schedule = { every: 'week' as const, weekday: 0, hour: 4, minute: 0 };
    expect(previousDue(schedule, SUNDAY_4AM + 1)).toBe(SUNDAY_4AM);
    expect(previousDue(schedule, SUNDAY_4AM - 1)).toBe(new Date(2026, 4, 3, 4, 0, 0).getTime());
    expect(nextDue(schedule, SUNDAY_4AM + 1, null)).toBe(new Date(2026, 4, 17, 4, 0, 0).getTime());
    const daily = { every: 'day' as const, hour: 2, minute: 30 };
    expect(previousDue(daily, new Date(2026, 4, 10, 1, 0).getTime())).toBe(new Date(2026, 4, 9, 2, 30).getTime());
    expect(nextDue({ every: 'interval', seconds: 120 }, 0, 1000)).toBe(121_000);
    expect(nextDue({ every: 'interval', seconds: 120 }, 0, null)).toBeNull();
  });

  it('in a named zone: a capture from Amsterdam replays its 04:00 Sunday job at 04:00 Amsterdam time, across DST', () => {
    const schedule = { every: 'week' as const, weekday: 0, hour: 4, minute: 0 };
    // 2026-05-10 04:00 in Amsterdam (CEST, UTC+2) is 02:00 UTC; in New York (EDT) 08:00 UTC.
    expect(previousDue(schedule, Date.UTC(2026, 4, 10, 12, 0), 'Europe/Amsterdam')).toBe(Date.UTC(2026, 4, 10, 2, 0));
    expect(previousDue(schedule, Date.UTC(2026, 4, 10, 12, 0), 'America/New_York')).toBe(Date.UTC(2026, 4, 10, 8, 0));
    // Before Sunday 04:00 there, the week before's is the last one due.
    expect(previousDue(schedule, Date.UTC(2026, 4, 10, 1, 0), 'Europe/Amsterdam')).toBe(Date.UTC(2026, 4, 3, 2, 0));
    // The week the clocks change (29 March 2026, 02:00 → 03:00): a week later is 04:00 CEST, not CET.
    expect(nextDue(schedule, Date.UTC(2026, 2, 22, 12, 0), null, 'Europe/Amsterdam')).toBe(Date.UTC(2026, 2, 29, 2, 0));
    const daily = { every: 'day' as const, hour: 2, minute: 30 };
    // 02:30 does not exist in Amsterdam on 29 March: as the local clock's own arithmetic, it is 03:30 CEST.
    expect(previousDue(daily, Date.UTC(2026, 2, 29, 12, 0), 'Europe/Amsterdam')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // 02:30 happens twice in Amsterdam on 25 October (CEST, then CET): the first.
    expect(previousDue(daily, Date.UTC(2026, 9, 25, 12, 0), 'Europe/Amsterdam')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    expect(previousDue(daily, Date.UTC(2026, 4, 10, 12, 0), 'Asia/Tokyo')).toBe(Date.UTC(2026, 4, 9, 17, 30));
  });

  it('launchctl messages in a log explain the exit code they caused, and only that one', () => {
    const tail = 'restarting cathedral\nBootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n';
    expect(launchctlHint(tail, 5)).toBe('exit 5 (EIO: Input/output error) — launchctl bootstrap could not load the plist');
    expect(launchctlHint(tail, 1)).toBeNull();
    expect(launchctlHint('Could not find service "com.x" in domain for user gui: 501\n', 113)).toBe('exit 113 — launchctl could not find service com.x');
  });
});

describe('JobMonitor', () => {
  it('the failed weekly restart: exit 5 explained from its log; launchd keeps no run time', async () => {
    const facts = launchdHost(() => WEEKLY_PRINT, 'Sun May 10 04:00:01 2026 restarting\nBootstrap failed: 5: Input/output error\nTry re-running the command as root for richer errors.\n');
    const monitor = new JobMonitor(facts, { everySeconds: 0 });
    monitor.configure([weekly], options);
    const view = await look(monitor, SUNDAY_4AM + 10 * HOUR);
    expect(view).toMatchObject({ name: 'weekly restart', kind: 'launchd', target: `gui/501/${LABEL}`, lastRunAt: null, overdueSeconds: null, logPath: LOG });
    expect(view?.lastExit).toMatchObject({ code: 5, signal: null });
    expect(view?.explanation).toBe(`last exit 5 (EIO: Input/output error) — launchctl bootstrap could not load the plist (${LOG}); last run time unknown (launchd does not record it)`);
    expect(facts.ran).toContainEqual(['tail', '-c', '4096', '--', LOG]);
  });

  it('without a log that says why, the plain meaning of the exit code', async () => {
    const monitor = new JobMonitor(launchdHost(() => WEEKLY_PRINT, null), { everySeconds: 0 });
    monitor.configure([weekly], options);
    const view = await look(monitor, SUNDAY_4AM + HOUR);
    expect(view?.explanation).toMatch(/^last exit 5 \(EIO: Input\/output error.*\); last run time unknown \(launchd does not record it\)$/);
    expect(view?.explanation).not.toContain(LOG);
  });

  it('overdue when Warden watched across the due time and the run count never moved; not once it moves', async () => {
    let runs = 9;
    const print = () => WEEKLY_PRINT.replace('runs = 9', `runs = ${runs}`).replace('last exit code = 5', 'last exit code = 0');
    const monitor = new JobMonitor(launchdHost(print, ''), { everySeconds: 0 });
    monitor.configure([weekly], options);
    expect((await look(monitor, SUNDAY_4AM - 2 * HOUR))?.overdueSeconds).toBeNull();
    expect((await look(monitor, SUNDAY_4AM + 30 * 60_000))?.overdueSeconds).toBeNull(); // inside the 60 min grace
    const late = await look(monitor, SUNDAY_4AM + 2 * HOUR);
    expect(late?.overdueSeconds).toBe(2 * 3600);
    expect(late?.explanation).toBe('last exit 0 (success); due 2 h ago and has not run since; last run time unknown (launchd does not record it)');
    runs = 10;
    const ran = await look(monitor, SUNDAY_4AM + 3 * HOUR);
    expect(ran?.overdueSeconds).toBeNull();
    expect(ran?.lastRunAt).toBe(SUNDAY_4AM + 3 * HOUR);
  });

  it('a job launchd does not hold will not run', async () => {
    const facts = new ScriptedFacts().on((argv) => fail(argv, 113, `Bad request.\nCould not find service "${LABEL}" in domain for user gui: 501\n`));
    const monitor = new JobMonitor(facts, { everySeconds: 0 });
    monitor.configure([weekly], options);
    const view = await look(monitor, SUNDAY_4AM);
    expect(view?.explanation).toBe(`Could not find service "${LABEL}" in domain for user gui: 501: it will not run`);
    expect(view?.lastExit).toBeNull();
  });

  it('a systemd job: last run and exit from systemctl show', async () => {
    const started = 1778385600; // seconds
    const show = [
      'Id=backup.service',
      'LoadState=loaded',
      'ActiveState=failed',
      'SubState=failed',
      'MainPID=0',
      'ExecMainStatus=2',
      'ExecMainCode=1',
      `ExecMainStartTimestamp=@${started}`,
      `ExecMainExitTimestamp=@${started + 12}`,
      'Result=exit-code',
      'NRestarts=0',
      '',
    ].join('\n');
    const facts = new ScriptedFacts().on((argv) => (argv[0] === 'systemctl' ? ok(argv, show) : null));
    const monitor = new JobMonitor(facts, { everySeconds: 0 });
    monitor.configure([{ name: 'backup', supervisor: { kind: 'systemd', unit: 'backup.service', scope: 'user' } }], { ...options, platform: 'linux' });
    const view = await look(monitor, started * 1000 + HOUR);
    expect(view).toMatchObject({ kind: 'systemd', target: 'backup.service', lastRunAt: started * 1000 });
    expect(view?.lastExit).toMatchObject({ code: 2 });
    expect(view?.explanation).toBe('last exit 2 (misuse: bad arguments); systemd result: exit-code');
    expect(facts.ran[0]?.slice(0, 3)).toEqual(['systemctl', '--user', 'show']);
  });

  it('reads at most once per interval', async () => {
    const facts = launchdHost(() => WEEKLY_PRINT, '');
    const monitor = new JobMonitor(facts);
    monitor.configure([weekly], options);
    await look(monitor, SUNDAY_4AM);
    await look(monitor, SUNDAY_4AM + 30_000);
    expect(facts.ran.filter((a) => a[0] === 'launchctl')).toHaveLength(1);
    await look(monitor, SUNDAY_4AM + 61_000);
    expect(facts.ran.filter((a) => a[0] === 'launchctl')).toHaveLength(2);
  });
});
