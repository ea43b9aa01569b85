import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-code.js';
import { requireApplicationCollections } from '../mongo/required-collections.js';
import type { Environment } from '../mongo/environment.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { type Service, servedBy } from '../plan/served.js';
import type { Measurement } from '../result.js';
import { type SampledUser, sampleUsers } from '../users/user-classes.js';
import { discoverContexts } from '../run/contexts.js';
import { explainAll, measurementKey } from '../run/explain-patterns.js';
import { selectPatterns } from '../run/select.js';
import { formatNumber, table } from '../report/tables.js';
import { migrationSet, patternCollections, type QueryPattern } from '../workload.js';
import { type CommandContext, implementCommand, json } from './command.js';
import type { explainCommand } from './explain-options.js';

export interface ExplainCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  /** `--pattern`: only these query patterns. */
  pattern?: readonly string[] | undefined;
  timeoutMs?: number | undefined;
  readPreference?: 'primary' | 'primaryPreferred' | 'secondary' | 'secondaryPreferred' | 'nearest' | undefined;
}

export interface ExplainedPattern {
  readonly id: string;
  readonly title: string;
  readonly collection: string;
  readonly gated: boolean;
  readonly userClass: SampledUser['userClass'];
  readonly measurement: Measurement;
  readonly service: Service;
}

export interface ExplainOutcome {
  readonly target: string;
  readonly database: string;
  readonly environment: Environment;
  readonly users: readonly SampledUser[];
  readonly patterns: readonly ExplainedPattern[];
}

/**
 * `indexgate explain`: the plan of every pattern on the target's current state, for each
 * user class sampled from the target's data. Read-only.
 */
export async function explainPatterns(options: ExplainCommandOptions, context: CommandContext): Promise<ExplainOutcome> {
  const { workload } = context;
  if (options.uri === undefined)
    throw new UsageError('explain needs --uri (and --db): it reads an existing database; `indexgate bench` measures an embedded one');
  planTarget(options);
  const selected: QueryPattern[] = selectPatterns(workload.patterns.list, options.pattern);
  return withTarget({ ...options, ...context }, async (target) => {
    await requireApplicationCollections(target.db, workload.dataset.collections, patternCollections(workload));
    if (!workload.users)
      throw new UsageError(
        `explain measures the driver model's patterns, and ${workload.name} has none: use \`routes render\` or \`bench --route-file\``,
      );
    const users = await sampleUsers(target.db, workload.users);
    const classes = await discoverContexts(target.db, workload.patterns, users);
    const plans = await explainAll(target.db, selected, classes, { signal: context.signal });
    const patterns: ExplainedPattern[] = [];
    for (const pattern of selected) {
      for (const { user } of classes) {
        const measurement = plans.get(measurementKey(pattern.id, user.userClass));
        if (!measurement) continue;
        patterns.push({
          id: pattern.id,
          title: pattern.title,
          collection: pattern.collection,
          gated: pattern.gated,
          userClass: user.userClass,
          measurement,
          service: servedBy(pattern, measurement, migrationSet(workload.indexes)),
        });
      }
    }
    return { target: target.display, database: target.dbName, environment: target.environment, users, patterns };
  });
}

/** What `explain --json` prints: the target, and per pattern and class its Measurement with how it is served. */
export function explainJson(outcome: ExplainOutcome): unknown {
  return {
    target: outcome.target,
    database: outcome.database,
    environment: outcome.environment,
    patterns: outcome.patterns.map((p) => ({
      id: p.id,
      collection: p.collection,
      gated: p.gated,
      userClass: p.userClass,
      served: p.service,
      ...p.measurement,
    })),
  };
}

export function renderExplain(outcome: ExplainOutcome): string {
  const users = outcome.users.map((u) => `${u.userClass} ${u.userId.toHexString()} (${u.memberships} conversations)`).join('; ');
  return [
    `explain on ${outcome.database} (${outcome.target}), mongod ${outcome.environment.mongodVersion} ${outcome.environment.topology}`,
    `users: ${users}`,
    table(
      ['pattern', 'class', 'plan (root first)', 'keys', 'docs', 'returned', 'served'],
      outcome.patterns.map((p) => [
        `${p.id}${p.gated ? '' : ' (not gated)'}`,
        p.userClass,
        p.measurement.stages.join(' > '),
        formatNumber(p.measurement.totalKeysExamined),
        formatNumber(p.measurement.totalDocsExamined),
        formatNumber(p.measurement.nReturned),
        p.service.message,
      ]),
    ),
  ].join('\n');
}

export const explainImplementation = implementCommand<typeof explainCommand>()({
  run: ({ options }, context) => explainPatterns(options, context),
  // The JSON of explain is the command's own outcome, pattern by pattern (no renderer decides its shape).
  render: (outcome, options) => ({ stdout: options.json ? json(explainJson(outcome)) : renderExplain(outcome), exitCode: ExitCode.pass }),
});
