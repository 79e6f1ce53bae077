import { parseArgs } from 'node:util';
import { runStatus, runWatch, runCapture, runServices, runIncidents, runAction, runServe, runNotifyTest } from './commands.js';
import { UsageError, InputError } from './errors.js';
import { WARDEN_VERSION } from '../common/version.js';
import { OPTIONS, type CliValues } from './options.js';
import { terminalText } from './terminal.js';

const HELP = `warden — watches a Mac that runs local LLM servers: memory, thieves, services, locks, jobs.

Usage:
  warden status [--json] [--check] [--replay FILE] [--config PATH]
      One look now (two samples a second apart, for rates). --check exits 0/1/2/3 for
      green/amber/red/grey; otherwise exit 0. --replay runs the engine on a capture.
  warden watch [--interval S] [--notify] [--replay FILE] [--config PATH]
              [--metrics-port N [--metrics-listen ADDR] [--metrics-token-file FILE]]
      Refresh every interval until Ctrl-C. --notify prints each notification the app
      would send, as it would send it (headless alerting over SSH). --metrics-port serves
      Prometheus /metrics (127.0.0.1 unless --metrics-listen; off loopback a bearer token
      from FILE is required on every request). Channels in the config are delivered to.
  warden capture -o FILE [--samples N] [--interval S] [--include-secrets] [--config PATH]
      Record every fact Warden reads over N samples into one JSON file for a bug report,
      readable by you only (0600), secrets (URL credentials, tokens, canary bodies) hidden
      unless --include-secrets.
  warden services [--json] [--replay FILE] [--config PATH]
  warden restart NAME [--yes]      restart a service through its supervisor
  warden readopt NAME [--yes]      put an orphaned launchd server back under launchd
  warden release PATH [--yes]      stop the process holding a watched file's lock
  warden add NAME [--yes]          watch a discovered server from now on (adds its URL and port to the config)
  warden unload SERVER MODEL [--yes]
                                   ask a local LLM server to unload a model; reports the memory given back
  warden incidents [--since 24h|7d|ISO] [--json]
      What happened, from the history: notices, actions, deliveries to channels.
  warden notify-test [CHANNEL] [--config PATH]
      Send a test notice to every channel (webhook, ntfy, Slack) or the one named.
  warden serve [--port N] [--config PATH]
      The popover in a browser at http://127.0.0.1:PORT, live over Server-Sent Events,
      with Prometheus metrics at /metrics.

Config: ${'$'}WARDEN_HOME/config.json, else ~/Library/Application Support/Warden/config.json
(macOS) or ~/.config/warden/config.json. No file is a valid config. Docs: docs/ in the repo.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`warden ${WARDEN_VERSION}\n`);
    return 0;
  }
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const v = values as CliValues;
  switch (command) {
    case 'status':
      return runStatus(v, rest);
    case 'watch':
      return runWatch(v, rest);
    case 'capture':
      return runCapture(v, rest);
    case 'services':
      return runServices(v, rest);
    case 'incidents':
      return runIncidents(v, rest);
    case 'restart':
    case 'readopt':
    case 'release':
    case 'add':
    case 'unload':
      return runAction(command, v, rest);
    case 'serve':
      return runServe(v, rest);
    case 'notify-test':
      return runNotifyTest(v, rest);
    default:
      throw new UsageError(`unknown command "${command}"; see warden help`);
  }
}

// `warden watch | head`: a reader that went away ends Warden quietly, as it would end cat.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof InputError) {
      process.stderr.write(`warden: ${terminalText(error.message)}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`warden: unexpected error: ${terminalText(error instanceof Error ? error.message : String(error))}\n`);
    if (process.env.WARDEN_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 70;
  },
);
