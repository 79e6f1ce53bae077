/**
 * A part of a sample that was read, or could not be read and says why. Warden never shows a
 * stale value as current: a part it could not read is `unknown` with its reason.
 */
export type Part<T> = { ok: true; value: T } | { ok: false; reason: string };

export function known<T>(value: T): Part<T> {
  return { ok: true, value };
}

export function unknownPart<T>(reason: string): Part<T> {
  return { ok: false, reason };
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
