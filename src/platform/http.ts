import http from 'node:http';
import https from 'node:https';
import type { HttpRequest, HttpResult } from './facts.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * One HTTP request with a hard deadline covering connect, headers and body. Redirects are not
 * followed (a redirect loop is one 3xx answer); the body is capped and the rest left unread.
 */
export function httpRequest(request: HttpRequest): Promise<HttpResult> {
  const method = request.method ?? 'GET';
  const maxBody = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let status: number | null = null;
    let headers: Record<string, string> = {};

    const finish = (error: string | null, timedOut = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({
        url: request.url,
        method,
        status,
        latencyMs: Math.round((performance.now() - started) * 10) / 10,
        timedOut,
        error,
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bodyTruncated: truncated,
      });
    };

    let url: URL;
    try {
      url = new URL(request.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported scheme ${url.protocol}`);
    } catch (error) {
      resolve({
        url: request.url,
        method,
        status: null,
        latencyMs: 0,
        timedOut: false,
        error: `bad URL: ${error instanceof Error ? error.message : String(error)}`,
        headers: {},
        body: '',
        bodyTruncated: false,
      });
      return;
    }
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method,
      agent: false,
      headers: { 'user-agent': 'warden-probe', accept: '*/*', ...(request.headers ?? {}) },
    });
    const timer = setTimeout(() => finish(`no answer within ${formatSeconds(request.timeoutMs)}`, true), request.timeoutMs);
    req.on('response', (res) => {
      status = res.statusCode ?? null;
      headers = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      res.on('data', (chunk: Buffer) => {
        if (kept >= maxBody) return;
        const room = maxBody - kept;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          kept = maxBody;
          truncated = true;
          finish(null);
          return;
        }
        chunks.push(chunk);
        kept += chunk.length;
      });
      res.on('end', () => finish(null));
      res.on('error', (error) => finish(networkErrorText(error)));
    });
    req.on('error', (error) => finish(networkErrorText(error)));
    if (request.body !== undefined && method === 'POST') req.end(request.body);
    else req.end();
  });
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

function networkErrorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'EPIPE':
      return 'connection closed';
    default:
      return code ? `${code}: ${error.message}` : error.message;
  }
}
