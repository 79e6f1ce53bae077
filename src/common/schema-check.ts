/**
 * Checks a value that crosses a trust boundary (IPC, HTTP bodies) against a schema, the config's
 * own (config-schema.ts) or a channel's, and says the first problem in one line naming the field,
 * or null. It reads the JSON Schema subset the schemas use, so the preload and the renderer need
 * no schema compiler; the config file itself is checked by the validator ajv compiled at build time.
 * One rule is the boundary's own: a string holds no control character unless its node allows them.
 */
import type { TSchema } from '@sinclair/typebox';

export type Check = (value: unknown, path: string) => string | null;

interface Node {
  type?: string;
  enum?: readonly unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  patternText?: string;
  allowControls?: boolean;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Node;
  properties?: Record<string, Node>;
  required?: readonly string[];
  additionalProperties?: boolean | Node;
  anyOf?: readonly Node[];
  oneOf?: readonly Node[];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}

const at = (path: string, message: string): string => (path ? `${path}: ${message}` : message);
const join = (path: string, key: string | number): string => (path ? `${path}.${key}` : String(key));
const oneOfText = (values: readonly unknown[]) => `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

// Control characters (C0, DEL) have no place in names, labels or URLs Warden is given.
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** The field every branch of a union fixes with `const` (supervisor.kind, schedule.every), if any. */
function tagOf(branches: readonly Node[]): string | null {
  const first = branches[0]?.properties ?? {};
  return Object.keys(first).find((key) => branches.every((b) => b.properties?.[key]?.const !== undefined)) ?? null;
}

function checkNode(node: Node, value: unknown, path: string): string | null {
  const branches = node.oneOf ?? node.anyOf;
  if (branches) return checkUnion(branches, value, path);
  if (node.enum) return node.enum.includes(value) ? null : at(path, oneOfText(node.enum));
  if (node.const !== undefined) return value === node.const ? null : at(path, oneOfText([node.const]));
  switch (node.type) {
    case 'string':
      return checkString(node, value, path);
    case 'number':
    case 'integer':
      return checkNumber(node, value, path);
    case 'boolean':
      return typeof value === 'boolean' ? null : at(path, `expected true or false, got ${describe(value)}`);
    case 'null':
      return value === null ? null : at(path, `expected null, got ${describe(value)}`);
    case 'array':
      return checkArray(node, value, path);
    case 'object':
      return checkObject(node, value, path);
    default:
      return null;
  }
}

function checkUnion(branches: readonly Node[], value: unknown, path: string): string | null {
  const tag = tagOf(branches);
  if (tag !== null) {
    if (!isPlainObject(value)) return at(path, `expected an object, got ${describe(value)}`);
    const branch = branches.find((b) => b.properties?.[tag]?.const === value[tag]);
    return branch ? checkNode(branch, value, path) : at(join(path, tag), oneOfText(branches.map((b) => b.properties![tag]!.const)));
  }
  let problem: string | null = null;
  for (const branch of branches) {
    if (branch.type === 'null' && value !== null) continue;
    problem = checkNode(branch, value, path);
    if (problem === null) return null;
  }
  return problem ?? at(path, `expected null, got ${describe(value)}`);
}

function checkString(node: Node, value: unknown, path: string): string | null {
  if (typeof value !== 'string') return at(path, `expected a string, got ${describe(value)}`);
  const min = node.minLength ?? 0;
  if (value.length < min) return at(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (value.length > (node.maxLength ?? 4096)) return at(path, `must be at most ${node.maxLength ?? 4096} characters`);
  if (!node.allowControls && CONTROL.test(value)) return at(path, 'must not contain control characters');
  if (node.pattern && !new RegExp(node.pattern, 'u').test(value)) return at(path, node.patternText ?? `must match ${node.pattern}`);
  return null;
}

function checkNumber(node: Node, value: unknown, path: string): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return at(path, `expected a finite number, got ${describe(value)}`);
  if (node.type === 'integer' && !Number.isInteger(value)) return at(path, 'must be a whole number');
  if (node.minimum !== undefined && value < node.minimum) return at(path, `must be at least ${node.minimum}`);
  if (node.maximum !== undefined && value > node.maximum) return at(path, `must be at most ${node.maximum}`);
  return null;
}

function checkArray(node: Node, value: unknown, path: string): string | null {
  if (!Array.isArray(value)) return at(path, `expected an array, got ${describe(value)}`);
  const max = node.maxItems ?? 1000;
  if (value.length > max) return at(path, `must have at most ${max} items`);
  if (node.minItems !== undefined && value.length < node.minItems) return at(path, `must have at least ${node.minItems} item(s)`);
  for (let i = 0; i < value.length; i++) {
    const problem = node.items ? checkNode(node.items, value[i], join(path, i)) : null;
    if (problem) return problem;
  }
  return null;
}

function checkObject(node: Node, value: unknown, path: string): string | null {
  if (!isPlainObject(value)) return at(path, `expected an object, got ${describe(value)}`);
  const fields = node.properties ?? {};
  const extra = typeof node.additionalProperties === 'object' ? node.additionalProperties : null;
  if (node.additionalProperties === false) {
    for (const key of Object.keys(value)) if (!Object.hasOwn(fields, key)) return at(path, `has an unknown field "${key.slice(0, 60)}"`);
  }
  for (const key of node.required ?? []) if (value[key] === undefined) return at(join(path, key), 'is required');
  for (const [key, field] of Object.entries(fields)) {
    if (value[key] === undefined) continue;
    const problem = checkNode(field, value[key], join(path, key));
    if (problem) return problem;
  }
  if (extra) {
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(fields, key)) continue;
      const problem = checkNode(extra, value[key], join(path, key));
      if (problem) return problem;
    }
  }
  return null;
}

/** A check from a schema: the first problem, or null. */
export function checkOf(schema: TSchema | Node): Check {
  return (value, path) => checkNode(schema as Node, value, path);
}

/**
 * The schema's shape only, one level down: its fields, each of the right kind (a number, a list
 * of objects, an object of numbers), with no limits. What a view saves is checked field by field
 * by the engine, which answers with problems shown beside each field.
 */
export function shapeOf(schema: TSchema | Node): Node {
  const kind = (node: Node): Node => {
    const type = node.type ?? (node.anyOf ?? node.oneOf)?.find((n) => n.type !== 'null')?.type;
    if (type === 'array') return { type, maxItems: node.maxItems ?? 1000, items: node.items?.type === 'object' || node.items?.oneOf ? { type: 'object' } : { type: node.items?.type } };
    if (type === 'object') {
      const values = Object.values(node.properties ?? {});
      const numbers = values.length > 0 && values.every((v) => v.type === 'number' || v.type === 'integer');
      return numbers ? { type, additionalProperties: { type: 'number' } } : { type };
    }
    if (type === 'string') return { type, maxLength: node.maxLength ?? 4096 };
    return { type: type === 'integer' ? 'number' : type };
  };
  const root = schema as Node;
  return { type: 'object', additionalProperties: false, properties: Object.fromEntries(Object.entries(root.properties ?? {}).map(([key, node]) => [key, kind(node)])) };
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
      const entries = Array.isArray(v) ? v.map((inner, i) => [i, inner] as const) : isPlainObject(v) ? Object.entries(v) : null;
      if (entries === null) return at(p, `is not JSON (got ${describe(v)})`);
      for (const [key, inner] of entries) {
        const problem = walk(inner, join(p, key), depth + 1);
        if (problem) return problem;
      }
      return null;
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
