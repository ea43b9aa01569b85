import { ExitCode } from './exit-code.js';

/**
 * Known failures. Each carries the values it is about, so that a caller (and a test)
 * can act on them without parsing messages. The CLI maps every `IndexgateError` to its
 * `exitCode` and prints `message` as one line; anything else is a bug and is rethrown
 * with its stack.
 */
export abstract class IndexgateError extends Error {
  /** Usage, configuration, connection and safety errors; interruption has its own. */
  readonly exitCode: ExitCode = ExitCode.usage;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command-line argument or option is wrong. */
export class UsageError extends IndexgateError {}

/** A configuration file (thresholds, expected counts, history) is missing or invalid. */
export class ConfigError extends IndexgateError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

/** The target server could not be reached, or refused us. */
export class ConnectionError extends IndexgateError {
  constructor(
    readonly redactedUri: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot use ${redactedUri}: ${detail}`, options);
  }
}

/** A command would write where it is not allowed to. Nothing was written. */
export class SafetyRefusal extends IndexgateError {
  constructor(
    readonly database: string,
    readonly reason: string,
  ) {
    super(`refusing to write to database "${database}": ${reason}`);
  }
}

/** The database does not hold what the command needs (for example no seeded collections). */
export class TargetStateError extends IndexgateError {
  constructor(
    readonly database: string,
    readonly detail: string,
  ) {
    super(`database "${database}": ${detail}`);
  }
}

/** No mongod binary could be found or provisioned. */
export class MongodUnavailableError extends IndexgateError {
  constructor(readonly attempts: readonly string[]) {
    super(
      `no mongod available (${attempts.join('; ')}). ` +
        'Set MONGOMS_SYSTEM_BINARY to a mongod, install mongod on PATH, or pass --uri <mongodb-uri>.',
    );
  }
}

/** The embedded mongod did not start, or died while in use. */
export class ServerError extends IndexgateError {
  constructor(
    readonly phase: 'start' | 'run',
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(phase === 'start' ? `mongod failed to start: ${detail}` : `mongod stopped unexpectedly: ${detail}`, options);
  }
}

/** The user pressed Ctrl-C (or the process got SIGINT/SIGTERM). */
export class InterruptedError extends IndexgateError {
  override readonly exitCode = ExitCode.interrupted;

  constructor() {
    super('interrupted');
  }
}

export function isIndexgateError(error: unknown): error is IndexgateError {
  return error instanceof IndexgateError;
}

/** Throws InterruptedError if the signal was aborted; call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}
