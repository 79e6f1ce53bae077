import type { ChannelConfig, ChannelKind } from '../../common/config.js';

export interface NamedChannel {
  name: string;
  config: ChannelConfig;
}

/** Names for the configured channels: their own, or the kind (kind-2, kind-3… when repeated). */
export function nameChannels(channels: readonly ChannelConfig[]): NamedChannel[] {
  const taken = new Set(channels.flatMap((c) => (c.name ? [c.name] : [])));
  const counts = new Map<ChannelKind, number>();
  return channels.map((config) => {
    if (config.name) return { name: config.name, config };
    let n = counts.get(config.kind) ?? 0;
    let name: string;
    do {
      n += 1;
      name = n === 1 ? config.kind : `${config.kind}-${n}`;
    } while (taken.has(name));
    counts.set(config.kind, n);
    taken.add(name);
    return { name, config };
  });
}
