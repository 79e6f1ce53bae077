import { describe, expect, it } from 'vitest';
import { NotificationCenter, type NotificationLike, type NotificationOptions } from '../../../src/main/notifications.js';
import type { Notification } from '../../../src/common/findings.js';
import { INCIDENT_ID, READOPT } from '../../support/states.js';
import { readFileSync } from 'node:fs';
import { BODY_MAX, notificationBody } from '../../../src/main/notification-text.js';
import { createReplayEngine } from '../../../src/engine/create.js';
import { parseCapture } from '../../../src/platform/capture.js';

class FakeNotification implements NotificationLike {
  static made: FakeNotification[] = [];
  shown = false;
  listeners = new Map<string, (...args: unknown[]) => void>();
  constructor(readonly options: NotificationOptions) {
    FakeNotification.made.push(this);
  }
  show() {
    this.shown = true;
  }
  on(event: string, listener: (...args: never[]) => void) {
    this.listeners.set(event, listener as (...args: unknown[]) => void);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    this.listeners.get(event)!(...args);
  }
}

const incident: Notification = {
  incidentId: INCIDENT_ID,
  kind: 'incident',
  severity: 'crit',
  title: "cathedral's canary: no answer within 10 s",
  body: 'Host swapping: swap 10.1 GiB used, 820 MiB free of 64 GiB, pressure critical. Thieves: sanctum-mlx ~50 GB +3.5 GB/h; LM Studio worker ~13 GB arrived 28 min before; qemu 368% CPU.',
  at: 0,
};

function setup(supported = true, platform: NodeJS.Platform = 'darwin') {
  FakeNotification.made = [];
  const opened: Array<string | null> = [];
  const confirmed: Array<[string, string]> = [];
  const logs: string[] = [];
  const center = new NotificationCenter({
    Notification: FakeNotification,
    isSupported: () => supported,
    open: (id) => opened.push(id),
    offerFor: (id) => (id === INCIDENT_ID ? { id: UNLOAD_ID, label: 'Unload qwen2.5-coder-14b' } : null),
    confirm: (incidentId, actionId) => confirmed.push([incidentId, actionId]),
    platform,
    log: (l) => logs.push(l),
  });
  return { center, opened, confirmed, logs };
}

const UNLOAD_ID = 'unload:lm-studio:qwen2.5-coder-14b';

