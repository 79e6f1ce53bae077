import type { ErrorObject, ValidateFunction } from 'ajv';
import { AJV_OPTIONS, PRECOMPILED, loadAjv } from './config-validator.js';
import type { ConfigProblem } from '../common/api.js';
import type { WardenConfig, WardenConfigInput } from '../common/config.js';
import { CONFIG_SCHEMA } from '../common/config-schema.js';
import { readFileBounded } from '../platform/read-file.js';
import { DEFAULT_NOTIFICATIONS, DEFAULT_SETTINGS, DEFAULT_THRESHOLDS } from './defaults.js';

/** A config is a few kilobytes; 500 services with canary bodies stay well under this. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** The config file's JSON schema (common/config-schema.ts); electron-store validates with it too (its `properties`). */
export const CONFIG_JSON_SCHEMA = CONFIG_SCHEMA;

/** Compiled at build time (config-validator.ts); from the sources, at the first check. */
let compiled: ValidateFunction | null = PRECOMPILED;
const schemaValidator = (): ValidateFunction => (compiled ??= new (loadAjv())(AJV_OPTIONS).compile(CONFIG_JSON_SCHEMA));

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${source}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a config object; returns every problem, each naming its field and why. */
export function checkConfig(input: unknown): ConfigProblem[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return [{ field: '(top level)', message: 'must be a JSON object' }];
  }
  const validateSchema = schemaValidator();
  if (!validateSchema(input)) return schemaProblems(validateSchema.errors ?? []);
  return semanticProblems(input as WardenConfigInput);
}

