import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';

/** How wide the terminal is: the tty's columns, else $COLUMNS (a pipe has none); null when unknown. */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number | null {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : null;
}

/** Where the output goes: null columns (or wide) prints every cell whole. */
export interface Fit {
  columns: number | null;
  wide: boolean;
}

export const NO_FIT: Fit = { columns: null, wide: true };

const INDENT = '  ';
const GAP = '  ';
/** A column is never cut narrower than this, so a cut one still says what it starts with. */
const MIN_COLUMN = 6;

export function displayWidth(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/**
 * `text` cut to `width` characters with an ellipsis. Colour (SGR) sequences are dropped from a
 * cut cell rather than split, so a cut never leaves the terminal painted.
 */
export function cutTo(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const chars = [...stripVTControlCharacters(text)];
  return width <= 1 ? '…'.slice(0, width) : `${chars.slice(0, width - 1).join('')}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * A borderless table indented two spaces: a dim header, then one line per row, no trailing
 * spaces. Wider than the terminal, the widest column is cut (with an ellipsis) until it fits;
 * `fit.wide` shows every cell whole.
 */
export function renderTable(head: string[], rows: string[][], fit: Fit): string {
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  if (fit.columns !== null && !fit.wide) {
    const budget = fit.columns - INDENT.length - GAP.length * (head.length - 1);
    let total = widths.reduce((a, b) => a + b, 0);
    // One character at a time off the widest: a column cut level with the next is cut beside it.
    while (total > budget) {
      const widest = widths.indexOf(Math.max(...widths));
      if (widths[widest]! <= MIN_COLUMN) break;
      widths[widest] = widths[widest]! - 1;
      total -= 1;
    }
  }
  const line = (cells: string[], paint: (s: string) => string = (s) => s) =>
    (INDENT + cells.map((c, i) => paint(i === cells.length - 1 ? cutTo(c, widths[i]!) : pad(cutTo(c, widths[i]!), widths[i]!))).join(GAP)).trimEnd();
  return [line(head, pc.dim), ...rows.map((r) => line(head.map((_, i) => r[i] ?? '')))].join('\n');
}

/** A line of prose cut to the terminal (unless wide): for lines that would wrap a table's neighbours. */
export function fitLine(text: string, fit: Fit): string {
  return fit.columns === null || fit.wide ? text : cutTo(text, fit.columns);
}

/**
 * Prose longer than the terminal wrapped at spaces, each continuation indented two past the
 * line's own indent, so a wrapped cause still reads as one item. Tables (already cut) pass through.
 */
export function wrapToFit(text: string, fit: Fit): string {
  if (fit.columns === null || fit.wide) return text;
  const columns = fit.columns;
  return text
    .split('\n')
    .map((line) => {
      if (displayWidth(line) <= columns) return line;
      const indent = /^ */.exec(stripVTControlCharacters(line))![0].length + 2;
      const words = line.trimStart().split(' ');
      const out: string[] = [];
      let current = ' '.repeat(indent - 2);
      let started = false;
      for (const word of words) {
        const candidate = started ? `${current} ${word}` : `${current}${word}`;
        if (started && displayWidth(candidate) > columns) {
          out.push(current);
          current = `${' '.repeat(indent)}${word}`;
        } else current = candidate;
        started = true;
      }
      out.push(current);
      return out.join('\n');
    })
    .join('\n');
}
