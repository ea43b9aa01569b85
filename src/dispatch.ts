import type { RouteChoice } from '../bench/routes/index.js';
import type { ScaleName } from '../seed/profiles.js';
import type { CommandOutput, Invocation } from './invocation.js';
import type { CommandContext } from './commands/context.js';
import { benchCommand } from './commands/bench.js';
import { explainCommand } from './commands/explain.js';
import { applyIndexesCommand, type IndexSet, indexScript, listIndexSpecs, verifyIndexesCommand } from './commands/indexes.js';
import { reportCommand } from './commands/report.js';
import { seedCommand } from './commands/seed.js';
import { verifyCommand } from './commands/verify.js';
import type { Baseline, ReportFormat } from './options.js';
import type { Verdict } from './result.js';
import { renderApplyOutcome, renderExplain, renderIndexFindings, renderIndexSpecs } from './report/commands.js';
import { renderRunSummary } from './report/summary.js';
import { renderProfiles, renderSeedSummary } from './report/tables.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The contract's exit codes for a verdict. */
export const verdictExitCode = { pass: 0, fail: 1, inconclusive: 3 } as const satisfies Record<Verdict, 0 | 1 | 3>;

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
          indexes: str('indexes'),
          history: str('history'),
          route: o.route as RouteChoice,
          remedies: o.remedies !== false,
          commandLimitMs: o.commandLimitMs as number,
          allowRemoteWrites: o.allowRemoteWrites === true,
          drop: o.drop === true,
          cache: o.cache !== false,
          timeoutMs: o.timeoutMs as number,
        },
        context,
      );
      return {
        stdout: o.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files),
        exitCode: verdictExitCode[outcome.result.gate.verdict],
      };
    }
    case 'indexes list': {
      const specs = listIndexSpecs(o.set as IndexSet);
      return { stdout: o.json ? json(specs) : renderIndexSpecs(specs), exitCode: 0 };
    }
    case 'indexes script':
      return { stdout: indexScript(str('db')), exitCode: 0 };
    case 'indexes apply': {
      const outcome = await applyIndexesCommand(
        {
          uri: str('uri'),
          db: str('db'),
          timeoutMs: o.timeoutMs as number,
          only: o.only as string[] | undefined,
          allowRemoteWrites: o.allowRemoteWrites === true,
          allowWritesTo: str('allowWritesTo'),
        },
        context,
      );
      return { stdout: o.json ? json(outcome) : renderApplyOutcome(outcome), exitCode: outcome.ok ? 0 : 1 };
    }
    case 'indexes verify': {
      const outcome = await verifyIndexesCommand({ uri: str('uri'), db: str('db'), timeoutMs: o.timeoutMs as number }, context);
      return { stdout: o.json ? json(outcome) : renderIndexFindings(outcome), exitCode: outcome.ok ? 0 : 1 };
    }
    case 'explain': {
      const outcome = await explainCommand(
        { uri: str('uri'), db: str('db'), patterns: o.pattern as string[] | undefined, timeoutMs: o.timeoutMs as number, readPreference: o.readPreference as never },
        context,
      );
      const measurements = outcome.patterns.map((p) => ({ id: p.id, collection: p.collection, gated: p.gated, userClass: p.userClass, served: p.service, ...p.measurement }));
      return { stdout: o.json ? json({ target: outcome.target, database: outcome.database, environment: outcome.environment, patterns: measurements }) : renderExplain(outcome), exitCode: 0 };
    }
    case 'report': {
      const outcome = await reportCommand({ file: invocation.args[0] as string, format: o.format as ReportFormat, out: str('out') });
      return { stdout: outcome.text ?? `wrote ${outcome.written}`, exitCode: 0 };
    }
    case 'verify': {
      const outcome = await verifyCommand(
        {
          uri: str('uri'),
          db: str('db'),
          thresholds: str('thresholds'),
          expectCounts: str('expectCounts'),
          out: str('out'),
          patterns: o.pattern as string[] | undefined,
          budgetSeconds: o.budgetSeconds as number | undefined,
          readPreference: o.readPreference as never,
          timeoutMs: o.timeoutMs as number,
          maxTimeMS: o.maxTimeMs as number | undefined,
        },
        context,
      );
      return { stdout: o.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files), exitCode: verdictExitCode[outcome.result.gate.verdict] };
    }
    default:
      // Commander only dispatches the commands registered in cli.ts: reaching this is a bug.
      throw new Error(`no handler for command "${invocation.command}"`);
  }
}
