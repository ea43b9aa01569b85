import { type Db, type Document, ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataModel } from '../../src/prisma/datamodel.js';
import { callRoute, type RouteCall } from '../../src/route-engine/call.js';
import { dryRun } from '../../src/route-engine/dry-run.js';
import { loadRouteFile } from '../../src/route-engine/load.js';
import type { ParamValue, Route } from '../../src/route.js';
import { loadDataModel } from '../../src/run/route-setup.js';
import { routeUsersRanking } from '../../src/users/route-users.js';

/**
 * meeshy@ea1789df's conversation list (apps/meeshy@ea1789df/routes/list-conversations.ts) renders
 * on that commit's schema: the dry run on an empty database refuses nothing, and on a database
 * stub that answers every read with one matching document (so that every branch of a first page
 * is taken: a hidden preview, the reader outside the first five participants, unread messages,
 * a shown user without a privacy document) every call of the handler renders, with the shapes
 * Prisma 6.19 sends.
 */

const app = new URL('../../apps/meeshy@ea1789df/', import.meta.url).pathname;
let dm: DataModel;
let route: Route;

beforeAll(async () => {
  dm = await loadDataModel(`${app}schema.prisma`);
  route = await loadRouteFile(`${app}routes/list-conversations.ts`);
});

const reader = new ObjectId();
const other = new ObjectId();
const conversation = new ObjectId();
const participant = new ObjectId();
const message = new ObjectId();
const at = new Date('2026-08-01T00:00:00Z');

/** One document per collection, linked: the reader's preview is one they deleted for themselves; the only participant shown is someone else. */
const documents: Readonly<Record<string, Document[]>> = {
  Conversation: [
    {
      _id: conversation,
      identifier: 'mee_x',
      type: 'group',
      isActive: true,
      createdAt: at,
      updatedAt: at,
      lastMessageAt: at,
      isAnnouncementChannel: false,
      _aggr_count_participants: 2,
    },
  ],
  Participant: [
    {
      _id: participant,
      conversationId: conversation,
      type: 'user',
      userId: other,
      displayName: 'o',
      role: 'member',
      language: 'fr',
      isActive: true,
      isOnline: false,
      lastActiveAt: at,
      joinedAt: at,
    },
  ],
  User: [{ _id: other, username: 'o', firstName: 'O', lastName: 'O', isOnline: false, lastActiveAt: at }],
  Message: [
    {
      _id: message,
      conversationId: conversation,
      senderId: participant,
      content: 'hi',
      createdAt: at,
      messageType: 'text',
      isBlurred: false,
      isViewOnce: false,
      effectFlags: 0,
      originalLanguage: 'fr',
      _aggr_count_attachments: 1,
    },
  ],
  MessageAttachment: [{ _id: new ObjectId(), messageId: message, mimeType: 'image/png', originalName: 'a.png', fileSize: 10 }],
  UserConversationPreferences: [
    {
      _id: new ObjectId(),
      userId: reader,
      conversationId: conversation,
      isPinned: false,
      isMuted: false,
      isArchived: false,
      tags: [],
      readingMode: 'auto',
    },
  ],
  UserMessageDeletion: [{ _id: new ObjectId(), userId: reader, messageId: message, deletedAt: at }],
  ConversationReadCursor: [
    { _id: new ObjectId(), conversationId: conversation, participantId: participant, lastReadAt: new Date('2026-07-01T00:00:00Z') },
  ],
};

/** Answers every aggregate with its collection's documents, and a count with 3. Nothing is sent anywhere. */
const stub = {
  databaseName: 'stub',
  collection: (name: string) => ({
    aggregate: (pipeline: Document[]) => ({
      toArray: async () => ('$group' in (pipeline.at(-1) ?? {}) ? [{ _id: null, count_all: 3 }] : (documents[name] ?? [])),
    }),
  }),
} as unknown as Db;

const call = (params: Readonly<Record<string, ParamValue>> = {}): Promise<RouteCall> =>
  callRoute(
    stub,
    dm,
    route,
    { user: { id: reader.toHexString(), class: 'typical' }, params: { ...route.params, ...params } },
    { maxTimeMS: 1000 },
  );

