import type { ValidateFunction } from 'ajv';

export { loadAjv } from '../platform/load-ajv.js';

/**
 * The config schema's validator. The build replaces this module with the validator ajv
 * compiled from CONFIG_SCHEMA (common/config-schema.ts) at build time (scripts/build.mjs, ajv standalone), so the
 * CLI neither loads ajv nor compiles the schema when it starts (130 ms of CPU here). From the
 * sources (tests), ajv compiles it at the first check, the same options as the build.
 */
export const PRECOMPILED: ValidateFunction | null = null;

export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

