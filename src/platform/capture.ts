import type { ValidateFunction } from 'ajv';
import { loadAjv } from './load-ajv.js';
import { isTimeZone } from '../common/zoned-time.js';
import type { HostIdentity } from '../common/host-identity.js';
import type { CommandResult, DirList, FileChunk, FileRead, FileStat, HttpResult, LinkRead, LoadRead, VolumeStat } from './facts.js';

/**
 * A capture bundle: every external fact Warden read during one or more samples, so the same
 * engine can run on it anywhere. Documented in docs/capture-format.md.
 */
export const CAPTURE_FORMAT = 'warden-capture';
export const CAPTURE_VERSION = 2;
/** Versions this Warden replays; 1 lacks the cadence and the time zone, and replays with a note. */
export const CAPTURE_VERSIONS: readonly number[] = [1, 2];

export interface CaptureHost {
  platform: string;
  arch: string;
  hostname: string;
  uid: number;
  user: string;
  /** The user's home folder on the captured host (~/Library/LaunchAgents lives there). */
  home?: string;
  cpuCount: number;
  createdAt: number;
  wardenVersion: string;
  /** IANA zone of the recording host (version 2): job schedules, quiet hours and local times replay in it. */
  timeZone?: string;
  /** OS, model, chip, cores, GPU as read at the start of the capture; absent from older captures. */
  identity?: HostIdentity;
}

/** One service's probe intervals as the engine used them; null: that probe was not configured. */
export interface ProbeCadence {
  healthSeconds: number | null;
  canarySeconds: number | null;
}

/** What the engine actually used while recording (version 2), after --interval and the config. */
export interface CaptureCadence {
  intervalSeconds: number;
  probes: Record<string, ProbeCadence>;
}

export type FileRecord =
  | { op: 'read'; path: string; result: FileRead }
  | { op: 'stat'; path: string; result: FileStat }
  | { op: 'list'; path: string; result: DirList }
  | { op: 'readlink'; path: string; result: LinkRead }
  | { op: 'statfs'; path: string; result: VolumeStat }
  | { op: 'range'; path: string; result: FileChunk };

export interface HttpRecord {
  method: string;
  url: string;
  result: HttpResult;
}

export interface CaptureSample {
  at: number;
  commands: CommandResult[];
  files: FileRecord[];
  http: HttpRecord[];
  /** The load averages read this sample; absent from captures made before Warden read them. */
  load?: LoadRead;
}

export interface CaptureBundle {
  format: typeof CAPTURE_FORMAT;
  version: 1 | 2;
  host: CaptureHost;
  /** Required from version 2. */
  cadence?: CaptureCadence;
  /** The config the capture ran with (services, watched files, jobs), so replay watches the same things. */
  config?: unknown;
  /** Free text: where the capture came from. */
  note?: string;
  samples: CaptureSample[];
}

/**
 * A time in ms since 1970 that a Date can hold: a capture saying 1e300 is refused here, naming
 * the sample, not later by a toISOString that throws "Invalid time value".
 */
const time = { type: 'number', minimum: 0, maximum: 8.64e15 } as const;
const stringOrNull = { type: ['string', 'null'] } as const;
/** What each record kind's result must hold for the engine to read it; a missing field is refused, never read as undefined. */
const httpResult = {
  type: 'object',
  required: ['status', 'latencyMs', 'timedOut', 'error', 'headers', 'body', 'bodyTruncated'],
  properties: {
    url: { type: 'string' },
    method: { type: 'string' },
    status: { type: ['integer', 'null'], minimum: 100, maximum: 599 },
    latencyMs: { type: 'number', minimum: 0 },
    timedOut: { type: 'boolean' },
    error: stringOrNull,
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: { type: 'string' },
    bodyTruncated: { type: 'boolean' },
  },
} as const;
const fileResults = [
  ['read', { required: ['exists', 'content', 'error'], properties: { exists: { type: 'boolean' }, content: stringOrNull, truncated: { type: 'boolean' }, error: stringOrNull } }],
  ['stat', { required: ['exists', 'isFile', 'isDirectory', 'size', 'mtimeMs'], properties: { exists: { type: 'boolean' }, isFile: { type: 'boolean' }, isDirectory: { type: 'boolean' }, size: { type: 'number', minimum: 0 }, mtimeMs: { type: 'number' }, error: stringOrNull } }],
  ['list', { required: ['exists', 'entries'], properties: { exists: { type: 'boolean' }, entries: { type: ['array', 'null'], items: { type: 'string' } }, error: stringOrNull } }],
  ['readlink', { required: ['target'], properties: { target: stringOrNull, error: stringOrNull } }],
  ['statfs', { required: ['exists', 'totalBytes', 'availableBytes', 'dev'], properties: { exists: { type: 'boolean' }, totalBytes: { type: 'number', minimum: 0 }, availableBytes: { type: 'number', minimum: 0 }, dev: { type: 'number' }, error: stringOrNull } }],
  ['range', { required: ['offset', 'exists', 'size', 'ino', 'content', 'bytes'], properties: { offset: { type: 'integer', minimum: 0 }, exists: { type: 'boolean' }, size: { type: 'number', minimum: 0 }, ino: { type: 'number' }, content: stringOrNull, bytes: { type: 'integer', minimum: 0 }, error: stringOrNull } }],
].map(([op, result]) => ({ if: { properties: { op: { const: op } } }, then: { properties: { result } } }));

