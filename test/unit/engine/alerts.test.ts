import { describe, expect, it } from 'vitest';
import { AlertPolicy, parseAlertSnapshot, type AlertPolicyOptions, type AlertSnapshot, type AlertStep } from '../../../src/engine/alerts.js';
import { assess } from '../../../src/engine/assess.js';
import { diagnose } from '../../../src/engine/diagnose.js';
import { CAUSE_PAGES_ALONE_AFTER_MINUTES, DEFAULT_NOTIFICATIONS, DEFAULT_THRESHOLDS } from '../../../src/engine/defaults.js';
import type { SnoozeTarget } from '../../../src/common/api.js';
import type { NotificationConfig } from '../../../src/common/config.js';
import type { Diagnosis, Finding, Notification } from '../../../src/common/findings.js';
import type { Severity } from '../../../src/common/severity.js';
import type { IncidentEvent } from '../../../src/engine/history.js';
import { T, healthyObservation, incidentObservation } from '../../support/incident-observation.js';

const INTERVAL = 5_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
const utcMinutes = (now: number) => Math.floor((now % 86_400_000) / MIN);

function f(key: string, severity: Severity = 'crit', over: Partial<Finding> = {}): Finding {
  const [kind, id] = key.split(':') as [string, string];
  const subject: Finding['subject'] =
    kind === 'memory' ? { kind: 'memory', id: 'host' }
      : kind === 'service' ? { kind: 'service', id }
        : kind === 'lock' ? { kind: 'lock', id }
          : kind === 'job' ? { kind: 'job', id }
            : kind === 'thief' ? { kind: 'process', id }
              : { kind: 'warden', id };
  return { key, severity, title: `title of ${key}`, evidence: [], since: 0, causes: [], actions: [], subject, ...over };
}

/** Drives a policy cycle by cycle on an injected clock. */
class Run {
  notes: Notification[] = [];
  events: IncidentEvent[] = [];
  last!: AlertStep;
  policy: AlertPolicy;
  constructor(
    public now = T,
    config: Partial<NotificationConfig> = {},
    options: AlertPolicyOptions = {},
    snapshot: AlertSnapshot | null = null,
  ) {
    this.policy = new AlertPolicy({ ...DEFAULT_NOTIFICATIONS, ...config }, snapshot, { intervalSeconds: INTERVAL / 1000, localMinutes: utcMinutes, ...options });
  }
  cycle(findings: Finding[], diagnoses = new Map<string, Diagnosis>(), advance = INTERVAL): AlertStep {
    this.now += advance;
    this.last = this.policy.step(findings, diagnoses, this.now);
    this.notes.push(...this.last.notifications);
    this.events.push(...this.last.events);
    return this.last;
  }
  repeat(n: number, findings: Finding[] | ((i: number) => Finding[]), advance = INTERVAL): void {
    for (let i = 0; i < n; i += 1) this.cycle(typeof findings === 'function' ? findings(i) : findings, new Map(), advance);
  }
  kinds(): string[] {
    return this.notes.map((n) => n.kind);
  }
}

const down = f('service:cathedral:down');

