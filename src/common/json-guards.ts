/**
 * Tiny structural checks for values that cross a trust boundary (IPC, HTTP bodies). Each check
 * returns null when the value fits, else one line naming the field and the problem. Hand-written
 * so the preload and the renderer never pull a schema compiler into their bundles.
 */
export type Check = (value: unknown, path: string) => string | null;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

function at(path: string, message: string): string {
  return path ? `${path}: ${message}` : message;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

// Control characters (C0, DEL) have no place in names, labels or URLs Warden is given.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function str(opts: { min?: number; max?: number; pattern?: RegExp; patternText?: string; controls?: boolean } = {}): Check {
  const min = opts.min ?? 0;
  const max = opts.max ?? 4096;
  return (value, path) => {
    if (typeof value !== 'string') return at(path, `expected a string, got ${describe(value)}`);
    if (value.length < min) return at(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    if (value.length > max) return at(path, `must be at most ${max} characters`);
    if (!opts.controls && CONTROL.test(value)) return at(path, 'must not contain control characters');
    if (opts.pattern && !opts.pattern.test(value)) return at(path, opts.patternText ?? `must match ${opts.pattern}`);
    return null;
  };
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return at(path, `expected a finite number, got ${describe(value)}`);
    if (opts.integer && !Number.isInteger(value)) return at(path, 'must be a whole number');
    if (opts.min !== undefined && value < opts.min) return at(path, `must be at least ${opts.min}`);
    if (opts.max !== undefined && value > opts.max) return at(path, `must be at most ${opts.max}`);
    return null;
  };
}

export const bool: Check = (value, path) => (typeof value === 'boolean' ? null : at(path, `expected true or false, got ${describe(value)}`));

export function oneOf(...values: readonly (string | number | boolean | null)[]): Check {
  return (value, path) =>
    values.includes(value as never) ? null : at(path, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
}

export function nullable(check: Check): Check {
  return (value, path) => (value === null ? null : check(value, path));
}

export function arrayOf(item: Check, opts: { max?: number } = {}): Check {
  const max = opts.max ?? 1000;
  return (value, path) => {
    if (!Array.isArray(value)) return at(path, `expected an array, got ${describe(value)}`);
    if (value.length > max) return at(path, `must have at most ${max} items`);
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i], join(path, i));
      if (problem) return problem;
    }
    return null;
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A plain object with exactly these fields (those in `required` must be present); any other field is refused. */
export function object(fields: Record<string, Check>, required: readonly string[] = []): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return at(path, `expected an object, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(fields, key)) return at(path, `has an unknown field "${key.slice(0, 60)}"`);
    }
    for (const key of required) {
      if (value[key] === undefined) return at(join(path, key), 'is required');
    }
    for (const [key, check] of Object.entries(fields)) {
      if (value[key] === undefined) continue;
      const problem = check(value[key], join(path, key));
      if (problem) return problem;
    }
    return null;
  };
}

/** Objects told apart by one tag field, e.g. supervisor.kind. */
export function tagged(tag: string, branches: Record<string, Check>): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return at(path, `expected an object, got ${describe(value)}`);
    const name = value[tag];
    if (typeof name !== 'string' || !Object.hasOwn(branches, name)) {
      return at(join(path, tag), `must be one of ${Object.keys(branches).map((b) => JSON.stringify(b)).join(', ')}`);
    }
    return branches[name]!(value, path);
  };
}

/** Any JSON value no deeper than `depth` and no larger than `nodes` values in all. */
export function jsonValue(opts: { depth: number; nodes: number }): Check {
  return (value, path) => {
    let count = 0;
    const walk = (v: unknown, p: string, depth: number): string | null => {
      if (++count > opts.nodes) return at(path, `is too large (more than ${opts.nodes} values)`);
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
      if (typeof v === 'number') return Number.isFinite(v) ? null : at(p, `expected a finite number, got ${describe(v)}`);
      if (depth >= opts.depth) return at(p, `is nested too deeply (more than ${opts.depth} levels)`);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const problem = walk(v[i], join(p, i), depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      if (isPlainObject(v)) {
        for (const [key, inner] of Object.entries(v)) {
          const problem = walk(inner, join(p, key), depth + 1);
          if (problem) return problem;
        }
        return null;
      }
      return at(p, `is not JSON (got ${describe(v)})`);
    };
    return walk(value, path, 0);
  };
}

/** Every check must pass, in order. */
export function all(...checks: Check[]): Check {
  return (value, path) => {
    for (const check of checks) {
      const problem = check(value, path);
      if (problem) return problem;
    }
    return null;
  };
}
