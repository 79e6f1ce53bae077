import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../../src/engine/config.js';
import { nameChannels } from '../../../../src/engine/channels/hub.js';
import { headerText, scrubSecrets } from '../../../../src/engine/channels/format.js';
import { withoutChannelSecrets } from '../../../../src/engine/channels/secrets.js';

const channels = (list: unknown[]) => ({ notifications: { channels: list } });

describe('notifications.channels in the config', () => {
  it('accepts the three kinds', () => {
    expect(checkConfig(channels([
      { kind: 'webhook', url: 'https://relay.example/warden', bearer: 'abc.def-123', timeoutSeconds: 5, retryMinutes: 60 },
      { kind: 'ntfy', url: 'https://ntfy.sh/topic', name: 'phone' },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/X' },
    ]))).toEqual([]);
  });

  it('refuses each bad field, naming it', () => {
    expect(checkConfig(channels([{ kind: 'pager', url: 'https://x' }]))).toEqual([{ field: 'notifications.channels.0.kind', message: 'must be one of ["webhook","ntfy","slack"]' }]);
    expect(checkConfig(channels([{ kind: 'ntfy', url: 'ftp://x/topic' }]))).toEqual([{ field: 'notifications.channels.0.url', message: 'must be an http:// or https:// URL' }]);
    expect(checkConfig(channels([{ kind: 'ntfy' }]))).toEqual([{ field: 'notifications.channels.0', message: "must have required property 'url'" }]);
    expect(checkConfig(channels([{ kind: 'slack', url: 'https://hooks.slack.com/x', bearer: 'tok' }]))).toEqual([
      { field: 'notifications.channels.0.bearer', message: 'a Slack or Discord webhook takes no bearer: its URL is the credential' },
    ]);
    expect(checkConfig(channels([{ kind: 'ntfy', url: 'https://a/b', name: 'p' }, { kind: 'webhook', url: 'https://a/c', name: 'p' }]))).toEqual([
      { field: 'notifications.channels.1.name', message: '"p" is used by another channel' },
    ]);
    const bearerProblems = checkConfig(channels([{ kind: 'webhook', url: 'https://a/b', bearer: 'has space\nand newline' }]));
    expect(bearerProblems.map((p) => p.field)).toEqual(['notifications.channels.0.bearer']);
    expect(JSON.stringify(bearerProblems)).not.toContain('has space');
  });

  it('names channels by kind when unnamed, without clashing with a given name', () => {
    const named = nameChannels([
      { kind: 'ntfy', url: 'https://a/1' },
      { kind: 'ntfy', url: 'https://a/2', name: 'ntfy-2' },
      { kind: 'ntfy', url: 'https://a/3' },
      { kind: 'webhook', url: 'https://a/4' },
    ]);
    expect(named.map((c) => c.name)).toEqual(['ntfy', 'ntfy-2', 'ntfy-3', 'webhook']);
  });
});

describe('secrets', () => {
  it('a capture keeps each channel URL\'s origin only, and no bearer', () => {
    const input = { intervalSeconds: 5, ...channels([{ kind: 'webhook', url: 'https://relay.example/hook/SECRET?key=K', bearer: 'B3ARER' }, { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/SECRET' }]) };
    const out = withoutChannelSecrets(input);
    expect(out).toEqual({ intervalSeconds: 5, ...channels([{ kind: 'webhook', url: 'https://relay.example/redacted' }, { kind: 'slack', url: 'https://hooks.slack.com/redacted' }]) });
    expect(checkConfig(out)).toEqual([]);
    expect(withoutChannelSecrets({ intervalSeconds: 5 })).toEqual({ intervalSeconds: 5 });
  });

  it('an error text that echoes a URL path, query or bearer loses them', () => {
    const channel = { kind: 'webhook' as const, url: 'https://user:pw0rd@relay.example/hook/SECRET?key=QUERYKEY', bearer: 'B3ARER-token' };
    expect(scrubSecrets('HTTP 403: bad token B3ARER-token for /hook/SECRET?key=QUERYKEY (pw0rd)', channel)).toBe('HTTP 403: bad token … for …… (…)');
  });

  it('a header value that is not Latin-1 goes as RFC 2047 UTF-8; newlines never reach a header', () => {
    expect(headerText('plain title')).toBe('plain title');
    expect(headerText('a\r\nInjected: yes')).toBe('a Injected: yes');
    expect(headerText('cathedral → down')).toBe(`=?UTF-8?B?${Buffer.from('cathedral → down').toString('base64')}?=`);
  });
});
