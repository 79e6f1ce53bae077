/**
 * The popover. It talks only to `window.warden` (the Electron preload), or, in a plain browser
 * under `warden serve`, to the same API over HTTP. Every State push re-renders the main view;
 * the confirmation dialog and the snooze menu live outside it, so a push never closes them.
 */
import './window.js';
import type { ShellApi, WardenApi } from '../common/api.js';
import { formatBytes, formatDuration } from '../common/format.js';
import { errorText } from '../common/result.js';
import type { State } from '../common/state.js';
import type { Severity } from '../common/severity.js';
import { httpBridge, takeTokenFromLocation } from './bridge-http.js';
import { ConfirmDialog } from './confirm.js';
import { clockTime, makeElapsed, type ViewContext } from './context.js';
import { levelWord } from '../common/level-words.js';
import { offeredActions } from '../common/ipc.js';
import { button, el, hostText, replaceChildren } from './dom.js';
import { MemorySeries } from './series.js';
import { SettingsView } from './settings.js';
import { SnoozeMenu } from './snooze.js';
import { LEVEL_CLASS, section } from './ui.js';
import { headlineShownBelow, viewIncidents } from './view-incident.js';
import { viewJobs } from './view-jobs.js';
import { viewLocks } from './view-locks.js';
import { calmSparkline, viewMemory } from './view-memory.js';
import { viewServices } from './view-services.js';
import { viewModels } from './view-models.js';
import { viewThieves } from './view-thieves.js';

/** Re-render this often without a push, so ages count up and a silent engine turns the page grey. */
const TICK_MS = 5000;

class Popover {
  private state: State | null = null;
  private receivedAt = 0;
  private readonly series = new MemorySeries();
  private details = false;
  private problem: string | null = null;
  private readonly confirm: ConfirmDialog;
  private readonly snoozeMenu: SnoozeMenu;
  private focusIncident: string | null;
  /** An action whose confirm dialog to open once the State that offers it is here (a notification's button). */
  private confirmAction: string | null;

  constructor(
    private readonly api: WardenApi & ShellApi,
    private readonly root: HTMLElement,
  ) {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    this.focusIncident = params.get('incident');
    this.confirmAction = params.get('confirm');
    this.confirm = new ConfirmDialog(api);
    this.snoozeMenu = new SnoozeMenu(api, (message) => this.fail(message));
  }

