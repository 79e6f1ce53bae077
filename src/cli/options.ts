import { InvalidArgumentError, Option } from 'commander';

/** The options a command was given, typed: numbers are checked and parsed before any command runs. */
export interface CliValues {
  json?: boolean;
  check?: boolean;
  replay?: string;
  config?: string;
  interval?: number;
  notify?: boolean;
  output?: string;
  samples?: number;
  yes?: boolean;
  since?: string;
  port?: number;
  includeSecrets?: boolean;
  metricsPort?: number;
  metricsListen?: string;
  metricsTokenFile?: string;
  wide?: boolean;
}

function seconds(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`takes seconds from ${min} to ${max}`);
    return n;
  };
}

function whole(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) throw new InvalidArgumentError(`takes a whole number from ${min} to ${max}`);
    return n;
  };
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new InvalidArgumentError('takes a port number (0 to 65535)');
  return n;
}

/** Each option once; a command takes the ones it reads (`OPTION.json()` makes a fresh Option). */
export const OPTION = {
  json: () => new Option('--json', 'print the State as JSON (docs/state-json.md)'),
  check: () => new Option('--check', 'exit 0/1/2/3 for green/amber/red/grey'),
  replay: () => new Option('--replay <file>', 'run the engine on a capture instead of this host'),
  config: () => new Option('--config <path>', 'config file to use (it must exist)'),
  wide: () => new Option('--wide', 'print every table cell whole, whatever the terminal width'),
  watchInterval: () => new Option('--interval <seconds>', 'seconds between refreshes (1–3600; default: the config)').argParser(seconds(1, 3600)),
  captureInterval: () => new Option('--interval <seconds>', 'seconds between samples (0.5–3600)').argParser(seconds(0.5, 3600)).default(5),
  notify: () => new Option('--notify', 'print each notification the app would send, as it would send it'),
  output: () => new Option('-o, --output <file>', 'the capture file to write (mode 0600)'),
  samples: () => new Option('--samples <n>', 'samples to record (1–1000)').argParser(whole(1, 1000)).default(3),
  includeSecrets: () => new Option('--include-secrets', 'keep URL credentials, tokens and canary bodies in the capture'),
  yes: () => new Option('-y, --yes', 'do it without asking'),
  since: () => new Option('--since <when>', '30m, 24h, 7d or an ISO date (default 7d)'),
  port: () => new Option('--port <n>', 'port on 127.0.0.1 (default 7719; 0 picks one)').argParser(port).default(7719),
  metricsPort: () => new Option('--metrics-port <n>', 'serve Prometheus /metrics on this port').argParser(port),
  metricsListen: () => new Option('--metrics-listen <addr>', 'address for /metrics (default 127.0.0.1; others need a token file)'),
  metricsTokenFile: () => new Option('--metrics-token-file <file>', 'bearer token file (mode 600) for /metrics off loopback'),
} as const;
