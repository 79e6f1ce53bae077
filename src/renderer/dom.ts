/**
 * The only way the popover makes elements. Text goes in through textContent, never innerHTML:
 * a process called `<img onerror=…>` is a name, not markup. Host text also loses ANSI escapes,
 * control characters and bidi overrides (src/common/text.ts) and is cut to fit, with the whole
 * cleaned text in a tooltip.
 */
import { plainText } from '../common/text.js';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Attributes that could load or run something are never set from here. */
const FORBIDDEN = /^(on|style$|srcdoc$|href$|src$|formaction$|action$)/i;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node: Element, attrs: Attrs): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (FORBIDDEN.test(name)) throw new Error(`el(): attribute ${name} is not allowed`);
    node.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(node: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/**
 * Host text (names, commands, messages) as one clean line of at most `max` characters; the full
 * text is the tooltip when cut. Prose is cut at a word when one ends near the limit, so it never
 * reads "unkno…"; code (a command line) is cut where it must be.
 */
export function hostText(value: string, max = 80, tag: 'span' | 'code' = 'span', className?: string): HTMLElement {
  const full = plainText(value, 16_384);
  const shown = tag === 'code' ? plainText(value, max) : cutAtWord(full, max);
  return el(tag, { class: className, title: shown === full ? null : full }, ...(tag === 'code' ? [shown] : keepUnits(shown)));
}

/** A number and its unit ("13 s", "10.1 GiB", "3.5 GB/h"), which a line must not break between. */
const QUANTITY = /\d+(?:\.\d+)? (?:ms|s|min|h|d|B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)(?:\/[sh])?(?![\w/])/g;

/** The text as nodes, each quantity in a span that does not wrap; the text itself is unchanged. */
export function keepUnits(text: string): (string | HTMLElement)[] {
  const out: (string | HTMLElement)[] = [];
  let at = 0;
  for (const match of text.matchAll(QUANTITY)) {
    if (match.index > at) out.push(text.slice(at, match.index));
    out.push(el('span', { class: 'nowrap' }, match[0]));
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, Math.max(0, max - 1));
  // A word that ends exactly at the limit is whole.
  const space = text[room.length] === ' ' ? room.length : room.lastIndexOf(' ');
  const cut = space >= room.length * 0.75 ? room.slice(0, space).replace(/[\s,;:·—–-]+$/u, '') : room;
  return `${cut}…`;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Replaces a container's children, keeping keyboard focus on the control that had it. */
export function replaceChildren(container: HTMLElement, children: Node[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focus : undefined;
  clear(container);
  for (const child of children) container.appendChild(child);
  if (key) {
    const again = [...container.querySelectorAll<HTMLElement>('[data-focus]')].find((node) => node.dataset.focus === key);
    again?.focus();
  }
}

export function button(label: string, onClick: () => void, opts: { kind?: 'primary' | 'plain' | 'danger' | 'link'; focusKey?: string; title?: string } = {}): HTMLButtonElement {
  const node = el('button', { type: 'button', class: `btn btn-${opts.kind ?? 'plain'}`, 'data-focus': opts.focusKey, title: opts.title }, label);
  node.addEventListener('click', onClick);
  return node;
}
