import type { CommandOutput, Invocation } from './cli.js';
import type { CommandContext } from './commands/context.js';
import { NotImplementedError } from './errors.js';
import { openTarget } from './mongo/target.js';

/** Runs one parsed invocation and says what to print and which exit code it earned. */
export async function dispatch(invocation: Invocation, context: CommandContext): Promise<CommandOutput> {
  const o = invocation.options;
  switch (invocation.command) {
    case 'bench': {
      const target = await openTarget({ uri: o.uri as string | undefined, db: o.db as string | undefined, ...context });
      try {
        return { stdout: JSON.stringify(target.environment, null, 2), exitCode: 0 };
      } finally {
        await target.close();
      }
    }
    default:
      throw new NotImplementedError(invocation.command);
  }
}