describe('alerts: sequences → notifications', () => {
  it('stays silent while all is green, for 1000 cycles', () => {
    const run = new Run();
    run.repeat(1000, []);
    expect(run.notes).toEqual([]);
    expect(run.last.incidents).toEqual([]);
  });

  it('stays silent for 1000 cycles of warnings when onWarn is off, showing them as a quiet incident', () => {
    const run = new Run();
    run.repeat(1000, [f('service:cathedral:orphaned', 'warn'), f('job:weekly:failed', 'warn')]);
    expect(run.notes).toEqual([]);
    expect(run.last.incidents).toHaveLength(1);
    expect(run.last.incidents[0]!.notified).toBe(false);
  });

  it('a single-cycle blip (under the paging bar) → no incident, no notification', () => {
    const run = new Run();
    run.repeat(40, (i) => (i === 0 ? [down] : []));
    expect(run.notes).toEqual([]);
    expect(run.last.incidents).toHaveLength(0);
  });

  it('an incident that met the paging bar and recovers inside the group window pages as it recovers, then the recovery', () => {
    // fires (2 of 3), clears for 3 cycles and closes 25 s after it fired, before the 30 s group window ends
    const run = new Run();
    run.repeat(40, (i) => (i < 3 ? [down] : []));
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    expect(run.notes[0]!.title).toBe('title of service:cathedral:down');
    expect(run.notes[0]!.at).toBe(run.notes[1]!.at);
    expect(run.last.incidents).toHaveLength(1);
    expect(run.last.incidents[0]!).toMatchObject({ notified: true, closedAt: run.notes[1]!.at });
    expect(run.events.filter((e) => e.type === 'notify').map((e) => e.notification!.kind)).toEqual(['incident', 'recovery']);
  });

  it('a snoozed incident that recovers inside the group window sends nothing', () => {
    const run = new Run();
    run.policy.snooze({ scope: 'service', name: 'cathedral' }, T + HOUR);
    run.repeat(40, (i) => (i < 3 ? [down] : []));
    expect(run.notes).toEqual([]);
  });

  it('catches flapping 1-0-1-0 and notifies once', () => {
    const run = new Run();
    run.repeat(60, (i) => (i % 2 === 0 ? [down] : []));
    expect(run.kinds()).toEqual(['incident']);
  });

  it('sends exactly one recovery notice once all-clear for recoveryAfterCycles', () => {
    const run = new Run();
    run.repeat(20, [down]);
    run.repeat(2, []);
    expect(run.kinds()).toEqual(['incident']);
    run.cycle([]);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    run.repeat(200, []);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    expect(run.notes[1]!.title).toBe('Recovered: title of service:cathedral:down');
    expect(run.notes[1]!.severity).toBe('ok');
  });

  it('recovers when the red clears even if a warning stays; the warning lives on quietly', () => {
    const orphan = f('service:cathedral:orphaned', 'warn');
    const run = new Run();
    run.repeat(20, [down, orphan]);
    run.repeat(3, [orphan]);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    expect(run.notes[1]!.body).toBe('Clear for 3 checks; open 1 min 45 s.\nStill: title of service:cathedral:orphaned');
    run.repeat(500, [orphan]);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    const open = run.last.incidents.filter((i) => i.closedAt === null);
    expect(open).toEqual([expect.objectContaining({ findingKeys: ['service:cathedral:orphaned'], severity: 'warn', notified: false })]);
  });

  it('sends no recovery notice when recovery is off', () => {
    const run = new Run(T, { recovery: false });
    run.repeat(20, [down]);
    run.repeat(20, []);
    expect(run.kinds()).toEqual(['incident']);
  });

  it('waits the group window, then notifies once for findings that started together', () => {
    const run = new Run();
    run.cycle([down]);
    run.cycle([down]); // fires: 2 of 3
    run.repeat(4, [down, f('lock:/x.db:held')]);
    expect(run.notes).toEqual([]);
    run.repeat(30, [down, f('lock:/x.db:held')]);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.notes[0]!.body).toContain('Also: title of lock:/x.db:held');
    expect(run.last.incidents).toHaveLength(1);
  });

  it('opens a second incident for an unrelated failure starting later', () => {
    const run = new Run();
    run.repeat(20, [down]);
    run.repeat(20, [down, f('lock:/x.db:held')]);
    expect(run.kinds()).toEqual(['incident', 'incident']);
  });

  it('notifies warnings when onWarn is on', () => {
    const run = new Run(T, { onWarn: true });
    run.repeat(20, [f('service:cathedral:orphaned', 'warn')]);
    expect(run.kinds()).toEqual(['incident']);
  });
});

