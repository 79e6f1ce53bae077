/**
 * One aligned table for the whole run: section titles, measured rows
 * (measure | value | compared with | ratio or note) and free notes under them.
 */
type Line = { kind: 'section'; text: string } | { kind: 'row'; cells: [string, string, string, string] } | { kind: 'note'; text: string };

export class Report {
  private readonly lines: Line[] = [];

  section(text: string): void {
    this.lines.push({ kind: 'section', text });
  }

  row(measure: string, value: string, compared = '', note = ''): void {
    this.lines.push({ kind: 'row', cells: [measure, value, compared, note] });
  }

  note(text: string): void {
    this.lines.push({ kind: 'note', text });
  }

  render(): string {
    const header: [string, string, string, string] = ['measure', 'value', 'compared with', 'ratio / note'];
    const rows = this.lines.flatMap((l) => (l.kind === 'row' ? [l.cells] : []));
    const width = [0, 1, 2, 3].map((i) => Math.max(...[header, ...rows].map((r) => r[i]?.length ?? 0)));
    const format = (cells: [string, string, string, string]) =>
      `  ${cells[0].padEnd(width[0] as number)}  ${cells[1].padStart(width[1] as number)}  ${cells[2].padStart(width[2] as number)}  ${cells[3]}`.trimEnd();
    // The note column runs free; the rule stops where its heading does.
    const rule = (width[0] as number) + (width[1] as number) + (width[2] as number) + header[3].length + 6;
    const out = [format(header), `  ${'-'.repeat(rule)}`];
    for (const line of this.lines) {
      if (line.kind === 'section') out.push(line.text);
      else if (line.kind === 'row') out.push(format(line.cells));
      else out.push(`    ${line.text}`);
    }
    return out.join('\n');
  }
}

/** 0.042 ms → "42 µs", 12.3 → "12.3 ms", 2345 → "2.35 s". */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 1) return `${Math.round(value * 1000)} µs`;
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(1)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${(value / 1024 / 1024).toFixed(1)} MiB`;
}

/** A change in bytes, signed: "+1.2 MiB", "−340.0 KiB". */
export function signedBytes(value: number): string {
  return `${value < 0 ? '−' : '+'}${bytes(Math.round(Math.abs(value)))}`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** A ratio for the table: whole above 10×, else one decimal, or `decimals` where a gate sits near it (1.52× must not print as the 1.5× it fails). */
export function ratio(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) return '-';
  return `${value >= 10 ? value.toFixed(0) : value.toFixed(decimals)}×`;
}

export function percent(value: number): string {
  return `${value < 1 ? value.toFixed(3) : value.toFixed(1)} %`;
}
