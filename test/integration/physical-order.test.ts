import { BSON, type Db, type Document } from 'mongodb';
import { patterns, seedInput, workload } from '../support/workload.js';
import { describe, expect, it } from 'vitest';
import { remedyIndexes } from '../../indexes/remedies.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { executeQuery } from '../../src/run/pattern-query.js';
import { silentReporter } from '../../src/progress.js';
import { audiencesOf, captureRoute, defaultRoutePlan } from '../../src/route-engine/measure.js';
import type { Route } from '../../src/route.js';
import { discoverContexts } from '../../src/run/contexts.js';
import { explainAll, measurementKey } from '../../src/run/explain-patterns.js';
import { seedDatabase } from '../../src/dataset/seed-database.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { testDb } from '../support/mongo.js';
import { builtIn, callFor, dataModel } from '../support/routes.js';

/**
 * Equal data must give equal facts, whatever the physical order the loader happened to
 * produce: the same (scale, seed) seeded twice, once as the bench seeds it (batches of 1,000,
 * four in flight) and once in another order (batches of 89 inserted back to front, one in
 * flight), then every route model's rows picked and every command's and pattern's plan and
 * work compared, before the indexes and after the six with the remedies. It failed on the
 * rewrite that picked "5 members" by `$sort {conversationId: 1}` alone.
 */

/** Facts of one database in its current index state: per route, class and command, and per pattern and class. */
async function facts(db: Db, routes: readonly Route[]): Promise<Record<string, unknown>> {
  const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users));
  const out: Record<string, unknown> = {};
  const ctx = { db, dm: await dataModel(), plan: { ...defaultRoutePlan, maxTimeMS: 120_000 } };
  for (const route of routes) {
    const audiences = audiencesOf(
      route,
      classes.map((k) => ({ userClass: k.user.userClass, userId: k.user.userId.toHexString() })),
      {},
    );
    for (const [i, klass] of classes.entries()) {
      const where = `${route.id} (${klass.user.userClass})`;
      const rows = new Map<string, string[]>();
      await callFor(db, route, klass.user.userId, { onDocuments: (step, docs) => rows.set(step, docs.map(canonical).sort()) });
      const { commands } = await captureRoute(ctx, route, audiences[i] as (typeof audiences)[number]);
      for (const c of commands) {
        out[`${where} ${c.step}`] = {
          rows: rows.get(c.step) ?? null,
          work: c.measurement ? work(c.measurement) : null,
          returned: c.returnedDocs,
        };
      }
    }
  }
  const explained = await explainAll(db, patterns, classes);
  for (const klass of classes) {
    for (const pattern of patterns) {
      const docs = await executeQuery(db, pattern.collection, pattern.build(klass.context));
      out[`pattern ${pattern.id} (${klass.user.userClass})`] = {
        rows: docs.map(canonical).sort(),
        work: work(explained.get(measurementKey(pattern.id, klass.user.userClass)) as Document),
      };
    }
  }
  return out;
}

const canonical = (doc: Document): string => BSON.EJSON.stringify(doc, { relaxed: false });
const work = (m: Document) => ({
  stages: m.stages,
  indexName: m.indexName,
  keys: m.totalKeysExamined,
  docs: m.totalDocsExamined,
  returned: m.nReturned,
});

describe('the facts do not depend on the physical order of the data', () => {
  it(
    'the same (scale, seed) loaded in two orders gives the same rows picked, plans and work, before and after the indexes',
    { timeout: 600_000 },
    async () => {
      const [a, b] = [await testDb('orderA'), await testDb('orderB')];
      await seedDatabase({ db: a, ...seedInput('tiny', 20260126), reporter: silentReporter });
      await seedDatabase({
        db: b,
        ...seedInput('tiny', 20260126),
        reporter: silentReporter,
        batchSize: 89,
        maxInFlight: 1,
        reverseBatches: true,
      });

      // The loader did give the two databases different physical orders (else this test proves nothing).
      const natural = async (db: Db) =>
        (
          await db
            .collection('ConversationMember')
            .find({}, { projection: { _id: 1 }, hint: { $natural: 1 }, limit: 200 })
            .toArray()
        ).map((d) => String(d._id));
      expect(await natural(b)).not.toEqual(await natural(a));

      // Before the indexes the application's route joins every conversation to an unindexed
      // collection (minutes even at tiny): the patterns and the rewrite are compared there, the
      // application's route once the remedy index serves its join.
      const before = await Promise.all([
        facts(a, [builtIn('prisma-rewrite'), builtIn('driver')]),
        facts(b, [builtIn('prisma-rewrite'), builtIn('driver')]),
      ]);
      expect(before[1]).toEqual(before[0]);

      for (const db of [a, b]) await applyIndexes(db, [...runbookIndexes, ...remedyIndexes]);
      const routes = [builtIn('prisma'), builtIn('prisma-rewrite'), builtIn('driver')];
      const after = [await facts(a, routes), await facts(b, routes)];
      expect(Object.keys(after[0] ?? {}).length).toBeGreaterThan(40);
      for (const key of Object.keys(after[0] ?? {})) expect(after[1]?.[key], key).toEqual(after[0]?.[key]);
    },
  );
});
