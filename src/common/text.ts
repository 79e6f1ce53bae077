/**
 * Text from the host (process names, command lines, server bodies) is data, never markup or
 * terminal control. Before it is shown anywhere it loses ANSI escape sequences, other control
 * characters and bidi overrides, and is cut to a length with an ellipsis.
 */
// CSI / OSC / other ESC sequences, then C0/C1 controls (tab and newline included: one line out).
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// Bidi embeddings, overrides and isolates: a name must not reorder the text around it.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function plainText(value: string, maxLength = 200): string {
  const clean = value.replace(ANSI, '').replace(CONTROL, ' ').replace(BIDI, '');
  if (clean.length <= maxLength) return clean;
  return `${clean.slice(0, Math.max(0, maxLength - 1))}…`;
}

/** The last part of a slash-separated path ("" for a path ending in a slash). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A path's file name for a title ("held.lock"): its last non-empty part, the whole path when it has none. */
export function fileNameOf(path: string): string {
  const parts = path.split('/').filter((part) => part.length > 0);
  return parts[parts.length - 1] ?? path;
}

/** "Python scripts/message-to-duckdb.py": argv[0] as its basename, the rest as ps printed it, cut to `max`. */
export function shortCommand(command: string, max = 80): string {
  const parts = command.trim().split(' ');
  const text = [baseName(parts[0] ?? ''), ...parts.slice(1)].join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The text with its first letter in capitals: a phrase made a sentence. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