describe('alerts: a cause and its symptoms make one notification', () => {
  const memory = f('memory:available', 'crit', { title: 'Memory nearly exhausted' });
  const canary = f('service:cathedral:canary', 'crit', { causes: ['memory:available'], title: 'cathedral: canary not answering within 10 s' });
  const diagnoses = new Map<string, Diagnosis>([
    ['service:cathedral:canary', { symptom: 's', cause: 'memory pressure: swap 10.1 GiB used', causeEvidence: [], thieves: ['LM Studio worker (PID 4410), 13.0 GB'], suggestion: null }],
  ]);

  it('memory first, the symptom ten minutes later: one notification, titled by the symptom, with memory as its cause', () => {
    const run = new Run();
    run.repeat(20, [memory]);
    // A cause waits before it pages alone (CAUSE_PAGES_ALONE_AFTER_MINUTES); the tray is red meanwhile.
    expect(run.kinds()).toEqual([]);
    for (let i = 0; i < 20; i += 1) run.cycle([memory, canary], diagnoses);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.notes[0]!.title).toBe('cathedral: canary not answering within 10 s');
    expect(run.notes[0]!.body).toContain('Memory pressure: swap 10.1 GiB used');
    expect(run.last.incidents).toHaveLength(1);
    expect(run.last.incidents[0]!.title).toBe('cathedral: canary not answering within 10 s');
  });

  it('memory exhausted with no symptom to show it pages alone after 30 minutes, once', () => {
    const run = new Run();
    const cycles = Math.ceil((CAUSE_PAGES_ALONE_AFTER_MINUTES * 60_000) / INTERVAL);
    run.repeat(cycles - 2, [memory]);
    expect(run.kinds()).toEqual([]);
    run.repeat(10, [memory]);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.notes[0]!.title).toBe('Memory nearly exhausted');
  });

  it('the symptom first, memory later: the cause does not notify on its own', () => {
    const run = new Run();
    for (let i = 0; i < 20; i += 1) run.cycle([canary], diagnoses);
    for (let i = 0; i < 20; i += 1) run.cycle([canary, memory], diagnoses);
    expect(run.kinds()).toEqual(['incident']);
  });

  it('together: the notification is the symptom, the cause carried in its body, not repeated', () => {
    const run = new Run();
    for (let i = 0; i < 20; i += 1) run.cycle([memory, canary], diagnoses);
    expect(run.notes).toHaveLength(1);
    expect(run.notes[0]!.title).toBe('cathedral: canary not answering within 10 s');
    expect(run.notes[0]!.body).toBe('Memory pressure: swap 10.1 GiB used\nLM Studio worker (PID 4410), 13.0 GB');
  });
});

