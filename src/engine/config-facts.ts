/**
 * The settings form's facts from the one schema and the one resolver: the value in force for
 * every scalar field the file may leave out, and its limits (minimum, maximum, integer).
 */
import { type ConfigFacts, limitsOf } from '../common/config-facts.js';
import type { SchemaNode } from '../common/config-schema.js';
import { CONFIG_JSON_SCHEMA, resolveConfig } from './config.js';

/** The top-level scalars, thresholds and notifications: the fields the form edits without a list. */
const SECTIONS = ['', 'thresholds', 'notifications'] as const;

export function configFacts(home: string): ConfigFacts {
  const resolved = resolveConfig({}, home) as unknown as Record<string, unknown>;
  const schema = CONFIG_JSON_SCHEMA as unknown as SchemaNode;
  const defaults: ConfigFacts['defaults'] = {};
  const limits: ConfigFacts['limits'] = {};
  for (const section of SECTIONS) {
    const node = section === '' ? schema : schema.properties?.[section];
    const values = (section === '' ? resolved : resolved[section]) as Record<string, unknown> | undefined;
    for (const [key, field] of Object.entries(node?.properties ?? {})) {
      const path = section === '' ? key : `${section}.${key}`;
      const value = values?.[key];
      if (typeof value === 'number' || typeof value === 'boolean' || value === null) defaults[path] = value;
      const limit = limitsOf(field);
      if (limit) limits[path] = limit;
    }
  }
  return { defaults, limits };
}
