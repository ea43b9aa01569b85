import type { QueryPattern } from '../../bench/patterns.js';
import { UsageError } from '../errors.js';
import { requireApplicationCollections } from '../mongo/collections.js';
import type { Environment } from '../mongo/environment.js';
import { planTarget, withTarget } from '../mongo/target.js';
import { type Service, servedBy } from '../plan/served.js';
import type { Measurement } from '../result.js';
import { type SampledUser, sampleUsers } from '../users/user-classes.js';
import { discoverContexts } from '../run/contexts.js';
import { explainAll, measurementKey } from '../run/explain.js';
import { selectPatterns } from '../run/select.js';
import type { CommandContext } from './context.js';

export interface ExplainCommandOptions {
  uri?: string | undefined;
  db?: string | undefined;
  patterns?: readonly string[] | undefined;
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
export async function explainCommand(options: ExplainCommandOptions, context: CommandContext): Promise<ExplainOutcome> {
  if (options.uri === undefined) throw new UsageError('explain needs --uri (and --db): it reads an existing database; `indexgate bench` measures an embedded one');
  planTarget(options);
  const selected: QueryPattern[] = selectPatterns(options.patterns);
  return withTarget({ ...options, ...context }, async (target) => {
    await requireApplicationCollections(target.db);
    const users = await sampleUsers(target.db);
    const classes = await discoverContexts(target.db, users);
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
          service: servedBy(pattern, measurement),
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
    patterns: outcome.patterns.map((p) => ({ id: p.id, collection: p.collection, gated: p.gated, userClass: p.userClass, served: p.service, ...p.measurement })),
  };
}
