import { describe, expect, it } from 'vitest';
import { holdsRedaction, REDACTED, redactConfig, redactDeep, redactText, redactTextCounted } from '../../../src/common/redact.js';

describe('redactText', () => {
  it.each([
    ['http://admin:hunter2@127.0.0.1:8080/health', `http://${REDACTED}@127.0.0.1:8080/health`],
    ['GET https://sk-live-123@api.example/v1 failed: ECONNREFUSED', `GET https://${REDACTED}@api.example/v1 failed: ECONNREFUSED`],
    ['http://h/v1?model=x&api_key=sk-123&n=1', `http://h/v1?model=x&api_key=${REDACTED}&n=1`],
    ['http://h/?token=abc#top', `http://h/?token=${REDACTED}#top`],
    ['Authorization: Bearer eyJhbGciOi.x.y', `Authorization: Bearer ${REDACTED}`],
    ['x-api-key: sk-abcdef', `x-api-key: ${REDACTED}`],
    ['sent with bearer abcdefghijkl', `sent with bearer ${REDACTED}`],
    ['OPENAI_API_KEY=sk-123 HOME=/Users/me', `OPENAI_API_KEY=${REDACTED} HOME=/Users/me`],
    ['\t\tHF_TOKEN => hf_abcdef', `\t\tHF_TOKEN => ${REDACTED}`],
    ['Environment=DB_PASSWORD="s3 cret" PORT=1', `Environment=DB_PASSWORD=${REDACTED} PORT=1`],
    ['llama-server --api-key sk-9 --port 8080', `llama-server --api-key ${REDACTED} --port 8080`],
    ['vllm serve m --api-key=sk-9', `vllm serve m --api-key=${REDACTED}`],
    ['<key>OPENAI_API_KEY</key>\n\t<string>sk-123</string>', `<key>OPENAI_API_KEY</key>\n\t<string>${REDACTED}</string>`],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
    // Idempotent: a second pass finds nothing more.
    expect(redactTextCounted(expected).secrets).toBe(0);
  });

  it('leaves text without secrets alone', () => {
    for (const text of ['http://127.0.0.1:11434/api/tags', 'llama-server -m /models/q4.gguf --port 8080', 'PATH=/usr/bin', 'user@example.com wrote', '200 in 12 ms']) {
      expect(redactTextCounted(text)).toEqual({ value: text, secrets: 0 });
    }
  });
});

describe('redactDeep', () => {
  it('redacts every string, and the value after a secret flag in an argv', () => {
    const input = { argv: ['server', '--api-key', 'sk-1', '--port', '1'], nested: [{ url: 'http://u:p@h/' }], n: 3 };
    expect(redactDeep(input)).toEqual({ value: { argv: ['server', '--api-key', REDACTED, '--port', '1'], nested: [{ url: `http://${REDACTED}@h/` }], n: 3 }, secrets: 2 });
  });

  it('returns the very object when nothing is secret', () => {
    const input = { a: ['x', { b: 'y' }] };
    expect(redactDeep(input).value).toBe(input);
  });
});

describe('redactConfig', () => {
  const config = {
    services: [
      { name: 'llm', url: 'http://me:pw@127.0.0.1:8080/health', canary: { url: 'http://127.0.0.1:8080/v1/chat?key=k1', method: 'POST', body: '{"api_key":"sk-1","prompt":"hi"}' } },
      { name: 'plain', url: 'http://127.0.0.1:9000/' },
    ],
  };

  it('hides the marked fields (a canary body whole, URL credentials) and leaves the rest; the input is not changed', () => {
    const before = structuredClone(config);
    const { value, secrets } = redactConfig(config);
    expect(value.services[0]).toEqual({
      name: 'llm',
      url: `http://${REDACTED}@127.0.0.1:8080/health`,
      canary: { url: `http://127.0.0.1:8080/v1/chat?key=${REDACTED}`, method: 'POST', body: `${REDACTED} (32 bytes)` },
    });
    expect(value.services[1]).toEqual(config.services[1]);
    expect(secrets).toBe(3);
    expect(config).toEqual(before);
    expect(holdsRedaction(value)).toBe(true);
    expect(holdsRedaction(config)).toBe(false);
  });

  it('a new secret field is one line: its path', () => {
    const withChannel = { notifications: { channels: [{ kind: 'ntfy', topic: 'warden-alerts-7f3k' }] } };
    expect(redactConfig(withChannel, [{ path: 'notifications.channels.*.topic', kind: 'text' }]).value.notifications.channels[0]!.topic).toBe(`${REDACTED} (18 bytes)`);
  });
});
