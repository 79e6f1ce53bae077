/** The command line was wrong: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file the user gave (capture, config) is unusable: exit 2 naming the problem. */
export class InputError extends Error {
  override name = 'InputError';
}