const schema = {
  type: 'object',
  required: ['format', 'version', 'host', 'samples'],
  properties: {
    format: { const: CAPTURE_FORMAT },
    version: { type: 'integer' },
    note: { type: 'string' },
    host: {
      type: 'object',
      required: ['platform', 'arch', 'hostname', 'uid', 'createdAt'],
      properties: {
        platform: { enum: ['darwin', 'linux'] },
        arch: { type: 'string' },
        hostname: { type: 'string' },
        uid: { type: 'integer' },
        user: { type: 'string' },
        home: { type: 'string' },
        cpuCount: { type: 'integer', minimum: 1 },
        createdAt: time,
        wardenVersion: { type: 'string' },
        timeZone: { type: 'string', minLength: 1 },
        identity: {
          type: 'object',
          required: ['os', 'model', 'chip', 'cores', 'memoryBytes', 'gpus', 'summary'],
          properties: {
            os: { type: 'string' },
            model: stringOrNull,
            chip: stringOrNull,
            cores: { type: 'object', required: ['logical'], properties: { logical: { type: 'integer', minimum: 0 } } },
            memoryBytes: { type: 'number', minimum: 0 },
            gpus: { type: 'array', items: { type: 'string' } },
            summary: { type: 'string' },
          },
        },
      },
    },
    cadence: {
      type: 'object',
      required: ['intervalSeconds', 'probes'],
      properties: {
        intervalSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
        probes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['healthSeconds', 'canarySeconds'],
            properties: {
              healthSeconds: { type: ['number', 'null'], exclusiveMinimum: 0 },
              canarySeconds: { type: ['number', 'null'], exclusiveMinimum: 0 },
            },
          },
        },
      },
    },
    samples: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['at', 'commands', 'files', 'http'],
        properties: {
          at: time,
          commands: {
            type: 'array',
            items: {
              type: 'object',
              required: ['argv', 'exitCode', 'stdout', 'stderr'],
              properties: {
                argv: { type: 'array', minItems: 1, items: { type: 'string' } },
                exitCode: { type: ['integer', 'null'] },
                signal: { type: ['string', 'null'] },
                stdout: { type: 'string' },
                stderr: { type: 'string' },
                durationMs: { type: 'number', minimum: 0 },
                timedOut: { type: 'boolean' },
                truncated: { type: 'boolean' },
                error: { type: ['string', 'null'] },
              },
            },
          },
          files: {
            type: 'array',
            items: {
              type: 'object',
              required: ['op', 'path', 'result'],
              properties: {
                op: { enum: ['read', 'stat', 'list', 'readlink', 'statfs', 'range'] },
                path: { type: 'string' },
                result: { type: 'object' },
              },
              allOf: fileResults,
            },
          },
          load: {
            type: 'object',
            required: ['loadavg', 'cores'],
            properties: {
              loadavg: { type: 'array', minItems: 3, maxItems: 3, items: { type: 'number', minimum: 0 } },
              cores: { type: 'integer', minimum: 1 },
              error: stringOrNull,
            },
          },
          http: {
            type: 'array',
            items: {
              type: 'object',
              required: ['method', 'url', 'result'],
              properties: { method: { type: 'string' }, url: { type: 'string' }, result: httpResult },
            },
          },
        },
      },
    },
  },
} as const;

/** Compiled the first time a capture is read (replay only), not when the CLI starts. */
let compiled: ValidateFunction | null = null;
const validator = (): ValidateFunction => (compiled ??= new (loadAjv())({ allErrors: false, strict: false }).compile(schema));

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Parses and checks a bundle; every problem is a CaptureError naming it. */
export function parseCapture(text: string, source = 'capture'): CaptureBundle {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CaptureError(`${source} is not valid JSON (${why}); is it truncated?`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CaptureError(`${source} is not a Warden capture: expected a JSON object`);
  }
  const record = data as Record<string, unknown>;
  if (record.format !== CAPTURE_FORMAT) {
    throw new CaptureError(`${source} is not a Warden capture: format is ${JSON.stringify(record.format)}, expected "${CAPTURE_FORMAT}"`);
  }
  if (typeof record.version !== 'number' || !CAPTURE_VERSIONS.includes(record.version)) {
    throw new CaptureError(
      `${source} is capture format version ${JSON.stringify(record.version)}; this Warden reads versions ${CAPTURE_VERSIONS.join(' and ')}`,
    );
  }
  const validate = validator();
  if (!validate(data)) {
    const first = validate.errors?.find((e) => e.keyword !== 'if') ?? validate.errors?.[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'the top level';
    const sample = /^samples\.(\d+)/.exec(where);
    const count = Array.isArray(record.samples) ? record.samples.length : 0;
    const which = sample ? ` (sample ${Number(sample[1]) + 1} of ${count})` : '';
    throw new CaptureError(`${source} is malformed at ${where}: ${first?.message ?? 'invalid'}${which}`);
  }
  const bundle = data as unknown as CaptureBundle;
  if (bundle.version >= 2) {
    if (bundle.host.timeZone === undefined) throw new CaptureError(`${source} is malformed at host: version 2 must have property 'timeZone'`);
    if (bundle.cadence === undefined) throw new CaptureError(`${source} is malformed at the top level: version 2 must have property 'cadence'`);
  }
  if (bundle.host.timeZone !== undefined && !isTimeZone(bundle.host.timeZone)) {
    throw new CaptureError(`${source}: host.timeZone ${JSON.stringify(bundle.host.timeZone)} is not a time zone this machine knows`);
  }
  return bundle;
}