describe('alerts: the afternoon of 2026-05-10', () => {
  it('sends exactly ONE crit notification naming the symptom, the measured cause and the three thieves', () => {
    const run = new Run(T);
    let previous: Map<string, Finding> | null = null;
    for (let i = 0; i < 40; i += 1) {
      const now = run.now + INTERVAL;
      const input = incidentObservation(now);
      const judged = diagnose(assess(input, previous, DEFAULT_THRESHOLDS, now), input, now);
      previous = new Map(judged.findings.map((x) => [x.key, x]));
      run.cycle(judged.findings, judged.diagnoses);
    }
    expect(run.notes).toHaveLength(1);
    const [note] = run.notes;
    expect(note!.kind).toBe('incident');
    expect(note!.severity).toBe('crit');
    expect(note!.title).toBe('cathedral: canary not answering within 10 s; 3 of the last 5 failed');
    const body = note!.body;
    for (const text of [
      'swap 10.1 GiB used',
      '820 MiB free of 64 GiB',
      'pressure critical',
      'cathedral (sanctum-mlx, PID 812), ~50.2 GB, growing 3.5 GB/h',
      'LM Studio worker (llmworker, PID 4410), 13.0 GB, arrived 28 min before the first failure',
      'qemu-system-aarch64 (PID 977), 1.3 GB, 368% CPU',
      'Also: workspace.duckdb: locked 3 d 2 h by PID 10832 (Python)',
      'Also: cathedral: running unsupervised (plist missing)',
      'Also: weekly-restart: last run exit 5',
    ]) expect(body).toContain(text);
    // the cause and the thieves are said once, in the lines above, not again as "Also"
    expect(body).not.toMatch(/Also: (Memory|Swapping|cathedral \(sanctum-mlx|qemu)/);
    expect(body.split('\n').every((line) => line.length <= 120)).toBe(true);
    expect(run.last.incidents).toHaveLength(1);
    expect(run.last.incidents[0]!.findingKeys).toHaveLength(9);
  });

  it('sends nothing on a healthy day on the same host', () => {
    const run = new Run();
    for (let i = 0; i < 200; i += 1) {
      const now = run.now + INTERVAL;
      const input = healthyObservation(now);
      const judged = diagnose(assess(input, null, DEFAULT_THRESHOLDS, now), input, now);
      run.cycle(judged.findings, judged.diagnoses);
    }
    expect(run.notes).toEqual([]);
  });
});

describe('alerts: restart mid-incident', () => {
  const roundTrip = (s: AlertSnapshot) => parseAlertSnapshot(JSON.parse(JSON.stringify(s)));

  it.each([
    { name: 'right away', gap: INTERVAL },
    { name: 'after ten minutes down', gap: 10 * MIN },
  ])('resumes without re-notifying ($name)', ({ gap }) => {
    const first = new Run();
    first.repeat(20, [down]);
    expect(first.kinds()).toEqual(['incident']);
    const snapshot = roundTrip(first.policy.snapshot());
    expect(snapshot).not.toBeNull();
    const second = new Run(first.now, {}, {}, snapshot);
    second.cycle([down], new Map(), gap);
    second.repeat(40, [down]);
    expect(second.notes).toEqual([]);
    expect(second.last.incidents[0]!.id).toBe(first.last.incidents[0]!.id);
    second.repeat(5, []);
    expect(second.kinds()).toEqual(['recovery']);
  });

  it('sends a notification still waiting in the group window exactly once after the restart', () => {
    const first = new Run();
    first.repeat(3, [down]);
    expect(first.notes).toEqual([]);
    const second = new Run(first.now, {}, {}, roundTrip(first.policy.snapshot()));
    second.repeat(20, [down]);
    expect(second.kinds()).toEqual(['incident']);
  });

  it('writes history events with ids that do not collide across the restart', () => {
    const first = new Run();
    first.repeat(20, [down]);
    const second = new Run(first.now, {}, {}, roundTrip(first.policy.snapshot()));
    second.repeat(5, []);
    const ids = [...first.events, ...second.events].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...first.events, ...second.events].map((e) => e.type)).toEqual(['open', 'notify', 'close', 'notify']);
  });

  it('rejects a snapshot it cannot resume', () => {
    expect(parseAlertSnapshot({ version: 2 })).toBeNull();
    expect(parseAlertSnapshot('garbage')).toBeNull();
    expect(parseAlertSnapshot({ ...new AlertPolicy(DEFAULT_NOTIFICATIONS).snapshot(), trackers: [{ key: 1 }] })).toBeNull();
  });
});

