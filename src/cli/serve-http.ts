import type http from 'node:http';
import { isPlainObject } from '../common/schema-check.js';
import { errorText } from '../common/result.js';

/** The HTTP pieces of `warden serve`: its errors, its headers, JSON bodies in and out, a request's path. */

export const MAX_BODY_BYTES = 64 * 1024;

export const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** The server could not start, for a reason the operator can act on. */
export class ServeError extends Error {
  override name = 'ServeError';
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The path only: a query string or fragment never reaches the log or the routing. */
export function safePathname(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://127.0.0.1').pathname;
  } catch {
    return '/';
  }
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'body must be application/json');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpError(400, `body is not JSON: ${errorText(error)}`);
  }
}

/** A body for a multi-argument route is an object with exactly those fields. */
export function bodyFields(body: unknown, fields: readonly string[]): unknown[] {
  if (!isPlainObject(body)) throw new HttpError(400, `body must be a JSON object with ${fields.join(', ')}`);
  const extra = Object.keys(body).find((key) => !fields.includes(key));
  if (extra !== undefined) throw new HttpError(400, `body has an unknown field "${extra.slice(0, 60)}"`);
  return fields.map((field) => body[field]);
}
