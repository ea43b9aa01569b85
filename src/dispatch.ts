import type { CommandOutput, Invocation } from './invocation.js';
import type { CommandContext } from './commands/context.js';
import { benchCommand } from './commands/bench.js';
import { captureCommand } from './commands/capture.js';
import { historyAcceptCommand, historyShowCommand } from './commands/history.js';
import { explainCommand, explainJson } from './commands/explain.js';
import { applyIndexesCommand, checkSchemaCommand, indexScript, listIndexSpecs, verifyIndexesCommand } from './commands/indexes.js';
import { reportCommand } from './commands/report.js';
import { routesRenderCommand } from './commands/routes.js';
import { seedCommand } from './commands/seed.js';
import { verifyCommand } from './commands/verify.js';
import type { Verdict } from './result.js';
import { renderApplyOutcome, renderCapture, renderExplain, renderHistorySeries, renderIndexFindings, renderIndexSpecs, renderRoutesRender, renderSchemaCheck } from './report/commands.js';
import { renderRunSummary } from './report/summary.js';
import { renderProfiles, renderSeedSummary } from './report/tables.js';

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The options every command that reaches a server shares. */
const target = (o: { uri?: string | undefined; db?: string | undefined; timeoutMs: number }) => ({ uri: o.uri, db: o.db, timeoutMs: o.timeoutMs });

/** The contract's exit codes for a verdict. */
export const verdictExitCode = { pass: 0, fail: 1, inconclusive: 3 } as const satisfies Record<Verdict, 0 | 1 | 3>;

/** Runs one parsed invocation and says what to print and which exit code it earned. */
export async function dispatch(invocation: Invocation, context: CommandContext): Promise<CommandOutput> {
  switch (invocation.command) {
    case 'seed': {
      const o = invocation.options;
      if (o.profiles) return { stdout: renderProfiles(o.seed), exitCode: 0 };
      const outcome = await seedCommand(
        { ...target(o), scale: o.scale, seed: o.seed, baseline: o.baseline, prismaSchema: o.prismaSchema, drop: o.drop === true, allowRemoteWrites: o.allowRemoteWrites === true },
        context,
      );
      return { stdout: o.json ? json(outcome) : renderSeedSummary(outcome), exitCode: 0 };
    }
    case 'bench': {
      const o = invocation.options;
      const outcome = await benchCommand(
        {
          ...target(o),
          scale: o.scale,
          seed: o.seed,
          baseline: o.baseline,
          prismaSchema: o.prismaSchema,
          thresholds: o.thresholds,
          out: o.out,
          patterns: o.pattern,
          budgetSeconds: o.budgetSeconds,
          skipIndexes: o.skipIndex,
          indexes: o.indexes,
          history: o.history,
          workload: o.workload,
          route: o.route,
          routeFiles: o.routeFile,
          routeParams: o.routeParam,
          remedies: o.remedies,
          commandLimitMs: o.commandLimitMs,
          allowRemoteWrites: o.allowRemoteWrites === true,
          drop: o.drop === true,
          cache: o.cache,
        },
        context,
      );
      return {
        stdout: o.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files),
        exitCode: verdictExitCode[outcome.result.gate.verdict],
      };
    }
    case 'indexes list': {
      const o = invocation.options;
      const specs = listIndexSpecs(o.set);
      return { stdout: o.json ? json(specs) : renderIndexSpecs(specs), exitCode: 0 };
    }
    case 'indexes script':
      return { stdout: indexScript(invocation.options.db), exitCode: 0 };
    case 'indexes apply': {
      const o = invocation.options;
      const outcome = await applyIndexesCommand(
        { ...target(o), only: o.only, allowRemoteWrites: o.allowRemoteWrites === true, allowWritesTo: o.allowWritesTo },
        context,
      );
      return { stdout: o.json ? json(outcome) : renderApplyOutcome(outcome), exitCode: outcome.ok ? 0 : 1 };
    }
    case 'indexes verify': {
      const o = invocation.options;
      const outcome = await verifyIndexesCommand(target(o), context);
      return { stdout: o.json ? json(outcome) : renderIndexFindings(outcome), exitCode: outcome.ok ? 0 : 1 };
    }
    case 'indexes check': {
      const o = invocation.options;
      const outcome = await checkSchemaCommand({ prismaSchema: o.prismaSchema, set: o.set });
      return { stdout: o.json ? json(outcome) : renderSchemaCheck(outcome), exitCode: outcome.ok ? 0 : 1 };
    }
    case 'explain': {
      const o = invocation.options;
      const outcome = await explainCommand({ ...target(o), patterns: o.pattern, readPreference: o.readPreference }, context);
      // The JSON of explain is the command's own outcome, pattern by pattern (no renderer decides its shape).
      return { stdout: o.json ? json(explainJson(outcome)) : renderExplain(outcome), exitCode: 0 };
    }
    case 'report': {
      const o = invocation.options;
      const outcome = await reportCommand({ file: invocation.args[0], format: o.format, out: o.out });
      return { stdout: outcome.text ?? `wrote ${outcome.written}`, exitCode: 0 };
    }
    case 'capture': {
      const o = invocation.options;
      const outcome = await captureCommand(
        { ...target(o), log: o.log, out: o.out, name: o.name, params: o.params, force: o.force === true, skipUnknown: o.skipUnknown === true },
        context,
      );
      return { stdout: o.json ? json(outcome.workload) : renderCapture(outcome), exitCode: 0 };
    }
    case 'history show': {
      const o = invocation.options;
      const outcome = await historyShowCommand({ file: o.history, last: o.last });
      return { stdout: o.json ? json(outcome) : renderHistorySeries(outcome), exitCode: 0 };
    }
    case 'history accept': {
      const o = invocation.options;
      const outcome = await historyAcceptCommand({ file: o.history, target: invocation.args[0], note: o.note });
      const a = outcome.accepted;
      return { stdout: o.json ? json(outcome) : `accepted ${a.runId ?? `commit ${a.commit ?? ''}`} in ${outcome.file}: later runs are compared from it on ("${a.note}")`, exitCode: 0 };
    }
    case 'routes render': {
      const o = invocation.options;
      const outcome = await routesRenderCommand({ ...target(o), file: invocation.args[0], userClass: o.userClass, routeParams: o.routeParam, prismaSchema: o.prismaSchema }, context);
      return { stdout: o.json ? json(outcome) : renderRoutesRender(outcome), exitCode: 0 };
    }
    case 'verify': {
      const o = invocation.options;
      const outcome = await verifyCommand(
        {
          ...target(o),
          thresholds: o.thresholds,
          expectCounts: o.expectCounts,
          out: o.out,
          patterns: o.pattern,
          budgetSeconds: o.budgetSeconds,
          readPreference: o.readPreference,
          maxTimeMS: o.maxTimeMs,
          workload: o.workload,
          route: o.route,
          routeFiles: o.routeFile,
          routeParams: o.routeParam,
          prismaSchema: o.prismaSchema,
        },
        context,
      );
      return { stdout: o.json ? json(outcome.result) : renderRunSummary(outcome.result, outcome.files), exitCode: verdictExitCode[outcome.result.gate.verdict] };
    }
  }
}