describe('alerts: quiet hours (22:00–07:00)', () => {
  const quiet = { quietHours: { start: '22:00', end: '07:00' } };
  const at = (h: number, m = 0) => Date.UTC(2026, 4, 10, h, m);

  it('holds the notification and delivers it once quiet hours end, if still firing', () => {
    const run = new Run(at(23), quiet, { intervalSeconds: 60 });
    run.repeat(7 * 60 + 59, [down], MIN); // until 06:59
    expect(run.notes).toEqual([]);
    run.repeat(30, [down], MIN);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.notes[0]!.at).toBe(at(31)); // 07:00 the next day
  });

  it('drops it when the failure ended during quiet hours', () => {
    const run = new Run(at(23), quiet, { intervalSeconds: 60 });
    run.repeat(60, [down], MIN);
    run.repeat(9 * 60, [], MIN);
    expect(run.notes).toEqual([]);
  });

  it('holds a recovery notice of a notified incident until morning', () => {
    const run = new Run(at(21, 54), quiet, { intervalSeconds: 60 });
    run.repeat(5, [down], MIN); // notified at 21:56
    expect(run.kinds()).toEqual(['incident']);
    run.repeat(60, [], MIN); // all clear from 22:00, recovered at 22:02: inside quiet hours
    expect(run.kinds()).toEqual(['incident']);
    run.repeat(8 * 60, [], MIN); // 22:59 → 06:59
    expect(run.kinds()).toEqual(['incident']);
    run.cycle([], new Map(), MIN); // 07:00
    expect(run.kinds()).toEqual(['incident', 'recovery']);
    // the notice keeps the time the recovery happened
    expect(run.notes[1]!.at).toBe(at(22, 2));
    run.repeat(60, [], MIN);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
  });
});

describe('alerts: snooze', () => {
  it.each([
    { name: 'the service', target: { scope: 'service' as const, name: 'cathedral' } },
    { name: 'everything', target: { scope: 'all' as const } },
  ])('snoozing $name holds its notification until the snooze ends', ({ target }) => {
    const run = new Run();
    run.policy.snooze(target, T + HOUR);
    run.repeat(HOUR / INTERVAL - 1, [down]);
    expect(run.notes).toEqual([]);
    run.repeat(10, [down]);
    expect(run.kinds()).toEqual(['incident']);
  });

  it('snoozing a service covers the memory cause folded into it, not an unrelated lock', () => {
    const memory = f('memory:available');
    const canary = f('service:cathedral:canary', 'crit', { causes: ['memory:available'] });
    const run = new Run();
    run.policy.snooze({ scope: 'service', name: 'cathedral' }, T + HOUR);
    run.repeat(20, [memory, canary]);
    expect(run.notes).toEqual([]);
    run.repeat(20, [memory, canary, f('lock:/x.db:held')]);
    expect(run.kinds()).toEqual(['incident']);
  });

  it.each<{ name: string; snoozes: Array<[SnoozeTarget, number | null]>; at: number; expected: number | null }>([
    { name: 'muted, asked within the hour', snoozes: [[{ scope: 'service', name: 'cathedral' }, T + HOUR]], at: T + HOUR - 1, expected: T + HOUR },
    { name: 'muted, asked as it ends', snoozes: [[{ scope: 'service', name: 'cathedral' }, T + HOUR]], at: T + HOUR, expected: null },
    { name: 'muted, asked after it ended', snoozes: [[{ scope: 'service', name: 'cathedral' }, T + HOUR]], at: T + 2 * HOUR, expected: null },
    { name: 'muted again: the later end replaces the first', snoozes: [[{ scope: 'service', name: 'cathedral' }, T + HOUR], [{ scope: 'service', name: 'cathedral' }, T + 2 * HOUR]], at: T, expected: T + 2 * HOUR },
    { name: 'unmuted', snoozes: [[{ scope: 'service', name: 'cathedral' }, T + HOUR], [{ scope: 'service', name: 'cathedral' }, null]], at: T, expected: null },
    { name: 'another service muted', snoozes: [[{ scope: 'service', name: 'embeddings' }, T + HOUR]], at: T, expected: null },
    { name: 'everything snoozed: not its own mute', snoozes: [[{ scope: 'all' }, T + HOUR]], at: T, expected: null },
  ])('a service\'s own snooze end: $name', ({ snoozes, at, expected }) => {
    const policy = new Run().policy;
    for (const [target, until] of snoozes) policy.snooze(target, until);
    expect(policy.serviceSnoozedUntil('cathedral', at)).toBe(expected);
  });

  it('a muted service sends nothing while another service, failing later, is notified', () => {
    const run = new Run();
    run.policy.snooze({ scope: 'service', name: 'cathedral' }, T + HOUR);
    run.repeat(20, [down]);
    expect(run.notes).toEqual([]);
    const other = f('service:embeddings:down');
    run.repeat(20, [down, other]);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.notes[0]!.title).toBe('title of service:embeddings:down');
    expect(run.policy.serviceSnoozedUntil('cathedral', run.now)).toBe(T + HOUR);
    expect(run.policy.serviceSnoozedUntil('embeddings', run.now)).toBeNull();
  });

  it('lifting a snooze (null) lets the notification through at once', () => {
    const run = new Run();
    run.policy.snooze({ scope: 'all' }, T + HOUR);
    expect(run.policy.snoozedUntil(T)).toBe(T + HOUR);
    run.repeat(20, [down]);
    run.policy.snooze({ scope: 'all' }, null);
    expect(run.policy.snoozedUntil(T)).toBeNull();
    run.cycle([down]);
    expect(run.kinds()).toEqual(['incident']);
  });
});

