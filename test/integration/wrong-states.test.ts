import { describe, expect, it } from 'vitest';
import { knownSpecs, patternIds, workload } from '../support/workload.js';
import { pattern } from '../../bench/patterns.js';
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

const spec = (name: string) => runbookIndexes.find((s) => s.name === name) as (typeof runbookIndexes)[number];

describe('deliberately wrong states are caught', () => {
  it('an index missing: reported missing, and its pattern fails the plan check', async () => {
    const { db } = await seededDb('missing', 'tiny', 21);
    await applyIndexes(
      db,
      runbookIndexes.filter((s) => s.name !== 'idx_cursor_user_conv'),
    );
    const findings = await inspectIndexes(db, runbookIndexes, seededCollections);
    expect(findings.find((f) => f.spec.name === 'idx_cursor_user_conv')?.status).toBe('missing');
    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users, ['typical']));
    const plans = await explainAll(db, [pattern('readCursors')], classes);
    const m = plans.get(measurementKey('readCursors', 'typical')) as Measurement;
    const { values } = await loadThresholds(workload.thresholdsFile, patternIds);
    expect(planProblems(m, values.patterns.readCursors as never, knownSpecs).join('; ')).toMatch(
      /COLLSCAN in the plan; .*expected idx_cursor_user_conv/,
    );
  });

  it('the right name with the wrong key order: a conflict, reported and never dropped', async () => {
    const { db } = await seededDb('keyorder', 'tiny', 22);
    await db
      .collection('ConversationMember')
      .createIndex({ isActive: 1, userId: 1, conversationId: 1 }, { name: 'idx_member_user_active_conv' });
    const [finding] = await inspectIndexes(db, [spec('idx_member_user_active_conv')], seededCollections);
    expect(finding).toMatchObject({ status: 'conflict' });
    expect(finding?.detail).toMatch(
      /exists with key \{isActive: 1, userId: 1, conversationId: 1\}, not \{userId: 1, isActive: 1, conversationId: 1\}/,
    );
    const [outcome] = await applyIndexes(db, [spec('idx_member_user_active_conv')]);
    expect(outcome?.status).toBe('conflict');
    const still = (await db.collection('ConversationMember').listIndexes().toArray()).find(
      (ix) => ix.name === 'idx_member_user_active_conv',
    );
    expect(still?.key).toEqual({ isActive: 1, userId: 1, conversationId: 1 });
  });

  it('an index on the wrong collection: missing where it belongs, naming where it was found', async () => {
    const { db } = await seededDb('wrongcoll', 'tiny', 23);
    await db
      .collection('Conversation')
      .createIndex({ conversationId: 1, isDeleted: 1, createdAt: -1 }, { name: 'idx_message_conv_notdeleted_created' });
    const [finding] = await inspectIndexes(db, [spec('idx_message_conv_notdeleted_created')], seededCollections);
    expect(finding).toMatchObject({ status: 'missing' });
    expect(finding?.detail).toMatch(/exists on Conversation instead/);
  });

  it('the same key under another name is equivalent, and apply builds nothing for it', async () => {
    const { db } = await seededDb('samekey', 'tiny', 24);
    await db.collection('ConversationReadCursor').createIndex({ userId: 1, conversationId: 1 }, { name: 'cursor_by_user' });
    const [outcome] = await applyIndexes(db, [spec('idx_cursor_user_conv')]);
    expect(outcome).toMatchObject({ status: 'equivalent', existingName: 'cursor_by_user', buildMs: 0 });
    const second = await applyIndexes(db, runbookIndexes);
    const third = await applyIndexes(db, runbookIndexes);
    expect(third.map((o) => o.status)).toEqual(second.map((o) => (o.status === 'created' ? 'present' : o.status)));
  });
});
