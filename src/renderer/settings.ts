/**
 * Settings: the config file, edited in place, in its own window (Electron) or page (`warden
 * serve`). Every number shows the value in force (the file's, or the default, marked so), its
 * unit and its limits from the schema; a value outside them is said beside the field as it is
 * typed. The engine checks every field again on save and answers with problems, each shown next
 * to its field. A field emptied is removed from the file, so the default applies.
 */
import type { ConfigProblem, ShellApi, WardenApi } from '../common/api.js';
import type { ConfigFacts, FieldLimits } from '../common/config-facts.js';
import type { ServiceConfig, WardenConfigInput } from '../common/config.js';
import { errorText } from '../common/result.js';
import { plainText } from '../common/text.js';
import { plural } from '../common/format.js';
import { button, clear, el } from './dom.js';

type Path = (string | number)[];
type Json = Record<string, unknown>;

const MiB = 1024 * 1024;
const GB = 1e9;
const GiB = 1024 * MiB;

const THRESHOLDS: { key: string; label: string; unit: string; scale?: number }[] = [
  { key: 'availableCritPercent', label: 'Available memory critical below', unit: '%' },
  { key: 'swapOutWarnBytesPerSec', label: 'Swap-out warning above', unit: 'MiB/s', scale: MiB },
  { key: 'topByMemory', label: 'Processes listed by memory', unit: '' },
  // A size, in GiB as memory is shown (its default is 2 GiB); rates stay in decimal GB/h.
  { key: 'arrivalMinBytes', label: 'Arrival: at least', unit: 'GiB', scale: GiB },
  { key: 'arrivalWindowMinutes', label: 'Arrival: within', unit: 'min' },
  { key: 'growthMinBytesPerHour', label: 'Growth: at least', unit: 'GB/h', scale: GB },
  { key: 'growthMinWindowMinutes', label: 'Growth: measured over at least', unit: 'min' },
  { key: 'growthMinR2', label: 'Growth: fit at least (R²)', unit: '' },
  { key: 'growthExhaustWarnHours', label: 'Warn when memory runs out within', unit: 'h' },
  { key: 'sustainedCpuPercent', label: 'CPU thief above', unit: '%' },
  { key: 'sustainedCpuMinutes', label: 'CPU thief for at least', unit: 'min' },
  { key: 'probeFailuresN', label: 'Probe failures (N)', unit: '' },
  { key: 'probeWindowM', label: '… within probes (M)', unit: '' },
  { key: 'latencyWarnFactor', label: 'Slow at baseline ×', unit: '' },
  { key: 'lockMaxHeldMinutes', label: 'Lock held longer than', unit: 'min' },
  { key: 'jobGraceMinutes', label: 'Job overdue after', unit: 'min' },
];

function getAt(root: Json, path: Path): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[key as string];
  }
  return node;
}

