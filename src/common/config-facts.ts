/**
 * What the settings form shows beside each field: its label, unit and limits, read from the
 * schema's annotations (config-schema.ts), and the value in force when the file leaves it out.
 * Main and `warden serve` compute the values in force (src/engine/config-facts.ts); the page
 * reads the rest from the schema itself.
 */
import { CONFIG_SCHEMA, type SchemaNode } from './config-schema.js';

export interface FieldLimits {
  minimum?: number;
  maximum?: number;
  integer?: boolean;
}

export interface ConfigFacts {
  /** By dotted path ("intervalSeconds", "thresholds.topByMemory", "notifications.onWarn"). */
  defaults: Record<string, number | boolean | null>;
  limits: Record<string, FieldLimits>;
}

/** A number field's limits (through a nullable's number), or null for a field that is no number. */
export function limitsOf(node: SchemaNode): FieldLimits | null {
  const numeric = node.anyOf?.find((n) => n.type === 'number' || n.type === 'integer') ?? node;
  if (numeric.type !== 'number' && numeric.type !== 'integer') return null;
  const limits: FieldLimits = {};
  if (numeric.minimum !== undefined) limits.minimum = numeric.minimum;
  if (numeric.maximum !== undefined) limits.maximum = numeric.maximum;
  if (numeric.type === 'integer') limits.integer = true;
  return limits;
}

export interface FormField {
  label: string;
  unit: string;
  /** The unit's size in the stored value's (GiB for bytes); 1 when the unit is the stored one. */
  scale: number;
  limits: FieldLimits | null;
}

/** A field as the form shows it, from the schema node at its path ("services.0.timeoutSeconds"). */
export function formField(path: readonly (string | number)[]): FormField {
  const node = schemaAt(path);
  if (!node) throw new Error(`the config schema has no field ${path.join('.')}`);
  return { label: node.title ?? String(path.at(-1)), unit: node.unit ?? '', scale: node.scale ?? 1, limits: limitsOf(node) };
}

/** The schema node at a path ("services", 0, "timeoutSeconds"), through lists and tagged unions. */
export function schemaAt(path: readonly (string | number)[], root: SchemaNode = CONFIG_SCHEMA as SchemaNode): SchemaNode | null {
  let node: SchemaNode | undefined = root;
  for (const key of path) {
    if (!node) return null;
    if (node.type === 'array') {
      node = node.items;
      continue;
    }
    const branches: SchemaNode[] = node.oneOf ?? [node];
    node = branches.map((b) => b.properties?.[key]).find((n) => n !== undefined);
  }
  return node ?? null;
}
