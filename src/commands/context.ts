import type { Cleanup } from '../cleanup.js';
import type { Reporter } from '../progress.js';
import type { HostInfo } from '../system.js';

/** What every command gets from the CLI besides its own options. */
export interface CommandContext {
  readonly host: HostInfo;
  readonly reporter: Reporter;
  /** Aborted on Ctrl-C: long loops check it between units of work. */
  readonly signal: AbortSignal;
  /** Servers, clients and temporary files register here and are removed however the command ends. */
  readonly cleanup: Cleanup;
}