function schemaProblems(errors: ErrorObject[]): ConfigProblem[] {
  // oneOf failures repeat for every branch; the branch-specific errors say more than "must match exactly one".
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'const');
  for (const error of specific.length > 0 ? specific : errors) {
    const field = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      const extra = (error.params as { additionalProperty?: string }).additionalProperty;
      message = `has an unknown field "${extra}"`;
    } else if (error.keyword === 'pattern' && field.endsWith('name')) {
      message = 'must not contain control characters (newlines, tabs)';
    } else if (error.keyword === 'pattern' && /url$/i.test(field)) {
      message = 'must be an http:// or https:// URL';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${JSON.stringify((error.params as { allowedValues?: unknown[] }).allowedValues)}`;
    }
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ field, message });
  }
  return problems;
}

/** Paths must be absolute, with no ".." — Warden never resolves a path it was not given whole. */
export function pathProblem(value: string): string | null {
  const expanded = value.startsWith('~/') ? value.slice(1) : value;
  if (!expanded.startsWith('/')) return `must be an absolute path (got "${value}")`;
  if (expanded.split('/').includes('..')) return `must not contain ".." (got "${value}")`;
  if (/[\u0000\n\r]/.test(value)) return 'must not contain NUL or newline characters';
  return null;
}

/** A log pattern must compile and hold exactly one named group, `v`. */
export function logPatternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
  const groups = [...pattern.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]);
  if (groups.length !== 1 || groups[0] !== 'v') return `needs one named group (?<v>…) holding the number (has ${groups.length === 0 ? 'none' : groups.map((g) => `"${g}"`).join(', ')})`;
  return null;
}

function semanticProblems(input: WardenConfigInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const checkPath = (field: string, value: string | undefined) => {
    if (value === undefined) return;
    const problem = pathProblem(value);
    if (problem) problems.push({ field, message: problem });
  };
  const names = new Set<string>();
  (input.services ?? []).forEach((service, i) => {
    if (names.has(service.name)) problems.push({ field: `services.${i}.name`, message: `"${service.name}" is used by another service` });
    names.add(service.name);
    if (!service.url && !service.port && !service.supervisor && !service.match) {
      problems.push({ field: `services.${i}`, message: 'needs at least one of url, port, supervisor or match' });
    }
    for (const key of ['url'] as const) {
      const value = service[key];
      if (value !== undefined && !isHttpUrl(value)) problems.push({ field: `services.${i}.${key}`, message: 'is not a valid http(s) URL' });
    }
    if (service.canary && !isHttpUrl(service.canary.url)) problems.push({ field: `services.${i}.canary.url`, message: 'is not a valid http(s) URL' });
    (service.logs ?? []).forEach((log, j) => {
      const field = `services.${i}.logs.${j}`;
      checkPath(`${field}.path`, log.path);
      if ((log.pattern === undefined) === (log.builtin === undefined)) problems.push({ field, message: 'needs exactly one of pattern or builtin' });
      if (log.pattern !== undefined) {
        const problem = logPatternProblem(log.pattern);
        if (problem) problems.push({ field: `${field}.pattern`, message: problem });
      }
    });
    const sup = service.supervisor;
    if (sup?.kind === 'launchd') checkPath(`services.${i}.supervisor.plist`, sup.plist);
    if (sup?.kind === 'command') {
      checkPath(`services.${i}.supervisor.cwd`, sup.cwd);
      checkPath(`services.${i}.supervisor.pidfile`, sup.pidfile);
      if (!sup.pidfile && !sup.port && !service.port && !service.url) {
        problems.push({ field: `services.${i}.supervisor`, message: 'a command supervisor needs a pidfile or a port to find its process' });
      }
    }
  });
  const paths = new Set<string>();
  (input.watchedFiles ?? []).forEach((file, i) => {
    checkPath(`watchedFiles.${i}.path`, file.path);
    if (paths.has(file.path)) problems.push({ field: `watchedFiles.${i}.path`, message: 'is watched twice' });
    paths.add(file.path);
  });
  const jobNames = new Set<string>();
  (input.jobs ?? []).forEach((job, i) => {
    checkPath(`jobs.${i}.logPath`, job.logPath);
    if (jobNames.has(job.name)) problems.push({ field: `jobs.${i}.name`, message: `"${job.name}" is used by another job` });
    jobNames.add(job.name);
  });
  const channelNames = new Set<string>();
  (input.notifications?.channels ?? []).forEach((channel, i) => {
    if (!isHttpUrl(channel.url)) problems.push({ field: `notifications.channels.${i}.url`, message: 'is not a valid http(s) URL' });
    if (channel.bearer !== undefined && channel.kind === 'slack') problems.push({ field: `notifications.channels.${i}.bearer`, message: 'a Slack or Discord webhook takes no bearer: its URL is the credential' });
    if (channel.name !== undefined) {
      if (channelNames.has(channel.name)) problems.push({ field: `notifications.channels.${i}.name`, message: `"${channel.name}" is used by another channel` });
      channelNames.add(channel.name);
    }
  });
  (input.modelFolders ?? []).forEach((folder, i) => checkPath(`modelFolders.${i}`, folder));
  checkPath('metrics.tokenFile', input.metrics?.tokenFile);
  if (input.metrics?.listen !== undefined && !isLoopback(input.metrics.listen) && !input.metrics.tokenFile) {
    problems.push({ field: 'metrics.tokenFile', message: `is needed to listen on ${input.metrics.listen}: off loopback every request must carry a bearer token` });
  }
  const q = input.notifications?.quietHours;
  if (q && q.start === q.end) problems.push({ field: 'notifications.quietHours', message: 'start and end are the same time' });
  return problems;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || address === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Fills defaults; "~/" in paths becomes the home folder. The input must have passed checkConfig. */
export function resolveConfig(input: WardenConfigInput, home: string): WardenConfig {
  const expand = (p: string) => (p.startsWith('~/') ? home + p.slice(1) : p);
  return {
    intervalSeconds: input.intervalSeconds ?? DEFAULT_SETTINGS.intervalSeconds,
    discovery: input.discovery ?? DEFAULT_SETTINGS.discovery,
    launchAtLogin: input.launchAtLogin ?? DEFAULT_SETTINGS.launchAtLogin,
    app: { globalShortcut: input.app?.globalShortcut ?? DEFAULT_SETTINGS.app.globalShortcut },
    metrics: input.metrics ? { ...input.metrics, ...(input.metrics.tokenFile ? { tokenFile: expand(input.metrics.tokenFile) } : {}) } : null,
    services: (input.services ?? []).map((s) => {
      const sup = s.supervisor;
      if (s.logs) s = { ...s, logs: s.logs.map((l) => ({ ...l, path: expand(l.path) })) };
      if (sup?.kind === 'launchd' && sup.plist) return { ...s, supervisor: { ...sup, plist: expand(sup.plist) } };
      if (sup?.kind === 'command') {
        return {
          ...s,
          supervisor: { ...sup, ...(sup.cwd ? { cwd: expand(sup.cwd) } : {}), ...(sup.pidfile ? { pidfile: expand(sup.pidfile) } : {}) },
        };
      }
      return s;
    }),
    watchedFiles: (input.watchedFiles ?? []).map((f) => ({ ...f, path: expand(f.path) })),
    modelFolders: (input.modelFolders ?? []).map(expand),
    jobs: (input.jobs ?? []).map((j) => (j.logPath ? { ...j, logPath: expand(j.logPath) } : j)),
    thresholds: { ...DEFAULT_THRESHOLDS, ...(input.thresholds ?? {}) },
    notifications: { ...DEFAULT_NOTIFICATIONS, ...(input.notifications ?? {}) },
  };
}

export interface LoadedConfig {
  input: WardenConfigInput;
  config: WardenConfig;
  /** "defaults (no config file at …)" or the file path. */
  source: string;
}

/** Reads a config file. No file is the zero config; a bad file is a ConfigError naming each field. */
export async function loadConfigFile(path: string, home: string): Promise<LoadedConfig> {
  // A FIFO or a device here would hang the loop (and SIGTERM) on its read: refused with what it is.
  const read = await readFileBounded(path, { maxBytes: MAX_CONFIG_BYTES, refuseOver: MAX_CONFIG_BYTES });
  if (read.code === 'ENOENT') return { input: {}, config: resolveConfig({}, home), source: `defaults (no config file at ${path})` };
  if (read.content === null) throw new ConfigError(path, [{ field: '(file)', message: `cannot be read: ${read.error ?? 'unknown error'}` }]);
  return parseConfigText(read.content, path, home);
}

export function parseConfigText(text: string, source: string, home: string): LoadedConfig {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, [{ field: '(file)', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
  const problems = checkConfig(data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const input = data as WardenConfigInput;
  return { input, config: resolveConfig(input, home), source };
}
