import type { Db } from 'mongodb';
import { knownSpecs, patternIds, patterns, workload } from '../support/workload.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { planProblems } from '../../src/gate/evaluate.js';
import { loadThresholds } from '../../src/gate/threshold-rules.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { servedBy } from '../../src/plan/served.js';
import type { Measurement } from '../../src/result.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { type ClassContext, discoverContexts } from '../../src/run/contexts.js';
import { explainAll, measurementKey } from '../../src/run/explain-patterns.js';
import { seededDb } from '../support/seeded.js';

let db: Db;
let classes: ClassContext[];
let before: Map<string, Measurement>;
let after: Map<string, Measurement>;
const gated = patterns.filter((p) => p.gated);

beforeAll(async () => {
  ({ db } = await seededDb('plans', 'small', 11, 'bare'));
  classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users));
  before = await explainAll(db, patterns, classes);
  const applied = await applyIndexes(db, runbookIndexes);
  expect(applied.map((o) => o.status)).toEqual(runbookIndexes.map(() => 'created'));
  after = await explainAll(db, patterns, classes);
});

describe('at scale small, baseline bare, on the real server', () => {
  it('before the indexes, every gated pattern plans a COLLSCAN or a blocking SORT', () => {
    for (const { user } of classes) {
      for (const p of gated) {
        const m = before.get(measurementKey(p.id, user.userClass)) as Measurement;
        expect(m.collscan || m.blockingSort, `${p.id} (${user.userClass}): ${m.stages.join(' > ')}`).toBe(true);
      }
    }
  });

  it('after `indexes apply`, every gated pattern meets its thresholds: intended index (or the same key), no COLLSCAN, docs examined close to returned', async () => {
    const { values } = await loadThresholds(workload.thresholdsFile, patternIds);
    const ratios: string[] = [];
    for (const p of gated) {
      for (const { user } of classes) {
        const m = after.get(measurementKey(p.id, user.userClass)) as Measurement;
        const rule = values.patterns[p.id];
        expect(rule, p.id).toBeDefined();
        expect(planProblems(m, rule as NonNullable<typeof rule>, knownSpecs), `${p.id} (${user.userClass})`).toEqual([]);
        ratios.push(`${p.id} (${user.userClass}): ${m.indexName}, ${m.totalDocsExamined} docs / ${m.nReturned} returned`);
      }
    }
    console.log(`plans after the six at small:\n  ${ratios.join('\n  ')}`);
  });

  it('each gated pattern is served by the index meant for it once the six exist (the page queries keep _id_ when a user has few conversations)', () => {
    for (const p of gated) {
      const heaviest = after.get(measurementKey(p.id, 'heaviest')) as Measurement;
      expect(servedBy(p, heaviest, runbookIndexes).by, p.id).toBe('set');
      expect(p.intendedIndexes).toContain(heaviest.indexName);
    }
  });

  it('says honestly which patterns the six do not serve, and why', () => {
    const members = patterns.find((p) => p.id === 'pageMembers');
    const users = patterns.find((p) => p.id === 'memberUsers');
    if (!members || !users) throw new Error('patterns missing');
    const m = after.get(measurementKey('pageMembers', 'typical')) as Measurement;
    const service = servedBy(members, m, runbookIndexes);
    expect(service.by).toBe('not-served');
    expect(service.message).toMatch(/NOT SERVED: collection scan \(none of the six starts with conversationId on ConversationMember/);
    expect(servedBy(users, after.get(measurementKey('memberUsers', 'typical')) as Measurement, runbookIndexes).by).toBe('id-index');
  });
});
