/**
 * Secrets never leave the engine in a face a stranger can read: the State (HTTP, SSE, IPC,
 * `status --json`, /metrics), the config over HTTP without the token, captures (unless
 * `--include-secrets`), log lines. One module, so every face hides the same things:
 * - credentials in URLs (`http://user:pass@host`) and secret query parameters (`?api_key=…`);
 * - auth headers and bearer tokens (`Authorization: Bearer …`, `X-Api-Key: …`, `Set-Cookie`);
 * - secret-looking environment values (`OPENAI_API_KEY=…`, launchctl's `KEY => value`, a plist's
 *   `<key>…TOKEN</key><string>…</string>`) and `--api-key VALUE` arguments;
 * - whole config fields marked secret in SECRET_CONFIG_FIELDS (a canary's request body).
 *
 * To mark a new config field secret, add its path to SECRET_CONFIG_FIELDS ("*" is every item
 * of an array or every key of an object). `url` fields keep their shape with the credentials
 * hidden; `text` fields are replaced whole.
 */

export const REDACTED = '<redacted>';

export interface SecretField {
  /** Dotted path in the config file's JSON, e.g. "services.*.canary.body". */
  path: string;
  kind: 'url' | 'text';
}

export const SECRET_CONFIG_FIELDS: SecretField[] = [
  { path: 'services.*.url', kind: 'url' },
  { path: 'services.*.canary.url', kind: 'url' },
  { path: 'services.*.canary.body', kind: 'text' },
  // A Slack or ntfy URL is itself the credential (the path is the token): hidden whole.
  { path: 'notifications.channels.*.url', kind: 'text' },
  { path: 'notifications.channels.*.bearer', kind: 'text' },
];

/** What redaction found: the redacted value and how many secrets it hid. */
export interface Redacted<T> {
  value: T;
  secrets: number;
}

