import type { Db, Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaleProfiles } from '../../seed/profiles.js';
import { seededDb } from '../support/seeded.js';

let db: Db;
const one = async (collection: string, pipeline: Document[]) =>
  (await db.collection(collection).aggregate(pipeline, { allowDiskUse: true }).toArray())[0];

beforeAll(async () => {
  ({ db } = await seededDb('consistency', 'tiny', 7));
  // Only to make the checking lookups fast; the data is what the seeder wrote.
  await db.collection('Message').createIndex({ conversationId: 1, isDeleted: 1, createdAt: 1 });
  await db.collection('ConversationMember').createIndex({ conversationId: 1, userId: 1 });
});

describe("the application's consistency rules hold in the seeded data", () => {
  it('lastMessageAt is the createdAt of the newest non-deleted message (createdAt when there is none)', async () => {
    const wrong = await db
      .collection('Conversation')
      .aggregate([
        {
          $lookup: {
            from: 'Message',
            localField: '_id',
            foreignField: 'conversationId',
            pipeline: [{ $match: { isDeleted: false } }, { $group: { _id: null, newest: { $max: '$createdAt' } } }],
            as: 'm',
          },
        },
        { $project: { lastMessageAt: 1, expected: { $ifNull: [{ $first: '$m.newest' }, '$createdAt'] } } },
        { $match: { $expr: { $ne: ['$lastMessageAt', '$expected'] } } },
      ])
      .toArray();
    expect(wrong).toEqual([]);
  });

  it('memberCount counts active members', async () => {
    const wrong = await db
      .collection('Conversation')
      .aggregate([
        {
          $lookup: {
            from: 'ConversationMember',
            localField: '_id',
            foreignField: 'conversationId',
            pipeline: [{ $match: { isActive: true } }, { $count: 'n' }],
            as: 'm',
          },
        },
        { $project: { memberCount: 1, actual: { $ifNull: [{ $first: '$m.n' }, 0] } } },
        { $match: { $expr: { $ne: ['$memberCount', '$actual'] } } },
      ])
      .toArray();
    expect(wrong).toEqual([]);
  });

  it.each(['ConversationReadCursor', 'UserConversationPreferences'])(
    'every %s row belongs to an existing membership',
    async (collection) => {
      const orphans = await db
        .collection(collection)
        .aggregate([
          {
            $lookup: {
              from: 'ConversationMember',
              let: { c: '$conversationId', u: '$userId' },
              pipeline: [
                { $match: { $expr: { $and: [{ $eq: ['$conversationId', '$$c'] }, { $eq: ['$userId', '$$u'] }] } } },
                { $limit: 1 },
              ],
              as: 'm',
            },
          },
          { $match: { m: { $size: 0 } } },
        ])
        .toArray();
      expect(orphans).toEqual([]);
    },
  );

  it("unreadCount equals the non-deleted messages after the cursor's lastReadAt", async () => {
    const wrong = await db
      .collection('ConversationReadCursor')
      .aggregate([
        {
          $lookup: {
            from: 'Message',
            let: { c: '$conversationId', at: '$lastReadAt' },
            pipeline: [
              {
                $match: {
                  $expr: {
                    $and: [
                      { $eq: ['$conversationId', '$$c'] },
                      { $eq: ['$isDeleted', false] },
                      { $or: [{ $eq: ['$$at', null] }, { $gt: ['$createdAt', '$$at'] }] },
                    ],
                  },
                },
              },
              { $count: 'n' },
            ],
            as: 'after',
          },
        },
        { $project: { unreadCount: 1, actual: { $ifNull: [{ $first: '$after.n' }, 0] } } },
        { $match: { $expr: { $ne: ['$unreadCount', '$actual'] } } },
      ])
      .toArray();
    expect(wrong).toEqual([]);
    const behind = await db.collection('ConversationReadCursor').countDocuments({ unreadCount: { $gt: 0 } });
    expect(behind).toBeGreaterThan(0);
  });

  it('the unique pairs of the schema are unique (the server accepts the unique indexes)', async () => {
    for (const [collection, key] of [
      ['ConversationMember', { conversationId: 1, userId: 1 }],
      ['ConversationReadCursor', { conversationId: 1, userId: 1 }],
      ['UserConversationPreferences', { userId: 1, conversationId: 1 }],
      ['User', { username: 1 }],
      ['User', { email: 1 }],
      ['Conversation', { identifier: 1 }],
    ] as const) {
      await expect(
        db.collection(collection).createIndex(key, { unique: true, name: `probe_${Object.keys(key).join('_')}` }),
      ).resolves.toBeTypeOf('string');
    }
  });

  it('references are ObjectIds and dates are BSON dates', async () => {
    const checks: Array<[string, Document]> = [
      [
        'ConversationMember',
        {
          $or: [
            { conversationId: { $not: { $type: 'objectId' } } },
            { userId: { $not: { $type: 'objectId' } } },
            { joinedAt: { $not: { $type: 'date' } } },
          ],
        },
      ],
      [
        'Message',
        {
          $or: [
            { conversationId: { $not: { $type: 'objectId' } } },
            { createdAt: { $not: { $type: 'date' } } },
            { senderId: { $exists: true, $nin: [null], $not: { $type: 'objectId' } } },
          ],
        },
      ],
      ['Conversation', { $or: [{ lastMessageAt: { $not: { $type: 'date' } } }, { createdAt: { $not: { $type: 'date' } } }] }],
      [
        'ConversationReadCursor',
        { $or: [{ userId: { $not: { $type: 'objectId' } } }, { lastReadAt: { $nin: [null], $not: { $type: 'date' } } }] },
      ],
    ];
    for (const [collection, bad] of checks) expect(await db.collection(collection).countDocuments(bad), collection).toBe(0);
  });
});

