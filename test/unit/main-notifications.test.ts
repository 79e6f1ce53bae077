import { describe, expect, it } from 'vitest';
import { NotificationCenter, type NotificationLike, type NotificationOptions } from '../../src/main/notifications.js';
import type { Notification } from '../../src/common/findings.js';
import { INCIDENT_ID, READOPT } from '../support/states.js';

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

function setup(supported = true) {
  FakeNotification.made = [];
  const opened: Array<string | null> = [];
  const logs: string[] = [];
  const center = new NotificationCenter({ Notification: FakeNotification, isSupported: () => supported, open: (id) => opened.push(id), log: (l) => logs.push(l) });
  return { center, opened, logs };
}

describe('NotificationCenter', () => {
  it("shows the engine's notification as written, with sound only for red", () => {
    const { center } = setup();
    center.show(incident);
    center.show({ ...incident, kind: 'recovery', severity: 'ok', title: 'cathedral answers again' });
    const [red, recovery] = FakeNotification.made;
    expect(red!.options).toEqual({ title: incident.title, body: incident.body, silent: false, urgency: 'critical' });
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
});
