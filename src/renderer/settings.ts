/**
 * Settings: the config file, edited in place, in its own window (Electron) or page (`warden
 * serve`). Every number shows the value in force (the file's, or the default, marked so), its
 * unit and its limits from the schema; a value outside them is said beside the field as it is
 * typed. The engine checks every field again on save and answers with problems, each shown next
 * to its field. A field emptied is removed from the file, so the default applies.
 */
import type { ConfigProblem, ShellApi, WardenApi } from '../common/api.js';
import { type ConfigFacts, schemaAt } from '../common/config-facts.js';
import type { ServiceConfig, Thresholds, WardenConfigInput } from '../common/config.js';
import { errorText } from '../common/result.js';
import { plainText } from '../common/text.js';
import { plural } from '../common/format.js';
import { button, clear, el } from './dom.js';
import { FormFields, getAt, type Json, type Path } from './settings-fields.js';

// The form's order; labels, units and limits are the schema's (common/config-schema.ts).
export const THRESHOLD_ORDER: (keyof Thresholds)[] = [
  'availableCritPercent', 'swapOutWarnBytesPerSec', 'topByMemory', 'arrivalMinBytes', 'arrivalWindowMinutes', 'growthMinBytesPerHour', 'growthMinWindowMinutes',
  'growthMinR2', 'growthExhaustWarnHours', 'sustainedCpuPercent', 'sustainedCpuMinutes', 'probeFailuresN', 'probeWindowM', 'latencyWarnFactor', 'lockMaxHeldMinutes', 'jobGraceMinutes',
];

export class SettingsView {
  private draft: Json = {};
  private root: HTMLElement | null = null;
  private status: HTMLElement = el('p', { class: 'settings-status', role: 'status' });
  private general: HTMLElement = el('ul', { class: 'problems' });
  private facts: ConfigFacts = { defaults: {}, limits: {} };
  private readonly fields = new FormFields(() => this.draft, () => this.facts, () => this.root);

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
    this.fields.badNumbers.clear();
    const f = this.fields;
    const form = el(
      'form',
      { class: 'settings', novalidate: true },
      this.bar(),
      this.general,
      this.group(
        'General',
        f.number(['intervalSeconds']),
        f.toggle(['discovery']),
        f.toggle(['launchAtLogin']),
        f.text(['app', 'globalShortcut'], { placeholder: 'off, e.g. CmdOrCtrl+Shift+M' }),
      ),
      this.group('Services', ...this.list('services', (i) => this.serviceCard(i)), this.adder('Add service', 'services', { name: '' })),
      this.group('Watched files', ...this.list('watchedFiles', (i) => this.fileCard(i)), this.adder('Add file', 'watchedFiles', { path: '' })),
      this.group('Jobs', ...this.list('jobs', (i) => this.jobCard(i)), this.adder('Add job', 'jobs', { name: '', supervisor: { kind: 'launchd', label: '' } })),
      this.group(
        'Notifications',
        f.toggle(['notifications', 'onWarn']),
        f.toggle(['notifications', 'recovery']),
        f.number(['notifications', 'reminderHours'], { placeholder: 'off' }),
        f.quietHours(),
      ),
      this.group('Thresholds', ...THRESHOLD_ORDER.map((key) => f.number(['thresholds', key]))),
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
      sup ? el('p', { class: 'muted small' }, 'Name (edit in the file): ', plainText(String(service.name ?? ''), 60)) : this.fields.text([...base, 'name']),
      this.fields.text([...base, 'url'], { placeholder: 'http://127.0.0.1:1337/v1/models' }),
      this.fields.number([...base, 'port']),
      this.fields.number([...base, 'timeoutSeconds']),
      this.fields.text([...base, 'match']),
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
      this.fields.text([...base, 'path'], { placeholder: '~/work/workspace.duckdb' }),
      this.fields.text([...base, 'name']),
      this.fields.number([...base, 'maxHeldMinutes']),
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
      this.fields.text([...base, 'name']),
      this.fields.select('Run by', [...base, 'supervisor', 'kind'], kindsAt([...base, 'supervisor']), (kind) => {
        job.supervisor = kind === 'systemd' ? { kind, unit: '' } : { kind, label: '' };
        this.render(`${base.join('.')}.supervisor.kind`);
      }, String(sup.kind)),
      this.fields.text([...base, 'supervisor', sup.kind === 'systemd' ? 'unit' : 'label']),
      this.fields.number([...base, 'graceMinutes']),
      this.fields.text([...base, 'logPath']),
      schedule ? el('p', { class: 'muted small' }, `Schedule (edit in the file): every ${plainText(String(schedule.every), 20)}`) : null,
      el('div', { class: 'card-actions' }, this.remover('jobs', i)),
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
    if (this.fields.badNumbers.size > 0) {
      this.showProblems([...this.fields.badNumbers].map(([field, message]) => ({ field, message })));
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

/** The kinds a tagged union's branches take, in the schema's order ("launchd", "systemd" for a job's supervisor). */
function kindsAt(path: Path): string[] {
  return (schemaAt(path)?.oneOf ?? []).map((branch) => String(branch.properties?.kind?.const));
}