describe('the data has the shape of the chat application', () => {
  it('types: mostly direct, groups, a few public and global conversations', async () => {
    const profile = scaleProfiles.tiny;
    const byType = Object.fromEntries(
      (
        await db
          .collection('Conversation')
          .aggregate([{ $group: { _id: '$type', n: { $sum: 1 } } }])
          .toArray()
      ).map((t) => [t._id, t.n]),
    );
    expect(byType).toEqual(profile.conversations);
    const directSizes = await one('ConversationMember', [
      { $lookup: { from: 'Conversation', localField: 'conversationId', foreignField: '_id', as: 'c' } },
      { $match: { 'c.type': 'direct' } },
      { $group: { _id: '$conversationId', n: { $sum: 1 } } },
      { $group: { _id: null, min: { $min: '$n' }, max: { $max: '$n' } } },
    ]);
    expect(directSizes).toMatchObject({ min: 2, max: 2 });
  });

  it('global conversations are joined by most users and hold the most messages', async () => {
    const global = await db.collection('Conversation').findOne({ type: 'global' });
    const users = await db.collection('User').countDocuments();
    expect(global?.identifier).toBe('mee_meeshy');
    expect(global?.memberCount).toBeGreaterThan(users * 0.8);
    const top = await one('Message', [{ $group: { _id: '$conversationId', n: { $sum: 1 } } }, { $sort: { n: -1 } }, { $limit: 1 }]);
    const topType = (await db.collection('Conversation').findOne({ _id: top?._id }))?.type;
    expect(['global', 'public', 'group']).toContain(topType);
  });

  it('messages per conversation are heavy-tailed: the top 5% of conversations hold a large share', async () => {
    const counts = (
      await db
        .collection('Message')
        .aggregate([{ $group: { _id: '$conversationId', n: { $sum: 1 } } }, { $sort: { n: -1 } }])
        .toArray()
    ).map((c) => c.n as number);
    const total = counts.reduce((a, b) => a + b, 0);
    const top = counts.slice(0, Math.ceil(counts.length * 0.05)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.3);
  });

  it('power users belong to far more conversations than the median user', async () => {
    const ranked = (
      await db
        .collection('ConversationMember')
        .aggregate([{ $match: { isActive: true } }, { $group: { _id: '$userId', n: { $sum: 1 } } }, { $sort: { n: 1 } }])
        .toArray()
    ).map((r) => r.n as number);
    const median = ranked[Math.floor(ranked.length / 2)] as number;
    const max = ranked[ranked.length - 1] as number;
    expect(max).toBeGreaterThanOrEqual(scaleProfiles.tiny.powerUsers.memberships[0] * 0.7);
    expect(max).toBeGreaterThan(median * 10);
  });

  it('a few percent of messages are soft-deleted, some members left, a few conversations are inactive', async () => {
    const messages = await db.collection('Message').countDocuments();
    const deleted = await db.collection('Message').countDocuments({ isDeleted: true, deletedAt: { $type: 'date' } });
    expect(deleted / messages).toBeGreaterThan(0.01);
    expect(deleted / messages).toBeLessThan(0.06);
    expect(await db.collection('ConversationMember').countDocuments({ isActive: false, leftAt: { $type: 'date' } })).toBeGreaterThan(0);
    expect(await db.collection('Conversation').countDocuments({ isActive: false })).toBeGreaterThan(0);
  });
});