describe('NotificationCenter', () => {
  it("shows the engine's notification as written, with sound only for red", () => {
    const { center } = setup();
    center.show(incident);
    center.show({ ...incident, kind: 'recovery', severity: 'ok', title: 'cathedral answers again' });
    const [red, recovery] = FakeNotification.made;
    expect(red!.options).toEqual({
      title: incident.title,
      body: incident.body,
      silent: false,
      urgency: 'critical',
      groupId: `incident-${INCIDENT_ID}`,
      id: `${INCIDENT_ID}/incident-0`,
      actions: [{ type: 'button', text: 'Unload qwen2.5-coder-14b…' }],
    });
    expect(red!.shown).toBe(true);
    expect(recovery!.options.silent).toBe(true);
  });

  it('a click opens the popover at that incident', () => {
    const { center, opened } = setup();
    center.show(incident);
    FakeNotification.made[0]!.fire('click');
    expect(opened).toEqual([INCIDENT_ID]);
  });

  it('a refused notification (unsigned build) is logged; nothing throws', () => {
    const { center, logs } = setup();
    center.show(incident);
    expect(() => FakeNotification.made[0]!.fire('failed', {}, 'Notifications are not allowed for this application')).not.toThrow();
    expect(center.failedCount()).toBe(1);
    expect(logs[0]).toMatch(/notification failed \(Notifications are not allowed for this application\)/);
    expect(logs[0]).toMatch(/menu-bar colour still shows the state/);
  });

  it('where notifications are not supported, it logs instead', () => {
    const { center, logs } = setup(false);
    center.show(incident);
    expect(FakeNotification.made).toHaveLength(0);
    expect(logs[0]).toMatch(/not shown \(not supported here\)/);
  });

  it('says how an action ended', () => {
    const { center, opened } = setup();
    center.actionOutcome({ id: READOPT.id, ok: true, steps: ['copied', 'bootstrapped'], message: 'cathedral is supervised by launchd again.', downtimeSeconds: 27.4, startedAt: 0, finishedAt: 27_400 }, READOPT);
    center.actionOutcome({ id: READOPT.id, ok: false, steps: [], message: 'plutil -lint failed.', downtimeSeconds: null, startedAt: 0, finishedAt: 1 }, READOPT);
    const [done, failed] = FakeNotification.made;
    expect(done!.options).toMatchObject({ title: 'Re-adopt: done', body: 'cathedral is supervised by launchd again. Downtime 27 s.', silent: true });
    expect(failed!.options).toMatchObject({ title: 'Re-adopt: failed', body: 'plutil -lint failed.', silent: false });
    done!.fire('click');
    expect(opened).toEqual([null]);
  });

  it('cuts a body longer than a notification can show', () => {
    const { center } = setup();
    center.show({ ...incident, body: 'x'.repeat(5000) });
    const body = FakeNotification.made[0]!.options.body;
    expect(body.length).toBe(400);
    expect(body.endsWith('…')).toBe(true);
  });

  it("the action button opens that action's confirm step; it runs nothing itself", () => {
    const { center, opened, confirmed } = setup();
    center.show(incident);
    FakeNotification.made[0]!.fire('action', { actionIndex: 0 }, 0);
    expect(confirmed).toEqual([[INCIDENT_ID, UNLOAD_ID]]);
    expect(opened).toEqual([]);
  });

  it('no button where nothing is offered, on a recovery, or off macOS', () => {
    const { center } = setup();
    center.show({ ...incident, incidentId: 'other' });
    center.show({ ...incident, kind: 'recovery', severity: 'ok' });
    expect(FakeNotification.made.map((n) => n.options.actions)).toEqual([undefined, undefined]);
    const linux = setup(true, 'linux');
    linux.center.show(incident);
    expect(FakeNotification.made[0]!.options.actions).toBeUndefined();
  });

  it("one group per incident: an incident's notices share it, another incident has its own", () => {
    const { center } = setup();
    center.show(incident);
    center.show({ ...incident, kind: 'reminder', at: 3_600_000 });
    center.show({ ...incident, kind: 'recovery', at: 7_200_000 });
    center.show({ ...incident, incidentId: 'other', at: 5 });
    const groups = FakeNotification.made.map((n) => n.options.groupId);
    expect(groups).toEqual([`incident-${INCIDENT_ID}`, `incident-${INCIDENT_ID}`, `incident-${INCIDENT_ID}`, 'incident-other']);
    expect(new Set(FakeNotification.made.map((n) => n.options.id)).size).toBe(4);
  });
});

describe("the incident's notification body", () => {
  it('keeps the cause, the straw and Next: when cut to what macOS shows (the 873-character body)', async () => {
    const bundle = parseCapture(readFileSync('test/fixtures/captures/incident-2026-05-10.json', 'utf8'), 'incident');
    const session = createReplayEngine(bundle);
    const sent: Notification[] = [];
    session.engine.onNotification((n) => sent.push(n));
    await session.runAll();
    await session.engine.stop();
    const red = sent.find((n) => n.kind === 'incident' && n.severity === 'crit')!;
    expect(red.body.length).toBeGreaterThan(800);
    const { center } = setup();
    center.show(red);
    const body = FakeNotification.made[0]!.options.body;
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    const lines = body.split('\n');
    expect(lines[0]).toMatch(/^Memory pressure: swap 10\.1 GiB used, 820 MiB free of 64 GiB/);
    expect(lines).toContain('LM Studio loaded qwen2.5-coder-14b (13.0 GB) 28 min before the first failure, in LM Studio worker (LM Studio Helper, PID 7781)');
    expect(lines.find((l) => l.startsWith('Next: '))).toBe('Next: Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b), then watch the canary');
    expect(lines.at(-1)).toMatch(/^\+\d+ more in Warden$/);
    expect(body).not.toContain('Also: ');
  });

  it('a body that fits is left as written', () => {
    expect(notificationBody('Cause\nNext: do it')).toBe('Cause\nNext: do it');
  });

  it('when even the kept lines are too long, the cause is shortened and Next: stays whole', () => {
    const next = 'Next: Free memory: unload qwen2.5-coder-14b from LM Studio (warden unload lm-studio qwen2.5-coder-14b), then watch the canary';
    const body = notificationBody(`${'Memory pressure '.repeat(40)}\nAlso: x\n${next}`);
    expect(body.length).toBeLessThanOrEqual(BODY_MAX);
    expect(body.split('\n')).toContain(next);
    expect(body.split('\n')[0]!.endsWith('…')).toBe(true);
  });
});
