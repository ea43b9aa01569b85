import type { Db } from 'mongodb';
import { workload } from '../support/workload.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { audiencesOf, captureRoute, type CommandSide, defaultRoutePlan } from '../../src/route-engine/measure.js';
import { builtIn, dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';

/** The application's commands on real data at `small`, after the six, on the baseline whose Prisma indexes let them finish. */
let db: Db;
let commands: Map<string, CommandSide>;

beforeAll(async () => {
  ({ db } = await seededDb('prisma-plans', 'small', 20260126, 'prisma'));
  await applyIndexes(db, runbookIndexes);
  const [heaviest] = await sampleUsers(db, workload.users, ['heaviest']);
  if (!heaviest) throw new Error('no user');
  const route = builtIn('prisma');
  const [audience] = audiencesOf(route, [{ userClass: 'heaviest', userId: heaviest.userId.toHexString() }], {});
  const captured = await captureRoute(
    { db, dm: await dataModel(), plan: { ...defaultRoutePlan, maxTimeMS: 60_000 } },
    route,
    audience as NonNullable<typeof audience>,
  );
  commands = new Map(captured.commands.map((c) => [c.step, c]));
}, 240_000);

const at = (step: string) => commands.get(step) as CommandSide;

describe('the prisma route at small, after the six (baseline prisma)', () => {
  it('the page: a $lookup per Conversation (served by the Prisma conversationId index), then a blocking $sort; none of the six serves the join', () => {
    const page = at('conversation.findMany').measurement;
    expect(page?.stages.slice(0, 4)).toEqual(['$project', '$sort', '$match', '$lookup']);
    expect(page?.blockingSort).toBe(true);
    const lookup = page?.lookups?.[0];
    expect(lookup?.from).toBe('ConversationMember');
    expect(lookup?.collectionScans).toBe(0);
    expect(lookup?.indexesUsed.some((n) => n.startsWith('ConversationMember_conversationId'))).toBe(true);
    expect(lookup?.indexesUsed).not.toContain('idx_member_user_active_conv');
    // Every conversation goes through the join: the members examined are (about) all of them.
    expect(page?.totalDocsExamined).toBeGreaterThan(30_000);
  });

  it('count: the same join over every Conversation, then $group', () => {
    const count = at('conversation.count').measurement;
    expect(count?.stages[0]).toBe('$group');
    expect(count?.stages).toContain('$lookup');
    expect(count?.totalDocsExamined).toBeGreaterThan(30_000);
  });

  it('messages: {conversationId, isDeleted, createdAt} walked per conversation (SORT_MERGE, no blocking sort), every non-deleted message returned, one per conversation kept in memory', () => {
    const messages = at('conversation.findMany › messages');
    // #2, or Prisma's ascending index with the same fields, which the planner walks backwards (the baseline's choice here).
    expect(
      messages.measurement?.indexesUsed.some(
        (n) => n === 'idx_message_conv_notdeleted_created' || n === 'Message_conversationId_isDeleted_createdAt_idx',
      ),
    ).toBe(true);
    expect(messages.measurement?.stages).toContain('SORT_MERGE');
    expect(messages.measurement?.blockingSort).toBe(false);
    expect(messages.clientSide?.keptDocs).toBe(15);
    expect(messages.returnedDocs).toBeGreaterThan(1000);
    expect(messages.returnedBytes).toBeGreaterThan(100_000);
  });

  it('members: all active members of the page come back, Prisma keeps 5 per conversation', () => {
    const members = at('conversation.findMany › members');
    expect(members.measurement?.collscan).toBe(false);
    expect(members.clientSide?.keptDocs).toBeLessThanOrEqual(75);
    expect(members.returnedDocs).toBeGreaterThan(members.clientSide?.keptDocs ?? 0);
  });

  it('read cursors and preferences: index scans on #4 and #5, or the Prisma unique indexes on the same fields', () => {
    const cursors = at('conversationReadCursor.findMany').measurement;
    expect(cursors?.collscan).toBe(false);
    expect(cursors?.indexesUsed.some((n) => n === 'idx_cursor_user_conv' || n === 'ConversationReadCursor_conversationId_userId_key')).toBe(
      true,
    );
    expect(
      at('conversation.findMany › userPreferences').measurement?.indexesUsed.some(
        (n) => n === 'idx_userprefs_user_conv' || n === 'UserConversationPreferences_userId_conversationId_key',
      ),
    ).toBe(true);
  });
});
