import { Ajv } from 'ajv';
import type { CommandResult, DirList, FileRead, FileStat, HttpResult, LinkRead } from './facts.js';

/**
 * A capture bundle: every external fact Warden read during one or more samples, so the same
 * engine can run on it anywhere. Documented in docs/capture-format.md.
 */
export const CAPTURE_FORMAT = 'warden-capture';
export const CAPTURE_VERSION = 1;

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
}

export type FileRecord =
  | { op: 'read'; path: string; result: FileRead }
  | { op: 'stat'; path: string; result: FileStat }
  | { op: 'list'; path: string; result: DirList }
  | { op: 'readlink'; path: string; result: LinkRead };

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
}

export interface CaptureBundle {
  format: typeof CAPTURE_FORMAT;
  version: typeof CAPTURE_VERSION;
  host: CaptureHost;
  /** The config the capture ran with (services, watched files, jobs), so replay watches the same things. */
  config?: unknown;
  /** Free text: where the capture came from. */
  note?: string;
  samples: CaptureSample[];
}

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
        createdAt: { type: 'number' },
        wardenVersion: { type: 'string' },
      },
    },
    samples: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['at', 'commands', 'files', 'http'],
        properties: {
          at: { type: 'number' },
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
                durationMs: { type: 'number' },
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
                op: { enum: ['read', 'stat', 'list', 'readlink'] },
                path: { type: 'string' },
                result: { type: 'object' },
              },
            },
          },
          http: {
            type: 'array',
            items: {
              type: 'object',
              required: ['method', 'url', 'result'],
              properties: { method: { type: 'string' }, url: { type: 'string' }, result: { type: 'object' } },
            },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(schema);

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
  if (record.version !== CAPTURE_VERSION) {
    throw new CaptureError(
      `${source} is capture format version ${JSON.stringify(record.version)}; this Warden reads version ${CAPTURE_VERSION}`,
    );
  }
  if (!validate(data)) {
    const first = validate.errors?.[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'the top level';
    throw new CaptureError(`${source} is malformed at ${where}: ${first?.message ?? 'invalid'}`);
  }
  return data as unknown as CaptureBundle;
}
