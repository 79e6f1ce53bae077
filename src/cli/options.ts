/** The CLI's options, for parseArgs; every command reads the ones it needs. */
export const OPTIONS = {
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  replay: { type: 'string' },
  config: { type: 'string' },
  interval: { type: 'string' },
  notify: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  samples: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  since: { type: 'string' },
  port: { type: 'string' },
  'include-secrets': { type: 'boolean' },
  'metrics-port': { type: 'string' },
  'metrics-listen': { type: 'string' },
  'metrics-token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export type CliValues = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

