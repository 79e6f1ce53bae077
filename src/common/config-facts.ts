/**
 * What the settings form shows beside each field: the value in force when the file leaves it
 * out, and the schema's limits. Main and `warden serve` compute it (src/engine/config-facts.ts);
 * the page only reads it.
 */
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
