import { Command, CommanderError, type Option } from 'commander';
import { runStatus, runWatch, runServices, runIncidents } from './report-commands.js';
import { runCapture } from './capture-command.js';
import { runAction } from './action-command.js';
import { runServe } from './serve-command.js';
import { runNotifyTest } from './notify-test-command.js';
import { UsageError, InputError } from './errors.js';
import { WARDEN_VERSION } from '../common/version.js';
import { OPTION, type CliValues } from './options.js';
import { terminalText } from './terminal.js';

type Run = (values: CliValues, args: string[]) => Promise<number>;

const FOOTER = `
Config: $WARDEN_HOME/config.json, else ~/Library/Application Support/Warden/config.json (macOS)
or ~/.config/warden/config.json. No file there is a valid config; a --config that names no file
is an error. Levels: green, amber, red, grey (docs/levels.md). Docs: docs/ in the repo.`;

interface Chosen {
  run: Run;
  values: CliValues;
  args: string[];
}

/** Every command with its own options and help; the one chosen is returned, not run. */
function program(chosen: { value: Chosen | null }): Command {
  const root = new Command('warden')
    .description('Watches a Mac that runs local LLM servers: memory, thieves, services, locks, jobs.')
    .version(`warden ${WARDEN_VERSION}`, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help (warden COMMAND --help for a command)')
    .addHelpText('after', FOOTER)
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false });

  const add = (name: string, summary: string, options: Option[], run: Run, details?: string) => {
    const command = root.command(name).summary(summary).description(details ? `${summary}\n${details}` : summary);
    for (const option of options) command.addOption(option);
    command.action((...params: unknown[]) => {
      // commander passes the declared arguments, then the options, then the command.
      const self = params[params.length - 1] as Command;
      const args = params.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
      chosen.value = { run, values: self.opts<CliValues>(), args };
    });
    return command;
  };

  add('status', 'one look now (two samples a second apart, for rates)', [OPTION.json(), OPTION.check(), OPTION.replay(), OPTION.config(), OPTION.wide()], runStatus,
    '--check exits 0/1/2/3 for green/amber/red/grey; otherwise exit 0. --replay runs the engine on a capture.');
  add('watch', 'refresh in place every interval until Ctrl-C', [OPTION.watchInterval(), OPTION.notify(), OPTION.replay(), OPTION.config(), OPTION.wide(), OPTION.metricsPort(), OPTION.metricsListen(), OPTION.metricsTokenFile()], runWatch,
    '--notify prints each notification the app would send (headless alerting over SSH). --metrics-port serves\nPrometheus /metrics (127.0.0.1 unless --metrics-listen; off loopback a bearer token from FILE is\nrequired on every request). Channels in the config are delivered to.');
  add('capture', 'record every fact Warden reads into one JSON file for a bug report', [OPTION.output(), OPTION.samples(), OPTION.captureInterval(), OPTION.includeSecrets(), OPTION.config()], runCapture,
    'The file is readable by you only (0600); secrets (URL credentials, tokens, canary bodies) are hidden\nunless --include-secrets.');
  add('services', 'each watched service: probe, canary, supervisor, process', [OPTION.json(), OPTION.replay(), OPTION.config()], runServices);
  const action = (verb: string, summary: string, argument: string) =>
    add(verb, summary, [OPTION.yes(), OPTION.config()], (values, args) => runAction(verb, values, args)).argument(argument);
  action('restart', 'restart a service through its supervisor', '<name>');
  action('readopt', 'put an orphaned launchd server back under launchd', '<name>');
  action('release', "stop the process holding a watched file's lock", '<path>');
  action('add', 'watch a discovered server from now on (adds its URL and port to the config)', '<name>');
  action('unload', 'ask a local LLM server to unload a model; reports the memory given back', '<server>').argument('<model>');
  add('incidents', 'what happened, from the history: notices, actions, deliveries', [OPTION.since(), OPTION.json()], runIncidents);
  add('notify-test', 'send a test notice to every channel (webhook, ntfy, Slack) or the one named', [OPTION.config()], runNotifyTest).argument('[channel]');
  add('serve', 'the popover in a browser at http://127.0.0.1:PORT, live over Server-Sent Events', [OPTION.port(), OPTION.config(), OPTION.replay(), OPTION.metricsPort(), OPTION.metricsListen(), OPTION.metricsTokenFile()], runServe,
    'Prometheus metrics at /metrics. --replay serves the capture\'s end state; actions and settings are refused.');

  for (const command of [root, ...root.commands]) {
    command.exitOverride().configureOutput({ outputError: () => {} });
  }
  return root;
}

/** The commands that take an option, for "--port is an option of serve". */
function commandsTaking(root: Command, flag: string): string[] {
  return root.commands.filter((c) => c.options.some((o) => o.long === flag || o.short === flag)).map((c) => c.name());
}

/** A commander complaint as one line: "status: unknown option "--bogus" (did you mean --json?); see warden status --help". */
function usageLine(root: Command, argv: string[], error: CommanderError): string {
  const command = root.commands.find((c) => argv.includes(c.name()))?.name();
  const lines = error.message.replace(/^error: /, '').split('\n');
  let text = lines[0]!
    .replace(/'([^']*)'/g, '"$1"')
    .replace(/^option "(-[^ "]+)[^"]*" argument "([^"]*)" is invalid\. (.*)$/, '$1 "$2": $3')
    .replace(/^option "(-[^ "]+) ([^"]*)" argument missing$/, '$1 needs a value ($2)')
    .replace(/^too many arguments for "[^"]+"\. Expected (\d+) arguments? but got (\d+)\.$/, 'too many arguments (takes $1, got $2)');
  if (error.code === 'commander.unknownOption') {
    const flag = /"(--?[^"=]+)/.exec(text)?.[1] ?? '';
    const elsewhere = commandsTaking(root, flag).filter((c) => c !== command);
    if (elsewhere.length > 0) text += ` (it is an option of ${elsewhere.join(', ')})`;
  }
  const suggestion = lines.slice(1).join(' ').replace(/^\((.*)\)$/, '$1').trim();
  if (suggestion) text += ` (${suggestion.charAt(0).toLowerCase()}${suggestion.slice(1)})`;
  const where = command && error.code !== 'commander.unknownCommand' ? `${command}: ` : '';
  return `${where}${text}; see ${command && error.code !== 'commander.unknownCommand' ? `warden ${command} --help` : 'warden --help'}`;
}

async function main(argv: string[]): Promise<number> {
  const chosen: { value: Chosen | null } = { value: null };
  const root = program(chosen);
  if (argv.length === 0) {
    process.stdout.write(root.helpInformation());
    return 2;
  }
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and --version were printed by commander; they end the run with its code.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    throw new UsageError(usageLine(root, argv, error));
  }
  if (!chosen.value) {
    process.stdout.write(root.helpInformation());
    return 2;
  }
  return chosen.value.run(chosen.value.values, chosen.value.args);
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