describe('alerts: a clock that jumps neither fires nor clears', () => {
  it.each([
    { name: 'sleep (1 h gap)', jump: HOUR, options: {} },
    { name: 'clock set back 1 h', jump: -HOUR, options: {} },
    { name: 'sleep, interval learned from the gaps', jump: HOUR, options: { intervalSeconds: undefined } },
  ])('$name: the cycle after the jump does not count toward pending', ({ jump, options }) => {
    const run = new Run(T, {}, options);
    run.repeat(10, []);
    run.cycle([down]);
    run.cycle([down], new Map(), jump);
    run.repeat(20, []);
    expect(run.last.incidents).toEqual([]);
    expect(run.notes).toEqual([]);

    // the same presence without the jump fires
    const control = new Run(T, {}, options);
    control.repeat(10, []);
    control.cycle([down]);
    control.cycle([down]);
    control.repeat(20, []);
    expect(control.last.incidents).toHaveLength(1);
  });

  it('does not count toward recovery', () => {
    const run = new Run(T, { recoveryAfterCycles: 1 });
    run.repeat(20, [down]);
    run.cycle([], new Map(), HOUR); // woke: the failure looks gone, but this cycle does not count
    run.repeat(20, [down]);
    expect(run.kinds()).toEqual(['incident']);
    expect(run.last.incidents.filter((i) => i.closedAt === null)).toHaveLength(1);

    const control = new Run(T, { recoveryAfterCycles: 1 });
    control.repeat(20, [down]);
    control.cycle([]);
    control.repeat(20, [down]);
    expect(control.kinds()).toEqual(['incident', 'recovery', 'incident']);
  });
});

describe('alerts: reminders', () => {
  it.each([
    { name: 'off by default', reminderHours: null, expected: ['incident'] },
    { name: 'every 4 h', reminderHours: 4, expected: ['incident', 'reminder', 'reminder'] },
    { name: 'asked for every hour, held to 4 h', reminderHours: 1, expected: ['incident', 'reminder', 'reminder'] },
  ])('reminders $name', ({ reminderHours, expected }) => {
    const run = new Run(T, { reminderHours }, { intervalSeconds: 60 });
    run.repeat(10 * 60, [down], MIN);
    expect(run.kinds()).toEqual(expected);
  });
});

describe('alerts: an unreadable part is not a recovery', () => {
  it('holds the incident open while its subject cannot be read', () => {
    const memory = f('memory:available');
    const run = new Run();
    run.repeat(Math.ceil((CAUSE_PAGES_ALONE_AFTER_MINUTES * 60_000) / INTERVAL) + 5, [memory]);
    run.repeat(20, [f('unknown:memory', 'unknown', { subject: { kind: 'memory', id: 'host' } })]);
    expect(run.kinds()).toEqual(['incident']);
    run.repeat(3, []);
    expect(run.kinds()).toEqual(['incident', 'recovery']);
  });
});