function setAt(root: Json, path: Path, value: unknown): void {
  let node: Json = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Json;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

export class SettingsView {
  private draft: Json = {};
  private root: HTMLElement | null = null;
  private status: HTMLElement = el('p', { class: 'settings-status', role: 'status' });
  private general: HTMLElement = el('ul', { class: 'problems' });
  /** Fields whose text is not a value the schema allows, with what is wrong. */
  private badNumbers = new Map<string, string>();
  private facts: ConfigFacts = { defaults: {}, limits: {} };

  constructor(
    private readonly api: WardenApi & ShellApi,
    private readonly close: () => void,
  ) {}

  async open(container: HTMLElement): Promise<void> {
    this.root = container;
    clear(container);
    container.appendChild(el('p', { class: 'muted pad' }, 'Loading settings…'));
    try {
      const [config, facts] = await Promise.all([this.api.getConfig(), this.api.configFacts().catch(() => null)]);
      this.draft = structuredClone(config ?? {}) as Json;
      if (facts) this.facts = facts;
    } catch (error) {
      clear(container);
      container.appendChild(el('div', { class: 'settings' }, this.bar(), el('p', { class: 'crit-text pad' }, `Could not read the config: ${plainText(errorText(error), 300)}`)));
      return;
    }
    this.render();
  }

  private bar(): HTMLElement {
    return el('header', { class: 'settings-bar' }, el('h1', {}, 'Settings'), button('Done', () => this.close(), { kind: 'plain', focusKey: 'settings-done' }));
  }

  private render(focus?: string): void {
    const root = this.root;
    if (!root) return;
    this.badNumbers.clear();
    const form = el(
      'form',
      { class: 'settings', novalidate: true },
      this.bar(),
      this.general,
      this.group(
        'General',
        this.number('Sample every', ['intervalSeconds'], 's'),
        this.toggle('Find local LLM servers on their usual ports', ['discovery']),
        this.toggle('Launch at login', ['launchAtLogin']),
        this.text('Shortcut to open Warden from any app', ['app', 'globalShortcut'], { placeholder: 'off, e.g. CmdOrCtrl+Shift+M' }),
      ),
      this.group('Services', ...this.list('services', (i) => this.serviceCard(i)), this.adder('Add service', 'services', { name: '' })),
      this.group('Watched files', ...this.list('watchedFiles', (i) => this.fileCard(i)), this.adder('Add file', 'watchedFiles', { path: '' })),
      this.group('Jobs', ...this.list('jobs', (i) => this.jobCard(i)), this.adder('Add job', 'jobs', { name: '', supervisor: { kind: 'launchd', label: '' } })),
      this.group(
        'Notifications',
        this.toggle('Notify on amber, not only red', ['notifications', 'onWarn']),
        this.toggle('Say when it recovers', ['notifications', 'recovery']),
        this.number('Remind while red, every', ['notifications', 'reminderHours'], 'h', { placeholder: 'off' }),
        this.quietHours(),
      ),
      this.group('Thresholds', ...THRESHOLDS.map((t) => this.number(t.label, ['thresholds', t.key], t.unit, t.scale ? { scale: t.scale } : {}))),
      el('footer', { class: 'settings-footer' }, this.status, button('Save', () => void this.save(), { kind: 'primary', focusKey: 'settings-save' })),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    clear(root);
    root.appendChild(form);
    const target = focus ? root.querySelector<HTMLElement>(`[data-field="${focus}"] input, [data-field="${focus}"] select`) : null;
    target?.focus();
  }

  private group(title: string, ...children: (Node | null)[]): HTMLElement {
    return el('fieldset', { class: 'group' }, el('legend', {}, title), ...children);
  }

  private list(key: string, card: (i: number) => HTMLElement): HTMLElement[] {
    const items = this.draft[key];
    return Array.isArray(items) ? items.map((_, i) => card(i)) : [];
  }

  private adder(label: string, key: string, blank: Json): HTMLElement {
    return button(label, () => {
      const items = Array.isArray(this.draft[key]) ? (this.draft[key] as unknown[]) : [];
      items.push(structuredClone(blank));
      this.draft[key] = items;
      this.render(`${key}.${items.length - 1}`);
    }, { kind: 'link', focusKey: `add-${key}` });
  }

  private remover(key: string, i: number): HTMLElement {
    return button('Remove', () => {
      const items = this.draft[key] as unknown[];
      items.splice(i, 1);
      if (items.length === 0) delete this.draft[key];
      this.render();
    }, { kind: 'link' });
  }

  private card(path: Path, title: string, ...children: (Node | null)[]): HTMLElement {
    return el('div', { class: 'card', 'data-field': path.join('.') }, el('h3', {}, title), ...children, el('div', { class: 'problem', hidden: true }));
  }

  private serviceCard(i: number): HTMLElement {
    const base: Path = ['services', i];
    const service = getAt(this.draft, base) as Json;
    const sup = (service.supervisor ?? null) as Json | null;
    const probeResult = el('p', { class: 'probe-result muted', role: 'status' });
    const canary = getAt(this.draft, [...base, 'canary', 'url']);
    return this.card(
      base,
      typeof service.name === 'string' && service.name ? service.name : 'New service',
      // What Warden runs and signals comes only from the file (the engine refuses it from here),
      // so a supervised service's supervisor, name and presence are shown, not edited.
      sup ? el('p', { class: 'muted small' }, 'Name (edit in the file): ', plainText(String(service.name ?? ''), 60)) : this.text('Name', [...base, 'name']),
      this.text('Health URL', [...base, 'url'], { placeholder: 'http://127.0.0.1:1337/v1/models' }),
      this.number('Port', [...base, 'port'], ''),
      this.number('Answer within', [...base, 'timeoutSeconds'], 's'),
      this.text('Process command line contains', [...base, 'match']),
      el('p', { class: 'muted small' }, 'Supervised by (edit in the file): ', plainText(supervisorText(sup), 120)),
      typeof canary === 'string' ? el('p', { class: 'muted small' }, 'Canary (edit in the file): ', plainText(canary, 80)) : null,
      el(
        'div',
        { class: 'card-actions' },
        button('Test probe', () => void this.testProbe(service, probeResult), { kind: 'plain' }),
        sup ? null : this.remover('services', i),
      ),
      probeResult,
    );
  }

  private fileCard(i: number): HTMLElement {
    const base: Path = ['watchedFiles', i];
    const file = getAt(this.draft, base) as Json;
    return this.card(
      base,
      typeof file.path === 'string' && file.path ? plainText(file.path.slice(file.path.lastIndexOf('/') + 1), 60) : 'New file',
      this.text('Path', [...base, 'path'], { placeholder: '~/work/workspace.duckdb' }),
      this.text('Name', [...base, 'name']),
      this.number('Held too long after', [...base, 'maxHeldMinutes'], 'min'),
      el('div', { class: 'card-actions' }, this.remover('watchedFiles', i)),
    );
  }

  private jobCard(i: number): HTMLElement {
    const base: Path = ['jobs', i];
    const job = getAt(this.draft, base) as Json;
    const sup = (job.supervisor ?? { kind: 'launchd' }) as Json;
    const schedule = job.schedule as Json | undefined;
    return this.card(
      base,
      typeof job.name === 'string' && job.name ? job.name : 'New job',
      this.text('Name', [...base, 'name']),
      this.select('Run by', [...base, 'supervisor', 'kind'], ['launchd', 'systemd'], (kind) => {
        job.supervisor = kind === 'systemd' ? { kind, unit: '' } : { kind, label: '' };
        this.render(`${base.join('.')}.supervisor.kind`);
      }, String(sup.kind)),
      sup.kind === 'systemd' ? this.text('systemd unit', [...base, 'supervisor', 'unit']) : this.text('launchd label', [...base, 'supervisor', 'label']),
      this.number('Overdue after', [...base, 'graceMinutes'], 'min'),
      this.text('Log file', [...base, 'logPath']),
      schedule ? el('p', { class: 'muted small' }, `Schedule (edit in the file): every ${plainText(String(schedule.every), 20)}`) : null,
      el('div', { class: 'card-actions' }, this.remover('jobs', i)),
    );
  }

  private wrap(path: Path, label: string, control: HTMLElement, unit?: string): HTMLElement {
    const id = `f-${path.join('-')}`;
    control.id = id;
    return el(
      'div',
      { class: 'field', 'data-field': path.join('.') },
      el('label', { for: id }, label),
      el('span', { class: 'control' }, control, unit ? el('span', { class: 'unit muted' }, unit) : null),
      el('div', { class: 'problem', id: `${id}-problem`, hidden: true }),
    );
  }

  private text(label: string, path: Path, opts: { placeholder?: string } = {}): HTMLElement {
    const value = getAt(this.draft, path);
    const input = el('input', { type: 'text', value: typeof value === 'string' ? value : '', placeholder: opts.placeholder, spellcheck: 'false', autocomplete: 'off' });
    input.addEventListener('input', () => setAt(this.draft, path, input.value === '' ? undefined : input.value));
    return this.wrap(path, label, input);
  }

  private number(label: string, path: Path, unit: string, opts: { scale?: number; placeholder?: string } = {}): HTMLElement {
    const scale = opts.scale ?? 1;
    const key = path.join('.');
    const value = getAt(this.draft, path);
    const fallback = this.facts.defaults[key];
    const shown = typeof value === 'number' ? value : typeof fallback === 'number' ? fallback : null;
    const input = el('input', {
      type: 'text',
      inputmode: 'decimal',
      class: typeof value === 'number' ? 'num-input' : 'num-input is-default',
      value: shown === null ? '' : String(+(shown / scale).toPrecision(6)),
      placeholder: opts.placeholder ?? '',
      autocomplete: 'off',
      title: typeof value === 'number' ? '' : 'The default: not set in the file',
    });
    const limits = this.facts.limits[key] ?? null;
    input.addEventListener('input', () => {
      input.classList.remove('is-default');
      const text = input.value.trim();
      const parsed = Number(text);
      let problem: string | null = null;
      if (text === '') {
        setAt(this.draft, path, undefined);
      } else if (!Number.isFinite(parsed)) {
        problem = 'must be a number';
      } else {
        problem = limits ? outOfLimits(parsed * scale, limits, scale, unit) : null;
        if (!problem) setAt(this.draft, path, Math.round(parsed * scale * 1e6) / 1e6);
      }
      if (problem) this.badNumbers.set(key, problem);
      else this.badNumbers.delete(key);
      this.fieldProblem(key, problem);
    });
    const range = limits ? limitsText(limits, scale) : '';
    return this.wrap(path, label, input, [unit, range].filter(Boolean).join(' · '));
  }

  /** One field's own problem, beside it, as it is typed. */
  private fieldProblem(key: string, problem: string | null): void {
    const holder = this.root?.querySelector<HTMLElement>(`[data-field="${CSS.escape(key)}"]`);
    const slot = holder?.querySelector<HTMLElement>(':scope > .problem');
    const control = holder?.querySelector(':scope > .control > input');
    if (!slot) return;
    slot.hidden = problem === null;
    slot.textContent = problem ?? '';
    if (problem) {
      control?.setAttribute('aria-invalid', 'true');
      if (slot.id) control?.setAttribute('aria-describedby', slot.id);
    } else control?.removeAttribute('aria-invalid');
  }

  private toggle(label: string, path: Path): HTMLElement {
    const key = path.join('.');
    const value = getAt(this.draft, path);
    const input = el('input', { type: 'checkbox', checked: typeof value === 'boolean' ? value : this.facts.defaults[key] === true });
    input.addEventListener('change', () => setAt(this.draft, path, input.checked));
    const id = `f-${path.join('-')}`;
    input.id = id;
    return el('div', { class: 'field field-switch', 'data-field': key }, input, el('label', { for: id }, label), el('div', { class: 'problem', id: `${id}-problem`, hidden: true }));
  }

  private select(label: string, path: Path, options: string[], onChange: (value: string) => void, current?: string): HTMLElement {
    const value = current ?? String(getAt(this.draft, path) ?? '');
    const select = el('select', {}, ...options.map((o) => el('option', { value: o, selected: o === value }, o === '' ? 'not set' : o)));
    select.addEventListener('change', () => onChange(select.value));
    return this.wrap(path, label, select);
  }

  private quietHours(): HTMLElement {
    const path: Path = ['notifications', 'quietHours'];
    const current = getAt(this.draft, path) as { start?: string; end?: string } | null | undefined;
    const start = el('input', { type: 'time', value: current?.start ?? '' });
    const end = el('input', { type: 'time', value: current?.end ?? '' });
    const update = () => {
      if (start.value === '' && end.value === '') setAt(this.draft, path, undefined);
      else setAt(this.draft, path, { start: start.value, end: end.value });
    };
    start.addEventListener('input', update);
    end.addEventListener('input', update);
    start.id = 'f-quiet-start';
    end.id = 'f-quiet-end';
    return el(
      'div',
      { class: 'field', 'data-field': path.join('.') },
      el('label', { for: 'f-quiet-start' }, 'Quiet hours'),
      el('span', { class: 'control' }, start, el('span', { class: 'muted' }, ' to '), end),
      el('div', { class: 'problem', hidden: true }),
    );
  }

  private async testProbe(service: Json, out: HTMLElement): Promise<void> {
    out.className = 'probe-result muted';
    out.textContent = 'Probing once…';
    try {
      const probe = await this.api.testProbe(structuredClone(service) as unknown as ServiceConfig);
      out.className = `probe-result ${probe.ok ? 'ok-text' : 'crit-text'}`;
      out.textContent = `${probe.ok ? 'Answered' : 'Failed'}: ${plainText(probe.measured, 120)} (${plainText(probe.url, 80)})`;
    } catch (error) {
      out.className = 'probe-result crit-text';
      out.textContent = `Not probed: ${plainText(cleanIpcError(error), 200)}`;
    }
  }

  private async save(): Promise<void> {
    this.showProblems([]);
    if (this.badNumbers.size > 0) {
      this.showProblems([...this.badNumbers].map(([field, message]) => ({ field, message })));
      return;
    }
    this.status.className = 'settings-status muted';
    this.status.textContent = 'Saving…';
    try {
      const result = await this.api.setConfig(structuredClone(this.draft) as WardenConfigInput);
      if (result.ok) {
        this.status.className = 'settings-status ok-text';
        this.status.textContent = 'Saved.';
      } else {
        this.showProblems(result.problems);
      }
    } catch (error) {
      this.showProblems([{ field: '(top level)', message: cleanIpcError(error) }]);
    }
  }

  /** Each problem goes beside its field, or the nearest enclosing card; the rest are listed at the top. */
  private showProblems(problems: ConfigProblem[]): void {
    const root = this.root;
    if (!root) return;
    for (const node of root.querySelectorAll<HTMLElement>('.problem')) {
      node.hidden = true;
      node.textContent = '';
    }
    for (const input of root.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    clear(this.general);
    const fields = new Map([...root.querySelectorAll<HTMLElement>('[data-field]')].map((node) => [node.dataset.field!, node]));
    for (const problem of problems) {
      let field = problem.field;
      let holder = fields.get(field);
      while (!holder && field.includes('.')) {
        field = field.slice(0, field.lastIndexOf('.'));
        holder = fields.get(field);
      }
      const message = plainText(problem.message, 200);
      const slot = holder?.querySelector<HTMLElement>(':scope > .problem');
      if (holder && slot) {
        slot.hidden = false;
        slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message;
        const control = holder.querySelector(':scope > .control > input, :scope > .control > select, :scope > .control > textarea, :scope > input');
        control?.setAttribute('aria-invalid', 'true');
        if (control && slot.id) control.setAttribute('aria-describedby', slot.id);
      } else {
        this.general.appendChild(el('li', {}, `${plainText(problem.field, 80)}: ${message}`));
      }
    }
    if (problems.length > 0) {
      this.status.className = 'settings-status crit-text';
      this.status.textContent = `Not saved: ${plural(problems.length, 'problem')}.`;
      const first = root.querySelector<HTMLElement>('[aria-invalid="true"]');
      first?.focus();
    }
  }
}

function cleanIpcError(error: unknown): string {
  return errorText(error).replace(/^Error invoking remote method '[^']+': (Ipc)?(Rejection|Error): /, '');
}

/** A supervisor as one line: "launchd com.example.server", "systemd (user) llama.service", "command llama-server --port 8080". */
function supervisorText(sup: Json | null): string {
  if (!sup) return 'nothing (Warden only watches it)';
  if (sup.kind === 'launchd') return `launchd ${String(sup.label ?? '')}`;
  if (sup.kind === 'systemd') return `systemd${sup.scope ? ` (${String(sup.scope)})` : ''} ${String(sup.unit ?? '')}`;
  const start = Array.isArray(sup.start) ? sup.start.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : JSON.stringify(a))).join(' ') : '';
  return `command ${start}`;
}

/** "1–3600", "≥ 0", "≤ 720", in the field's unit. */
function limitsText(limits: FieldLimits, scale: number): string {
  const n = (v: number) => String(+(v / scale).toPrecision(6));
  if (limits.minimum !== undefined && limits.maximum !== undefined) return `${n(limits.minimum)}–${n(limits.maximum)}`;
  if (limits.minimum !== undefined) return `≥ ${n(limits.minimum)}`;
  if (limits.maximum !== undefined) return `≤ ${n(limits.maximum)}`;
  return '';
}

/** What is wrong with a value against the schema's limits, said in the field's unit, or null. */
export function outOfLimits(value: number, limits: FieldLimits, scale: number, unit: string): string | null {
  const n = (v: number) => `${+(v / scale).toPrecision(6)}${unit ? ` ${unit}` : ''}`;
  if (limits.integer && !Number.isInteger(value)) return 'must be a whole number';
  if (limits.minimum !== undefined && limits.maximum !== undefined && (value < limits.minimum || value > limits.maximum)) return `must be ${+(limits.minimum / scale).toPrecision(6)} to ${n(limits.maximum)}`;
  if (limits.minimum !== undefined && value < limits.minimum) return `must be at least ${n(limits.minimum)}`;
  if (limits.maximum !== undefined && value > limits.maximum) return `must be at most ${n(limits.maximum)}`;
  return null;
}
