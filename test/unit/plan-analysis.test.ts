import { readFileSync } from 'node:fs';
import { BSON, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { analyzeExplain } from '../../src/plan/analyze.js';

/** Explain outputs recorded from mongod 7.0.15 by test/fixtures/record.ts. */
function fixture(name: string): Document {
  return BSON.EJSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'), { relaxed: true }) as Document;
}

describe('plan analysis of recorded explain outputs', () => {
  it('classic find, collection scan', () => {
    const plan = analyzeExplain(fixture('find-collscan'), 'ConversationMember');
    expect(plan).toMatchObject({
      engine: 'classic',
      stages: ['PROJECTION_SIMPLE', 'COLLSCAN'],
      indexName: null,
      collscan: true,
      blockingSort: false,
      covered: false,
      sharded: false,
    });
    expect(plan.totalKeysExamined).toBe(0);
    expect(plan.totalDocsExamined).toBeGreaterThan(plan.nReturned);
  });

  it('classic find, covered by the compound index', () => {
    const plan = analyzeExplain(fixture('find-covered-ixscan'), 'ConversationMember');
    expect(plan).toMatchObject({
      stages: ['PROJECTION_COVERED', 'IXSCAN'],
      indexName: 'idx_member_user_active_conv',
      collscan: false,
      covered: true,
      totalDocsExamined: 0,
    });
    expect(plan.totalKeysExamined).toBe(plan.nReturned);
  });

  it('classic find, blocking SORT above the _id index', () => {
    const plan = analyzeExplain(fixture('find-blocking-sort-id-index'), 'Conversation');
    expect(plan).toMatchObject({ stages: ['SORT', 'FETCH', 'IXSCAN'], indexName: '_id_', blockingSort: true, collscan: false });
    expect(plan.sortedDocs).toBeGreaterThan(plan.nReturned);
  });

  it('classic find, sort provided by the index (no blocking SORT)', () => {
    const plan = analyzeExplain(fixture('find-sort-from-index'), 'Conversation');
    expect(plan).toMatchObject({
      stages: ['LIMIT', 'FETCH', 'IXSCAN'],
      indexName: 'idx_conversation_active_lastmsg',
      blockingSort: false,
      sortedDocs: null,
    });
  });

  it('slot-based engine find (explainVersion 2)', () => {
    const plan = analyzeExplain(fixture('find-sbe-ixscan'), 'ConversationReadCursor');
    expect(plan).toMatchObject({ engine: 'sbe', stages: ['FETCH', 'IXSCAN'], indexName: 'idx_cursor_user_conv', collscan: false });
    expect(plan.nReturned).toBeGreaterThan(0);
    expect(plan.totalDocsExamined).toBe(plan.nReturned);
  });

  it('slot-based engine aggregation: GROUP over a blocking SORT over a COLLSCAN', () => {
    const plan = analyzeExplain(fixture('aggregate-sbe-group-sort-collscan'), 'Message');
    expect(plan).toMatchObject({
      engine: 'sbe',
      stages: ['GROUP', 'SORT', 'COLLSCAN'],
      collscan: true,
      blockingSort: true,
      indexName: null,
    });
  });

  it('aggregation turned into a DISTINCT_SCAN by the index', () => {
    const plan = analyzeExplain(fixture('aggregate-distinct-scan'), 'Message');
    expect(plan.stages).toEqual(['$groupByDistinctScan', 'FETCH', 'DISTINCT_SCAN']);
    expect(plan).toMatchObject({ indexName: 'idx_message_conv_notdeleted_created', collscan: false, blockingSort: false });
    expect(plan.totalDocsExamined).toBe(plan.nReturned);
  });

  it('aggregation with $lookup: the joined collection scanned once per page conversation', () => {
    const plan = analyzeExplain(fixture('aggregate-lookup-collscan'), 'Message');
    expect(plan.stages.slice(0, 2)).toEqual(['$project', '$lookup']);
    expect(plan.lookups).toHaveLength(1);
    expect(plan.lookups[0]).toMatchObject({ from: 'Message', indexesUsed: [] });
    expect(plan.lookups[0]?.collectionScans).toBe(plan.nReturned);
    expect(plan).toMatchObject({ collscan: true, indexName: null, covered: false });
  });

  it('aggregation with $lookup served by the index of the joined collection', () => {
    const plan = analyzeExplain(fixture('aggregate-lookup-indexed'), 'Message');
    expect(plan.lookups[0]).toMatchObject({ from: 'Message', collectionScans: 0, indexesUsed: ['idx_message_conv_notdeleted_created'] });
    expect(plan).toMatchObject({ collscan: false, indexName: 'idx_message_conv_notdeleted_created' });
    expect(plan.indexesUsed).toContain('_id_');
  });

  it('count through $lookup: covered on the memberships, _id lookups on Conversation', () => {
    const plan = analyzeExplain(fixture('aggregate-count-lookup-covered'), 'ConversationMember');
    expect(plan).toMatchObject({ indexName: 'idx_member_user_active_conv', covered: true, collscan: false, nReturned: 1 });
    expect(plan.lookups[0]).toMatchObject({ from: 'Conversation', indexesUsed: ['_id_'], collectionScans: 0 });
  });

  it('slot-based engine $lookup pushed down as EQ_LOOKUP', () => {
    const plan = analyzeExplain(fixture('aggregate-sbe-eq-lookup'), 'ConversationMember');
    expect(plan.engine).toBe('sbe');
    expect(plan.stages).toContain('EQ_LOOKUP');
    expect(plan.indexName).toBe('idx_member_user_active_conv');
    expect(plan.collscan).toBe(false);
  });

  it('sharded find, every shard on the index', () => {
    const plan = analyzeExplain(fixture('sharded-find-ixscan'), 'ConversationReadCursor');
    expect(plan.sharded).toBe(true);
    expect(plan.stages[0]).toBe('SHARD_MERGE');
    expect(plan.shards.map((s) => [s.shard, s.indexName, s.collscan])).toEqual([
      ['shard-a', 'idx_cursor_user_conv', false],
      ['shard-b', 'idx_cursor_user_conv', false],
    ]);
    expect(plan.collscan).toBe(false);
    expect(plan.totalKeysExamined).toBe(plan.shards.reduce((n, s) => n + s.totalKeysExamined, 0));
  });

  it('sharded find where one shard lacks the index: a COLLSCAN on that shard fails the whole plan', () => {
    const plan = analyzeExplain(fixture('sharded-find-mixed'), 'ConversationReadCursor');
    expect(plan.shards.find((s) => s.shard === 'shard-b')).toMatchObject({ collscan: true, indexName: null });
    expect(plan.collscan).toBe(true);
  });

  it('sharded aggregation, per-shard plans', () => {
    const plan = analyzeExplain(fixture('sharded-aggregate'), 'ConversationReadCursor');
    expect(plan.sharded).toBe(true);
    expect(plan.shards).toHaveLength(2);
    expect(plan.shards.every((s) => s.indexName === 'idx_cursor_user_conv')).toBe(true);
  });
});
