/**
 * The settings form's fields over the draft config: each takes its label, unit and limits from
 * the config schema (common/config-facts.ts formField) and the value in force from the facts. A
 * number outside the schema's limits is said beside its field as it is typed; a field emptied is
 * removed from the draft, so the default applies.
 */
import { formField, type ConfigFacts, type FieldLimits } from '../common/config-facts.js';
import { el } from './dom.js';

export type Path = (string | number)[];
export type Json = Record<string, unknown>;

export function getAt(root: Json, path: Path): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[key as string];
  }
  return node;
}

export function setAt(root: Json, path: Path, value: unknown): void {
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

export class FormFields {
  /** Fields whose text is not a value the schema allows, with what is wrong. */
  readonly badNumbers = new Map<string, string>();

  constructor(
    private readonly draft: () => Json,
    private readonly facts: () => ConfigFacts,
    private readonly root: () => HTMLElement | null,
  ) {}

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

  text(path: Path, opts: { placeholder?: string } = {}): HTMLElement {
    const value = getAt(this.draft(), path);
    const input = el('input', { type: 'text', value: typeof value === 'string' ? value : '', placeholder: opts.placeholder, spellcheck: 'false', autocomplete: 'off' });
    input.addEventListener('input', () => setAt(this.draft(), path, input.value === '' ? undefined : input.value));
    return this.wrap(path, formField(path).label, input);
  }

  number(path: Path, opts: { placeholder?: string } = {}): HTMLElement {
    const { label, unit, scale, limits } = formField(path);
    const key = path.join('.');
    const value = getAt(this.draft(), path);
    const fallback = this.facts().defaults[key];
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
    input.addEventListener('input', () => {
      input.classList.remove('is-default');
      const text = input.value.trim();
      const parsed = Number(text);
      let problem: string | null = null;
      if (text === '') {
        setAt(this.draft(), path, undefined);
      } else if (!Number.isFinite(parsed)) {
        problem = 'must be a number';
      } else {
        problem = limits ? outOfLimits(parsed * scale, limits, scale, unit) : null;
        if (!problem) setAt(this.draft(), path, Math.round(parsed * scale * 1e6) / 1e6);
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
    const holder = this.root()?.querySelector<HTMLElement>(`[data-field="${CSS.escape(key)}"]`);
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

  toggle(path: Path): HTMLElement {
    const key = path.join('.');
    const value = getAt(this.draft(), path);
    const input = el('input', { type: 'checkbox', checked: typeof value === 'boolean' ? value : this.facts().defaults[key] === true });
    input.addEventListener('change', () => setAt(this.draft(), path, input.checked));
    const id = `f-${path.join('-')}`;
    input.id = id;
    return el('div', { class: 'field field-switch', 'data-field': key }, input, el('label', { for: id }, formField(path).label), el('div', { class: 'problem', id: `${id}-problem`, hidden: true }));
  }

  select(label: string, path: Path, options: string[], onChange: (value: string) => void, current?: string): HTMLElement {
    const value = current ?? String(getAt(this.draft(), path) ?? '');
    const select = el('select', {}, ...options.map((o) => el('option', { value: o, selected: o === value }, o === '' ? 'not set' : o)));
    select.addEventListener('change', () => onChange(select.value));
    return this.wrap(path, label, select);
  }

  quietHours(): HTMLElement {
    const path: Path = ['notifications', 'quietHours'];
    const current = getAt(this.draft(), path) as { start?: string; end?: string } | null | undefined;
    const start = el('input', { type: 'time', value: current?.start ?? '' });
    const end = el('input', { type: 'time', value: current?.end ?? '' });
    const update = () => {
      if (start.value === '' && end.value === '') setAt(this.draft(), path, undefined);
      else setAt(this.draft(), path, { start: start.value, end: end.value });
    };
    start.addEventListener('input', update);
    end.addEventListener('input', update);
    start.id = 'f-quiet-start';
    end.id = 'f-quiet-end';
    return el(
      'div',
      { class: 'field', 'data-field': path.join('.') },
      el('label', { for: 'f-quiet-start' }, formField(path).label),
      el('span', { class: 'control' }, start, el('span', { class: 'muted' }, ' to '), end),
      el('div', { class: 'problem', hidden: true }),
    );
  }
}

/** "1–3600", "≥ 0", "≤ 720", in the field's unit. */
export function limitsText(limits: FieldLimits, scale: number): string {
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
