import type { ScaleName } from '../seed/profiles.js';
import type { CommandOutput, Invocation } from './cli.js';
import type { CommandContext } from './commands/context.js';
import { benchCommand } from './commands/bench.js';
import { seedCommand } from './commands/seed.js';
import { NotImplementedError } from './errors.js';
import type { Baseline } from './options.js';
import { renderRunSummary } from './report/summary.js';
import { renderProfiles, renderSeedSummary } from './report/tables.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** Runs one parsed invocation and says what to print and which exit code it earned. */
export async function dispatch(invocation: Invocation, context: CommandContext): Promise<CommandOutput> {
  const o = invocation.options;
  const str = (name: string) => o[name] as string | undefined;
  switch (invocation.command) {
    case 'seed': {
      if (o.profiles) return { stdout: renderProfiles(o.seed as number), exitCode: 0 };
      const outcome = await seedCommand(
        {
          uri: str('uri'),
          db: str('db'),
          scale: o.scale as ScaleName,
          seed: o.seed as number,
          baseline: o.baseline as Baseline,
          drop: o.drop === true,
          allowRemoteWrites: o.allowRemoteWrites === true,
          timeoutMs: o.timeoutMs as number,
        },
        context,
      );
      return { stdout: o.json ? json(outcome) : renderSeedSummary(outcome), exitCode: 0 };
    }
    case 'bench': {
      const outcome = await benchCommand(
        {
          uri: str('uri'),
          db: str('db'),
          scale: o.scale as ScaleName,
          seed: o.seed as number,
          baseline: o.baseline as Baseline,
          thresholds: str('thresholds'),
          out: str('out'),
          patterns: o.pattern as string[] | undefined,
          budgetSeconds: o.budgetSeconds as number | undefined,
          skipIndexes: o.skipIndex as string[] | undefined,
          allowRemoteWrites: o.allowRemoteWrites === true,
          drop: o.drop === true,
          timeoutMs: o.timeoutMs as number,
        },
        context,
      );
      return {
        stdout: o.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files),
        exitCode: outcome.result.gate.passed ? 0 : 1,
      };
    }
    default:
      throw new NotImplementedError(invocation.command);
  }
}