const pipelineOf = (c: RouteCall, step: string, shape = 0): Document[] => {
  const s = c.commands.find((r) => r.step === step)?.shapes[shape];
  if (s?.kind !== 'aggregate') throw new Error(`no aggregate for ${step}`);
  return [...s.pipeline];
};
const json = (v: unknown) => JSON.stringify(v);
/** filter.rs: `f: null` is an equality to null that a missing field does not meet. */
const isNull = (f: string) => json({ $and: [{ $eq: [f, { $literal: null }] }, { $ne: [f, '$$REMOVE'] }] });

describe('meeshy@ea1789df list-conversations', () => {
  it("loads as a route with its users declaration and the clients' page size", () => {
    expect(route.id).toBe('list-conversations');
    expect(route.source).toMatch(/^isopen-io\/meeshy ea1789df services\/gateway\/src\/routes\/conversations\/core\.ts/);
    expect(route.params.limit).toBe(100);
    expect(route.users).toEqual({
      model: 'User',
      load: { relation: 'participations', where: { isActive: true, OR: [{ deletedForMe: null }, { deletedForMe: { isSet: false } }] } },
    });
  });

  it('ranks its users by their active participations, as the schema bears them', () => {
    if (!route.users) throw new Error('no users declaration');
    const ranking = routeUsersRanking(dm, route.users, route.file);
    expect(ranking.collection).toBe('Participant');
    expect(JSON.stringify(ranking.pipeline)).toContain(JSON.stringify({ $eq: ['$deletedForMe', '$$REMOVE'] }));
  });

  it('dry-runs without a refusal, on the default request and with every optional query parameter', async () => {
    await dryRun(dm, route, route.params);
    await dryRun(dm, route, {
      ...route.params,
      before: new ObjectId().toHexString(),
      updatedSince: '2026-08-01T00:00:00Z',
      type: 'group',
      withUserId: other.toHexString(),
      includeCount: 'true',
    });
  });

  it("renders every call of a first page, in the handler's order", async () => {
    const c = await call();
    expect(c.commands.map((r) => [r.step, r.collection, r.shapes.length])).toEqual([
      ['conversation.findMany', 'Conversation', 1],
      ['conversation.findMany › participants', 'Participant', 1],
      ['conversation.findMany › participants › user', 'User', 1],
      ['conversation.findMany › userPreferences', 'UserConversationPreferences', 1],
      ['conversation.findMany › messages', 'Message', 1],
      ['conversation.findMany › messages › sender', 'Participant', 1],
      ['conversation.findMany › messages › sender › user', 'User', 1],
      ['conversation.findMany › messages › attachments', 'MessageAttachment', 1],
      // resolveVisibleLastMessages: the deletions, then the hidden preview's hiding and replacement
      ['userMessageDeletion.findMany', 'UserMessageDeletion', 1],
      ['userConversationPreferences.findFirst', 'UserConversationPreferences', 1],
      ['userMessageDeletion.findMany #2', 'UserMessageDeletion', 1],
      ['message.findFirst', 'Message', 1],
      ['message.findFirst › sender', 'Participant', 1],
      ['message.findFirst › sender › user', 'User', 1],
      ['message.findFirst › attachments', 'MessageAttachment', 1],
      // the participant fallback (core.ts:659)
      ['participant.findMany', 'Participant', 1],
      // getUnreadCountsForUser's participants, and the bridge's (the same shape)
      ['participant.findMany #2', 'Participant', 2],
      ['conversation.count', 'Conversation', 1],
      ['userConversationPreferences.findMany', 'UserConversationPreferences', 2],
      ['userMessageDeletion.findMany #3', 'UserMessageDeletion', 2],
      // getUnreadCountsForUser's cursors, and core.ts:808's for the bridge
      ['conversationReadCursor.findMany', 'ConversationReadCursor', 2],
      ['userMessageDeletion.findMany #3 › message', 'Message', 2],
      ['message.count', 'Message', 1],
      ['userPreferences.findMany', 'user_preferences', 1],
      ['userPreference.findMany', 'user_preference', 1],
      ['message.findMany', 'Message', 1],
      ['message.findMany › sender', 'Participant', 1],
      ['message.findMany › sender › user', 'User', 1],
      ['message.findMany › attachments', 'MessageAttachment', 1],
    ]);
    expect(Object.keys(c.phases)).toEqual(['conversationsQuery', 'personalPreviewHiding', 'parallelQueries', 'total']);
  });

  it('sends the page as one aggregate: $lookups of the participants for the relation filters and the filtered _count, then sort and limit', async () => {
    const p = pipelineOf(await call(), 'conversation.findMany');
    const lookups = p.filter((s) => '$lookup' in s).map((s) => s.$lookup as Document);
    expect(lookups.map((l) => [l.from, l.as])).toEqual([
      ['Participant', 'ConversationToParticipant'],
      ['Participant', 'ConversationToParticipant'],
      ['Participant', 'ConversationToParticipant'],
      ['Participant', '_aggr_count_participants'],
    ]);
    expect(json(lookups[3]?.pipeline)).toContain(json({ $eq: ['$isActive', { $literal: true }] }));
    const match = json(p.find((s) => '$match' in s));
    // deletedForMe null or unset: the `isSet: false` branch is a $$REMOVE equality
    expect(match).toContain(isNull('$$elem.deletedForMe'));
    expect(match).toContain(json({ $eq: ['$$elem.deletedForMe', '$$REMOVE'] }));
    expect(match).toContain(json({ $eq: ['$firstMessageSentAt', '$$REMOVE'] }));
    expect(p.find((s) => '$sort' in s)).toEqual({ $sort: { lastMessageAt: -1 } });
    expect(Number((p.find((s) => '$limit' in s) as Document).$limit)).toBe(100);
  });

  it('reads the last message where deletedAt is null (present and null), newest first, its attachments counted by a $lookup', async () => {
    const p = pipelineOf(await call(), 'conversation.findMany › messages');
    expect(json(p[0])).toContain(isNull('$deletedAt'));
    expect(p.find((s) => '$lookup' in s)?.$lookup).toMatchObject({ from: 'MessageAttachment', as: '_aggr_count_attachments' });
    expect(p.find((s) => '$sort' in s)).toEqual({ $sort: { createdAt: -1 } });
  });

  it("counts the unread messages of each conversation from Message (deletedAt null, not the reader's own, after the cursor, not deleted for the reader)", async () => {
    const p = pipelineOf(await call(), 'message.count');
    const match = json(p[0]);
    expect(match).toContain(isNull('$deletedAt'));
    expect(match).toContain(json({ $ne: ['$senderId', { $literal: participant }] }));
    expect(match).toContain(json({ $gt: ['$createdAt', { $literal: new Date('2026-07-01T00:00:00Z') }] }));
    expect(match).toContain(json({ $ne: ['$_id', { $literal: message }] }));
    expect(p.at(-1)).toEqual({ $group: { _id: null, count_all: { $sum: 1 } } });
  });

  it("filters the reader's deletions by their message's conversation through a $lookup into Message", async () => {
    const p = pipelineOf(await call(), 'userMessageDeletion.findMany #2');
    expect(p[0]?.$lookup).toMatchObject({ from: 'Message', as: 'MessageToUserMessageDeletion' });
  });

  it('with updatedSince: the three tombstone reads sent before the page, the page ordered by updatedAt then id', async () => {
    const c = await call({ updatedSince: '2026-07-15T00:00:00Z' });
    expect(c.commands.slice(0, 4).map((r) => [r.step, r.collection])).toEqual([
      ['conversation.findMany', 'Conversation'],
      ['participant.findMany', 'Participant'],
      ['participant.findMany #2', 'Participant'],
      ['conversation.findMany #2', 'Conversation'],
    ]);
    const page = pipelineOf(c, 'conversation.findMany #2');
    expect(page.find((s) => '$sort' in s)).toEqual({ $sort: { updatedAt: 1, _id: 1 } });
    expect(json(page)).toContain(json({ $gt: ['$updatedAt', { $literal: new Date('2026-07-15T00:00:00Z') }] }));
  });
});