// scheme://user[:password]@ — the userinfo goes whole (a bare "user" is often the API key itself).
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const SECRET_QUERY = /([?&;](?:api[_-]?key|apikey|key|token|access[_-]?token|auth|password|passwd|pwd|secret|client[_-]?secret|sig|signature)=)[^&#\s"'<>]+/gi;
const AUTH_HEADER = /\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(\s*[:=]\s*)(?:(bearer|basic|token)\s+)?(?!(?:bearer|basic|token)\b)[^\s,;"'<>]+/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
// NAME=value or NAME => value, for names that say they hold a secret (environment, launchctl print, systemctl show).
const SECRET_ASSIGNMENT = /\b([A-Z0-9_]*(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|AUTH)[A-Z0-9_]*)(\s*(?:=>|=)\s*)("[^"\n]*"|[^\s"]+)/g;
const SECRET_FLAG = /(--(?:api[-_]?key|token|password|secret|auth[-_]?token|hf[-_]token)(?:=|\s+))("[^"\n]*"|[^\s"-][^\s"]*)/gi;
const SECRET_FLAG_ALONE = /^--(?:api[-_]?key|token|password|secret|auth[-_]?token|hf[-_]token)$/i;
const PLIST_SECRET = /(<key>[^<]*(?:key|token|secret|password|credential|auth)[^<]*<\/key>\s*<string>)[^<]*(<\/string>)/gi;

/** Every pattern above needs one of these: a text without any holds no secret this module knows. */
const MAY_HOLD_SECRET = /[:=]|--|bearer|<key>/i;
/**
 * The last answers for texts that may hold one (a State repeats its texts every cycle); cleared
 * when full. 512 holds a cycle's texts with room to spare and keeps at most ~1 MiB of them.
 */
const REDACTED_TEXTS = new Map<string, Redacted<string>>();
const REDACTED_TEXTS_MAX = 512;
/** Texts longer than this are not kept (a log excerpt, a capture's command output). */
const REDACTED_TEXT_KEPT_MAX = 2048;

/** Hides every secret this module knows in one text; `secrets` counts them. */
export function redactTextCounted(text: string): Redacted<string> {
  if (!MAY_HOLD_SECRET.test(text)) return { value: text, secrets: 0 };
  const kept = REDACTED_TEXTS.get(text);
  if (kept) return { value: kept.value, secrets: kept.secrets };
  const result = redactTextNow(text);
  if (text.length <= REDACTED_TEXT_KEPT_MAX) {
    if (REDACTED_TEXTS.size >= REDACTED_TEXTS_MAX) REDACTED_TEXTS.clear();
    REDACTED_TEXTS.set(text, result);
  }
  return { value: result.value, secrets: result.secrets };
}

function redactTextNow(text: string): Redacted<string> {
  let secrets = 0;
  const count = (replacement: string) => {
    secrets += 1;
    return replacement;
  };
  const value = text
    .replace(URL_USERINFO, (_m, scheme: string) => count(`${scheme}${REDACTED}@`))
    .replace(SECRET_QUERY, (_m, name: string) => count(`${name}${REDACTED}`))
    .replace(AUTH_HEADER, (m, name: string, sep: string, scheme: string | undefined) => (m.endsWith(REDACTED) ? m : count(`${name}${sep}${scheme ? `${scheme} ` : ''}${REDACTED}`)))
    .replace(BEARER, (_m, word: string) => count(`${word} ${REDACTED}`))
    .replace(SECRET_ASSIGNMENT, (m, name: string, sep: string, v: string) => (v.includes(REDACTED) ? m : count(`${name}${sep}${REDACTED}`)))
    .replace(SECRET_FLAG, (m, flag: string, v: string) => (v.includes(REDACTED) ? m : count(`${flag}${REDACTED}`)))
    .replace(PLIST_SECRET, (_m, open: string, close: string) => count(`${open}${REDACTED}${close}`));
  return { value, secrets };
}

export function redactText(text: string): string {
  return redactTextCounted(text).value;
}

/**
 * Every string inside a JSON value redacted; objects and arrays are copied only where something
 * changed, so a State with no secret is returned as it was.
 */
export function redactDeep<T>(value: T): Redacted<T> {
  let secrets = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redactTextCounted(v);
      secrets += r.secrets;
      return r.value;
    }
    // Copied from the first item that changed on, so an unchanged value allocates nothing.
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        // An argv: ["--api-key", "sk-…"] carries the secret in the item after the flag.
        const afterFlag = i > 0 && typeof item === 'string' && typeof v[i - 1] === 'string' && SECRET_FLAG_ALONE.test(v[i - 1] as string);
        let next: unknown;
        if (afterFlag && item !== REDACTED) {
          secrets += 1;
          next = REDACTED;
        } else next = walk(item);
        if (next !== item && out === null) out = v.slice(0, i);
        if (out !== null) out.push(next);
      }
      return out ?? v;
    }
    if (v !== null && typeof v === 'object') {
      let out: Record<string, unknown> | null = null;
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        const item = record[key];
        const next = walk(item);
        if (next !== item && out === null) {
          out = {};
          for (let j = 0; j < k; j++) out[keys[j]!] = record[keys[j]!];
        }
        if (out !== null) out[key] = next;
      }
      return out ?? v;
    }
    return v;
  };
  const result = walk(value) as T;
  return { value: result, secrets };
}

/** A config (the file's JSON) with every secret field hidden, and the text redaction on the rest. */
export function redactConfig<T>(config: T, fields: readonly SecretField[] = SECRET_CONFIG_FIELDS): Redacted<T> {
  let secrets = 0;
  let copy = structuredClone(config) as unknown;
  for (const field of fields) {
    copy = replaceAt(copy, field.path.split('.'), (v) => {
      if (typeof v !== 'string') return v;
      if (field.kind === 'text') {
        secrets += 1;
        return `${REDACTED} (${new TextEncoder().encode(v).length} bytes)`;
      }
      const r = redactTextCounted(v);
      secrets += r.secrets;
      return r.value;
    });
  }
  const rest = redactDeep(copy);
  return { value: rest.value as T, secrets: secrets + rest.secrets };
}

function replaceAt(value: unknown, path: string[], replace: (v: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value);
  if (value === null || typeof value !== 'object') return value;
  const [head, ...rest] = path;
  const target = value as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(target) : Object.hasOwn(target, head!) ? [head!] : [];
  for (const key of keys) target[key] = replaceAt(target[key], rest, replace);
  return value;
}

/** True when a config value still holds a placeholder this module wrote (saving it would lose the secret). */
export function holdsRedaction(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(REDACTED);
}
