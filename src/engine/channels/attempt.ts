import type { ChannelConfig } from '../../common/config.js';
import { plainText } from '../../common/text.js';
import { WARDEN_VERSION } from '../../common/version.js';
import type { HttpRequest, HttpResult } from '../../platform/facts.js';
import { formatRequest, scrubSecrets, type Notice } from './format.js';
import type { NamedChannel } from './names.js';

export const DEFAULT_TIMEOUT_SECONDS = 10;
const ERROR_MAX = 160;

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  /** "HTTP 200 in 41 ms", "HTTP 500: internal", "no answer within 10 s". */
  text: string;
  permanent: boolean;
  retryAfterMs: number | null;
}

/** One POST with its deadline. Never throws; never returns the channel's secrets in its text. */
export async function attemptDelivery(
  send: (request: HttpRequest) => Promise<HttpResult>,
  channel: NamedChannel,
  notice: Notice,
  host: { hostname: string; platform: string },
): Promise<AttemptResult> {
  const { config } = channel;
  const outgoing = formatRequest(config, channel.name, notice, host);
  const timeoutMs = (config.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  let answer: HttpResult;
  try {
    answer = await send({
      url: config.url,
      method: 'POST',
      body: outgoing.body,
      headers: { ...outgoing.headers, 'content-length': String(Buffer.byteLength(outgoing.body)), 'user-agent': `warden/${WARDEN_VERSION}` },
      timeoutMs,
      maxBodyBytes: 4096,
    });
  } catch (error) {
    return { ok: false, status: null, text: clean(String(error), config), permanent: false, retryAfterMs: null };
  }
  const status = answer.status;
  if (status === null) return { ok: false, status, text: clean(answer.error ?? 'no answer', config), permanent: false, retryAfterMs: null };
  if (status >= 200 && status < 300) return { ok: true, status, text: `HTTP ${status} in ${Math.round(answer.latencyMs)} ms`, permanent: false, retryAfterMs: null };
  const said = answer.body.trim() === '' ? '' : `: ${answer.body.trim()}`;
  const retryAfter = Number(answer.headers['retry-after']);
  return {
    ok: false,
    status,
    text: clean(`HTTP ${status}${said}`, config),
    permanent: status >= 400 && status < 500 && status !== 408 && status !== 429,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null,
  };
}

function clean(text: string, config: ChannelConfig): string {
  return plainText(scrubSecrets(text, config), ERROR_MAX);
}
