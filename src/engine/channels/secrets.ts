import type { WardenConfigInput } from '../../common/config.js';

/**
 * The config without the channels' secrets, for anything that leaves the machine or the
 * config file (a capture bundle): each URL keeps its origin (which service it is) and loses its
 * path and query (a Slack or ntfy URL's path is the credential); a bearer is dropped.
 */
export function withoutChannelSecrets(input: unknown): unknown {
  const config = input as WardenConfigInput | null;
  const channels = config?.notifications?.channels;
  if (!Array.isArray(channels)) return input;
  return {
    ...config,
    notifications: {
      ...config!.notifications,
      channels: channels.map(({ bearer: _bearer, ...channel }) => ({ ...channel, url: redactedUrl(channel.url) })),
    },
  };
}

export function redactedUrl(url: string): string {
  try {
    return `${new URL(url).origin}/redacted`;
  } catch {
    return 'https://redacted.invalid/';
  }
}