  async start(): Promise<void> {
    this.api.subscribe((state) => this.accept(state));
    // The hour before the window opened, from the history the engine keeps across restarts.
    void this.api
      .memoryHistory()
      .then((points) => {
        this.series.seed(points);
        if (this.state) this.render();
      })
      .catch(() => undefined);
    try {
      const first = await this.api.getState();
      // A push may have overtaken this answer; the newer State wins.
      if (!this.state || first.generatedAt >= this.state.generatedAt) this.accept(first);
    } catch (error) {
      this.fail(`Could not read Warden's state: ${errorText(error)}`);
    }
    setInterval(() => {
      if (this.state && document.visibilityState === 'visible') this.render();
    }, TICK_MS);
    window.addEventListener('hashchange', () => {
      const params = new URLSearchParams(location.hash.replace(/^#/, ''));
      this.focusIncident = params.get('incident');
      this.confirmAction = params.get('confirm');
      this.render();
      if (this.state) this.openAskedConfirm(this.state);
    });
  }

  private accept(state: State): void {
    this.state = state;
    this.receivedAt = Date.now();
    this.problem = null;
    this.series.add(state);
    this.render();
    this.openAskedConfirm(state);
  }

  /** Opens the confirm step only: nothing runs until the operator presses Confirm. */
  private openAskedConfirm(state: State): void {
    if (this.confirmAction === null) return;
    const offer = offeredActions(state).find((a) => a.id === this.confirmAction);
    this.confirmAction = null;
    if (offer) this.confirm.open(offer);
    else this.fail('That action is no longer offered; nothing was done.');
  }

  private fail(message: string): void {
    this.problem = message;
    this.render();
  }

  private showSettings(): void {
    this.api.openSettings().catch((error: unknown) => this.fail(`Settings did not open: ${errorText(error)}`));
  }

  private render(): void {
    const state = this.state;
    if (!state) {
      replaceChildren(this.root, [el('p', { class: 'pad muted', role: 'status' }, this.problem ? plain(this.problem) : 'Waiting for the first sample…')]);
      return;
    }
    const elapsed = makeElapsed(state, this.receivedAt, () => Date.now());
    const ctx: ViewContext = {
      state,
      ago: (at) => Math.max(0, elapsed(at)),
      until: (at) => Math.max(0, -elapsed(at)),
      ask: (offer) => this.confirm.open(offer),
      snooze: (target, duration) => {
        const what = target.scope === 'service' ? `${duration === 'off' ? 'Unmuting' : 'Muting'} ${target.name}` : 'Snooze';
        this.api.snooze(target, duration).catch((error: unknown) => this.fail(`${what} failed: ${errorText(error)}`));
      },
      focusIncident: this.focusIncident,
    };
    const sampleAge = state.sampledAt === null ? null : ctx.ago(state.sampledAt);
    // Stale by the engine's word, or by ours: no fresh State for three intervals.
    const stale = state.stale || (sampleAge !== null && sampleAge > 3 * state.intervalSeconds);
    const level = stale ? 'unknown' : state.level;
    const calm = level === 'ok' && !this.details && state.incidents.every((i) => i.closedAt !== null);

    const body: (Node | null)[] = [this.header(state, level, ctx, calm)];
    if (this.problem) body.push(el('div', { class: 'banner banner-crit', role: 'alert' }, plain(this.problem)));
    if (stale) {
      body.push(
        el('div', { class: 'banner banner-stale', role: 'status' }, sampleAge === null ? 'No sample yet.' : `Last sample ${formatDuration(sampleAge)} ago. The values below are from then.`),
      );
    }
    if (state.replay) body.push(el('div', { class: 'banner banner-info' }, 'Replay of a capture, not this Mac.'));
    // An open incident is the glance: the sections wait behind Details so it fits the window.
    const glance = !this.details && state.incidents.some((i) => i.closedAt === null);
    if (calm) {
      body.push(this.calmLine(state));
    } else if (glance) {
      body.push(viewIncidents(ctx), el('div', { class: 'pad' }, button('Details: memory, processes, services…', () => this.toggleDetails(true), { kind: 'link', focusKey: 'details' })));
    } else {
      body.push(
        viewIncidents(ctx),
        viewMemory(ctx, this.series),
        viewThieves(ctx),
        viewServices(ctx),
        viewModels(ctx),
        viewLocks(ctx),
        viewJobs(ctx),
        unknowns(state),
        this.details ? el('div', { class: 'pad' }, button('Hide details', () => this.toggleDetails(false), { kind: 'link', focusKey: 'details' })) : null,
      );
    }
    body.push(this.footer(state, sampleAge));
    replaceChildren(this.root, body.filter((node): node is Node => node !== null));
    if (this.focusIncident) {
      document.getElementById(`incident-${this.focusIncident}`)?.scrollIntoView({ block: 'start' });
      this.focusIncident = null;
    }
  }

  private toggleDetails(on: boolean): void {
    this.details = on;
    this.render();
  }

  private header(state: State, level: Severity, ctx: ViewContext, calm: boolean): HTMLElement {
    const snoozed = state.snoozedUntil !== null && ctx.until(state.snoozedUntil) > 0;
    const snooze = button(snoozed ? 'Snoozed' : 'Snooze', () => this.snoozeMenu.toggle(snoozed), { focusKey: 'snooze', kind: 'plain', title: 'Mute notifications for a while' });
    snooze.setAttribute('aria-haspopup', 'menu');
    snooze.setAttribute('aria-expanded', String(this.snoozeMenu.isOpen()));
    return el(
      'header',
      { class: `bar level-${LEVEL_CLASS[level]}` },
      el(
        'div',
        { class: 'bar-top' },
        el('span', { class: 'dot', 'aria-hidden': 'true' }),
        el('span', { class: 'bar-level' }, levelWord(level)),
        el('span', { class: 'bar-host muted' }, hostText(state.host.hostname, 24)),
        el('span', { class: 'bar-buttons' }, snooze, button('Settings', () => this.showSettings(), { focusKey: 'settings', kind: 'plain' })),
      ),
      calm || headlineShownBelow(state) ? null : el('h1', { class: 'headline' }, hostText(state.headline, 200)),
      snoozed ? el('p', { class: 'snoozed muted' }, `Notifications snoozed until ${clockTime(state.snoozedUntil!)}. The colour still tells the truth.`) : null,
    );
  }

  /** Green: one calm line (the engine's headline) beside the last hour of available memory, its numbers, and the way to see more. */
  private calmLine(state: State): HTMLElement {
    return el(
      'div',
      { class: 'calm' },
      el('h1', { class: 'calm-text' }, hostText(state.headline, 160)),
      state.memory ? calmSparkline(this.series, state.memory.totalBytes) : null,
      el('p', { class: 'calm-figures' }, calmFigures(state), button('Details', () => this.toggleDetails(true), { kind: 'link', focusKey: 'details' })),
    );
  }

  private footer(state: State, sampleAge: number | null): HTMLElement {
    const age = sampleAge === null ? 'no sample yet' : `sampled ${formatDuration(sampleAge)} ago`;
    // No history with no reason is a choice (a replay, a one-shot look), not a problem to show.
    const history = state.history.available || state.history.reason === null ? '' : state.history.readOnly ? ` · history ${state.history.reason}` : ` · no history: ${state.history.reason}`;
    const notes = state.notes.length > 0 ? ` · ${state.notes.join(' · ')}` : '';
    // Short (model, chip, memory), the whole line its tooltip; an open incident's glance leaves it to Details.
    const glance = !this.details && state.incidents.some((i) => i.closedAt === null);
    const id = glance ? null : state.host.identity;
    const identity = id ? [id.model ?? id.os, id.chip, formatBytes(id.memoryBytes)].filter(Boolean).join(' · ') : null;
    return el('footer', { class: 'foot muted' }, `${age} · every ${formatDuration(state.intervalSeconds)}`, history ? hostText(history, 120) : null, notes ? hostText(notes, 200) : null, identity ? el('span', { class: 'host-identity', title: id?.summary ?? '' }, identity) : null);
  }
}

/** Green in numbers, one line: pressure, available, swap, services up n/n, models loaded. */
function calmFigures(state: State): HTMLElement | null {
  const parts: string[] = [];
  const m = state.memory;
  if (m) {
    parts.push(`Pressure ${m.pressure ?? 'unknown'}`, `${formatBytes(m.availableBytes)} available`, m.swapUsedBytes > 0 ? `swap ${formatBytes(m.swapUsedBytes)}` : 'no swap');
  }
  if (state.services.length > 0) parts.push(`services ${state.services.filter((s) => s.state === 'running').length}/${state.services.length} up`);
  const loaded = (state.models ?? []).reduce((n, server) => n + server.models.filter((model) => model.state === 'loaded').length, 0);
  if ((state.models ?? []).length > 0) parts.push(loaded === 0 ? 'no model loaded' : loaded === 1 ? '1 model loaded' : `${loaded} models loaded`);
  // What the headline already says is not said again.
  const said = state.headline.toLowerCase();
  const fresh = parts.filter((part) => !['pressure', 'available', 'swap', 'services', 'model'].some((word) => part.toLowerCase().includes(word) && said.includes(word)));
  return fresh.length === 0 ? null : el('span', {}, fresh.join(' · '));
}

function unknowns(state: State): HTMLElement | null {
  const parts = state.unknowns.filter((u) => !u.part.toLowerCase().includes('memory') || state.memory !== null);
  if (parts.length === 0) return null;
  return section(
    'unknowns',
    'Could not read',
    null,
    el('ul', { class: 'rows' }, ...parts.map((u) => el('li', { class: 'row' }, el('div', { class: 'row-main' }, hostText(u.part, 40, 'span', 'row-name')), el('div', { class: 'row-sub muted' }, hostText(u.reason, 160))))),
  );
}

function plain(text: string): HTMLElement {
  return hostText(text, 300);
}

function api(): WardenApi & ShellApi {
  if (window.warden) return window.warden;
  return httpBridge({
    base: location.origin,
    token: takeTokenFromLocation(location, history),
    fetch: window.fetch.bind(window),
    EventSource: window.EventSource,
    pathname: location.pathname,
    navigate: (url) => location.assign(url),
  });
}

/** Esc closes the window (the popover hides, the settings window closes), unless a dialog or menu takes it first. */
function closeOnEscape(bridge: ShellApi): void {
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (document.querySelector('dialog[open], [role="menu"]:not([hidden])')) return;
    event.preventDefault();
    void bridge.closeWindow().catch(() => undefined);
  });
}

const root = document.getElementById('app');
if (root) {
  const bridge = api();
  closeOnEscape(bridge);
  if (document.body.dataset.page === 'settings') void new SettingsView(bridge, () => void bridge.closeWindow().catch(() => undefined)).open(root);
  else void new Popover(bridge, root).start();
}
