import { describe, expect, it } from 'vitest';
import { knownSpecs, patternIds, patterns, workload } from '../support/workload.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { seededCollections } from '../../seed/collections.js';
import { planProblems } from '../../src/gate/evaluate.js';
import { loadThresholds } from '../../src/gate/threshold-rules.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { inspectIndexes } from '../../src/indexing/inspect.js';
import type { Measurement } from '../../src/result.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { discoverContexts } from '../../src/run/contexts.js';
import { explainAll, measurementKey } from '../../src/run/explain-patterns.js';
import { seededDb } from '../support/seeded.js';

describe('at scale small, baseline prisma', () => {
  it('reports #5 as equivalent (the Prisma unique index has its key), builds the rest, and the plans meet the thresholds', async () => {
    const { db } = await seededDb('prismaplans', 'small', 11, 'prisma');
    const findings = await inspectIndexes(db, runbookIndexes, seededCollections);
    const five = findings.find((f) => f.spec.name === 'idx_userprefs_user_conv');
    expect(five).toMatchObject({ status: 'equivalent', existingName: 'UserConversationPreferences_userId_conversationId_key' });
    for (const f of findings.filter((x) => x.spec.name !== 'idx_userprefs_user_conv')) expect(f.status, f.spec.name).toBe('missing');

    const applied = await applyIndexes(db, runbookIndexes);
    expect(applied.find((o) => o.name === 'idx_userprefs_user_conv')?.status).toBe('equivalent');
    expect(applied.filter((o) => o.status === 'created')).toHaveLength(5);

    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users));
    const after = await explainAll(db, patterns, classes);
    const { values } = await loadThresholds(workload.thresholdsFile, patternIds);
    const used: string[] = [];
    for (const p of patterns.filter((x) => x.gated)) {
      for (const { user } of classes) {
        const m = after.get(measurementKey(p.id, user.userClass)) as Measurement;
        expect(planProblems(m, values.patterns[p.id] as never, knownSpecs), `${p.id} (${user.userClass})`).toEqual([]);
        used.push(`${p.id} (${user.userClass}): ${m.indexName}`);
      }
    }
    // The Prisma indexes serve the page's members: not a COLLSCAN any more.
    expect((after.get(measurementKey('pageMembers', 'typical')) as Measurement).collscan).toBe(false);
    console.log(`plans after the six on baseline prisma:\n  ${used.join('\n  ')}`);
  });
});
