import type { Db, Document } from 'mongodb';

/**
 * meeshy@aa13b652's data (as `indexgate seed --app meeshy@aa13b652` writes it) migrated in place
 * to the shape meeshy@ea1789df (2026-08-22) reads, with server-side aggregation pipelines
 * (`$out`, `$merge`, update pipelines): no document leaves the server.
 *
 * Where the application migrated its own data, this follows its script, cited below; where it
 * did not (a field renamed in the schema only), it writes what the application's code writes
 * at ea1789df. Paths are in isopen-io/meeshy; "script" is
 * scripts/migrations/migrate-to-participant-model.ts (cc82aa97d, 2026-03-08, unchanged at ea1789df).
 *
 * The clock: the migrated database is the one ea1789df reads, so the seeded data's newest
 * message stands for ea1789df's date (2026-08-22), and the application's changes that depend on
 * a date (delete-for-me from 2026-04-15, `firstMessageSentAt` from 2026-08-10) apply to the
 * data's last 129 and 12 days: `at(date)` = newest message − (2026-08-22 − date). Dates
 * themselves are not moved.
 */

const ea1789df = Date.UTC(2026, 7, 22);
/** Participant.deletedForMe and routes/conversations/delete-for-me.ts: 0d6980bd0, 2026-04-15. */
const deleteForMeSince = Date.UTC(2026, 3, 15);
/** Conversation.firstMessageSentAt: 805334a3e, 2026-08-10 (never backfilled: absent before). */
const firstMessageSentAtSince = Date.UTC(2026, 7, 10);
/** The script ran on 2026-03-08: its `lastActiveAt: new Date()`, one instant for every migrated participant. */
const migratedAt = new Date(Date.UTC(2026, 2, 8));

/**
 * Anonymous participants: the data of aa13b652 holds none (its seeders write no
 * AnonymousParticipant), and the application's code gives no figure. They join through share
 * links, which a direct conversation cannot have (routes/links/creation.ts:171–173) and which
 * create public conversations (creation.ts:43); so: one anonymous participant beside this
 * share of the user participants of every non-direct conversation (by the member's joinedAt,
 * milliseconds modulo 100), joining an hour after it, and active like it. An assumption.
 */
export const anonymousPerCent = 3;
/** Of the participants that left after delete-for-me existed, the share that deleted the conversation for themselves instead (by leftAt parity). An assumption. */
export const deleteForMeShareOfLeaves = 0.5;

export interface MigrationFigures {
  readonly participants: { readonly user: number; readonly anonymous: number };
  /** Messages whose sender had no membership in their conversation: they keep a user's id, as the script leaves them. */
  readonly messagesWithoutParticipant: number;
  /** System messages (no sender at aa13b652) given their conversation's first participant. */
  readonly systemMessagesAssigned: number;
  readonly cursorsWithoutParticipant: number;
  readonly deletedForMe: number;
  readonly firstMessageSentAt: { readonly set: number; readonly null: number };
  readonly dataEnd: string;
}

/** Runs every step, in order; the database must hold aa13b652's collections and no Participant. */
export async function migrateToEa1789df(db: Db): Promise<MigrationFigures> {
  const [newest] = await db
    .collection('Message')
    .aggregate<{ at: Date }>([{ $group: { _id: null, at: { $max: '$createdAt' } } }])
    .toArray();
  if (!newest) throw new Error(`${db.databaseName}: no Message, not a seeded meeshy@aa13b652 database`);
  const at = (date: number): Date => new Date(newest.at.getTime() - (ea1789df - date));

  await participantsFromMembers(db, at(deleteForMeSince));
  await anonymousParticipants(db);
  // The lookups by (conversationId, userId) the next steps make.
  await db.collection('Participant').updateMany({ type: 'user' }, [{ $set: { deriveKey: participantKey('$userId') } }]);
  await db.collection('Participant').createIndex({ deriveKey: 1 }, { name: 'derive_key' });
  const systemMessagesAssigned = await db.collection('Message').countDocuments({ senderId: null });
  await messagesToParticipants(db);
  await cursorsToParticipants(db);
  await preferences(db);
  await firstMessageSentAt(db, at(firstMessageSentAtSince));
  await db.collection('Participant').dropIndex('derive_key');
  await db.collection('Participant').updateMany({}, { $unset: { deriveKey: '' } });
  // The script's phase 8.
  await db.collection('ConversationMember').drop();

  const count = (collection: string, filter: Document) => db.collection(collection).countDocuments(filter);
  const messagesWithoutParticipant = await count('Message', { senderIsUser: true });
  if (messagesWithoutParticipant > 0) await db.collection('Message').updateMany({ senderIsUser: true }, { $unset: { senderIsUser: '' } });
  return {
    participants: { user: await count('Participant', { type: 'user' }), anonymous: await count('Participant', { type: 'anonymous' }) },
    messagesWithoutParticipant,
    systemMessagesAssigned: systemMessagesAssigned - (await count('Message', { senderId: null })),
    cursorsWithoutParticipant: await count('ConversationReadCursor', { participantId: { $exists: false } }),
    deletedForMe: await count('Participant', { deletedForMe: { $type: 'date' } }),
    firstMessageSentAt: {
      set: await count('Conversation', { firstMessageSentAt: { $type: 'date' } }),
      null: await count('Conversation', { firstMessageSentAt: { $type: 'null' } }),
    },
    dataEnd: newest.at.toISOString(),
  };
}

/**
 * ConversationMember → Participant, field for field as the script's phase 1 writes it
 * (script lines 88–126): the user's displayName (else username), avatar and systemLanguage;
 * `permissions` from the member's `canSendMessage` (singular, which aa13b652's members never
 * hold: so true) and the other rights `?? true`; `isOnline: false`, `lastActiveAt` the
 * migration's instant, `leftAt`/`bannedAt`/`nickname`/`anonymousSession`/`sessionTokenHash`
 * null where unset. The member's `_id` is kept (the script draws a new one; ids are not in a
 * profile). `deletedForMe` is not written (the field came after the script), except for the
 * participants that left after delete-for-me existed and chose it: delete-for-me.ts:83–85
 * writes `{ deletedForMe: now, isActive: false }`.
 */
async function participantsFromMembers(db: Db, deleteForMeFrom: Date): Promise<void> {
  const rights = ['canSendFiles', 'canSendImages', 'canSendVideos', 'canSendAudios', 'canSendLocations', 'canSendLinks'];
  const deletedForMe = {
    $and: [
      { $eq: ['$isActive', false] },
      { $gte: ['$leftAt', deleteForMeFrom] },
      { $lt: [{ $mod: [{ $toLong: '$leftAt' }, 1 / deleteForMeShareOfLeaves] }, 1] },
    ],
  };
  await db
    .collection('ConversationMember')
    .aggregate([
      {
        $lookup: {
          from: 'User',
          localField: 'userId',
          foreignField: '_id',
          as: 'u',
          pipeline: [{ $project: { displayName: 1, username: 1, avatar: 1, systemLanguage: 1 } }],
        },
      },
      { $set: { u: { $first: '$u' } } },
      {
        $project: {
          _id: 1,
          conversationId: 1,
          type: 'user',
          userId: 1,
          displayName: { $ifNull: ['$u.displayName', '$u.username', 'Unknown'] },
          avatar: { $ifNull: ['$u.avatar', null] },
          role: { $ifNull: ['$role', 'member'] },
          permissions: {
            canSendMessages: { $ifNull: ['$canSendMessage', true] },
            ...Object.fromEntries(rights.map((r) => [r, { $ifNull: [`$${r}`, true] }])),
          },
          language: { $ifNull: ['$u.systemLanguage', 'en'] },
          isActive: { $ifNull: ['$isActive', true] },
          isOnline: { $literal: false },
          lastActiveAt: { $literal: migratedAt },
          joinedAt: { $ifNull: ['$joinedAt', migratedAt] },
          leftAt: { $cond: [deletedForMe, null, { $ifNull: ['$leftAt', null] }] },
          bannedAt: null,
          nickname: { $ifNull: ['$nickname', null] },
          anonymousSession: null,
          sessionTokenHash: null,
          deletedForMe: { $cond: [deletedForMe, '$leftAt', '$$REMOVE'] },
        },
      },
      { $out: 'Participant' },
    ])
    .toArray();
}

/**
 * Anonymous participants as the script's phase 2 writes them (lines 150–196), beside
 * `anonymousPerCent` of the user participants of non-direct conversations: `userId: null`,
 * the rights of an anonymous link (send messages and images; also the schema's
 * ParticipantPermissions defaults), language `fr`, a 64-hex `sessionTokenHash` (sha256's
 * length) on the participant and in its embedded session, the link's id, a profile of
 * first/last/user names. The values are derived from the member's id, not random: only their
 * lengths and shares reach a profile. They send no message (the aa13b652 data has no anonymous sender).
 */
async function anonymousParticipants(db: Db): Promise<void> {
  const hex = { $toString: '$_id' };
  const hash = { $concat: [hex, hex, { $substrCP: [hex, 0, 16] }] };
  const joined = { $add: ['$joinedAt', 3_600_000] };
  await db
    .collection('Participant')
    .aggregate([
      { $match: { $expr: { $lt: [{ $mod: [{ $toLong: '$joinedAt' }, 100] }, anonymousPerCent] } } },
      {
        $lookup: {
          from: 'Conversation',
          localField: 'conversationId',
          foreignField: '_id',
          as: 'c',
          pipeline: [{ $project: { type: 1 } }],
        },
      },
      { $match: { 'c.type': { $ne: 'direct' } } },
      {
        $project: {
          _id: 0,
          conversationId: 1,
          type: 'anonymous',
          userId: null,
          displayName: { $concat: ['Anonyme ', { $substrCP: [hex, 18, 6] }] },
          avatar: null,
          role: 'member',
          permissions: {
            canSendMessages: { $literal: true },
            canSendFiles: { $literal: false },
            canSendImages: { $literal: true },
            canSendVideos: { $literal: false },
            canSendAudios: { $literal: false },
            canSendLocations: { $literal: false },
            canSendLinks: { $literal: false },
          },
          language: 'fr',
          isActive: 1,
          isOnline: { $literal: false },
          lastActiveAt: joined,
          joinedAt: joined,
          leftAt: '$leftAt',
          bannedAt: null,
          nickname: null,
          sessionTokenHash: hash,
          shareLinkId: { $toObjectId: { $concat: [{ $substrCP: [hex, 0, 8] }, '5a5a5a5a', { $substrCP: [hex, 16, 8] }] } },
          anonymousSession: {
            shareLinkId: { $concat: [{ $substrCP: [hex, 0, 8] }, '5a5a5a5a', { $substrCP: [hex, 16, 8] }] },
            session: { sessionTokenHash: hash, ipAddress: null, country: null, deviceFingerprint: null, connectedAt: joined },
            profile: {
              firstName: 'Anonyme',
              lastName: { $substrCP: [hex, 18, 6] },
              username: { $concat: ['anon_', { $substrCP: [hex, 12, 12] }] },
              email: null,
              birthday: null,
            },
            rights: null,
          },
        },
      },
      { $merge: { into: 'Participant', whenMatched: 'fail', whenNotMatched: 'insert' } },
    ])
    .toArray();
}

/**
 * A user participant's key, "conversationId:userId", kept in `deriveKey` while the migration
 * runs (indexed): a `$lookup` on one indexed field is a point read, where one on two `$expr`
 * equalities reads every participation of the user.
 */
const participantKey = (user: string) => ({
  $cond: [{ $eq: [{ $ifNull: [user, null] }, null] }, 'none', { $concat: [{ $toString: '$conversationId' }, ':', { $toString: user }] }],
});

/** The participant of (userField, conversationId): stages setting `as` to its `_id`, or leaving it missing. */
function participantOf(userField: string, as: string): Document[] {
  return [
    // A null user (a system message) names no participant: 'none' is nobody's key.
    { $set: { deriveKey: participantKey(`$${userField}`) } },
    {
      $lookup: {
        from: 'Participant',
        localField: 'deriveKey',
        foreignField: 'deriveKey',
        as,
        pipeline: [{ $limit: 1 }, { $project: { _id: 1 } }],
      },
    },
    { $set: { [as]: { $first: `$${as}._id` } } },
    { $unset: 'deriveKey' },
  ];
}

/**
 * Message: `senderId` becomes the sender's participant (script phase 3, lines 208–262: by
 * conversationId and userId; a message without one keeps its user id, as the script leaves
 * it, and is marked `senderIsUser` here to be counted, then unmarked). `isDeleted` goes
 * (e850181b4, 2026-03-05, removed it from the schema; no data migration) and `deletedAt` is
 * what every writer of ea1789df writes: null for a live message
 * (services/gateway/src/services/messaging/liveMessage.ts `LIVE_MESSAGE_MARK`), the deletion's
 * date for a deleted one (routes/messages.ts:849–852).
 */
async function messagesToParticipants(db: Db): Promise<void> {
  await db
    .collection('Message')
    .aggregate([
      ...participantOf('senderId', 'p'),
      {
        $set: {
          senderId: { $ifNull: ['$p', '$senderId'] },
          senderIsUser: { $cond: [{ $and: [{ $eq: [{ $type: '$p' }, 'missing'] }, { $ne: ['$senderId', null] }] }, true, '$$REMOVE'] },
          deletedAt: { $cond: ['$isDeleted', { $ifNull: ['$deletedAt', '$updatedAt'] }, null] },
        },
      },
      { $unset: ['p', 'isDeleted'] },
      { $out: 'Message' },
    ])
    .toArray();
  // aa13b652's system messages have no sender (`senderId` was optional); ea1789df's schema
  // requires one, and its system messages name the participant they are about
  // (services/conversations/joinSystemMessage.ts:77–87). The script leaves them without one
  // (an error line each, lines 246–248): here they get the conversation's first participant.
  const first = 'derive_first_participant';
  await db
    .collection('Participant')
    .aggregate([
      { $sort: { conversationId: 1, joinedAt: 1, _id: 1 } },
      { $group: { _id: '$conversationId', participant: { $first: '$_id' } } },
      { $out: first },
    ])
    .toArray();
  await db
    .collection('Message')
    .aggregate([
      { $match: { senderId: null } },
      { $lookup: { from: first, localField: 'conversationId', foreignField: '_id', as: 'p' } },
      { $project: { senderId: { $first: '$p.participant' } } },
      { $match: { senderId: { $type: 'objectId' } } },
      { $merge: { into: 'Message', on: '_id', whenMatched: 'merge', whenNotMatched: 'discard' } },
    ])
    .toArray();
  await db.collection(first).drop();
}

/** ConversationReadCursor: `participantId` for (conversationId, userId), `userId` unset (script phases 4–7, lines 296–330). */
async function cursorsToParticipants(db: Db): Promise<void> {
  await db
    .collection('ConversationReadCursor')
    .aggregate([...participantOf('userId', 'participantId'), { $unset: 'userId' }, { $out: 'ConversationReadCursor' }])
    .toArray();
}

/**
 * UserConversationPreferences stay keyed by (userId, conversationId). `isDeletedForUser`
 * became `deletedForUserAt` in the schema (e850181b4, 2026-03-05) with no data migration:
 * written here as the row's updatedAt where it was true, left absent otherwise (as Prisma
 * leaves an optional field nobody wrote). Fields added later (mentionsOnly, readingMode,
 * version, …) are absent on these older rows, as in the application's database.
 */
async function preferences(db: Db): Promise<void> {
  await db
    .collection('UserConversationPreferences')
    .updateMany({}, [
      { $set: { deletedForUserAt: { $cond: ['$isDeletedForUser', '$updatedAt', '$$REMOVE'] } } },
      { $unset: 'isDeletedForUser' },
    ]);
}

/**
 * Conversation.firstMessageSentAt (805334a3e; packages/shared/CLAUDE.md at ea1789df): absent
 * on every conversation created before 2026-08-10 (never backfilled) and on every non-direct
 * one; a direct conversation created since is created with `null` and flipped to its first
 * message's date by the first message (messagePostSaveEffects.ts).
 */
async function firstMessageSentAt(db: Db, since: Date): Promise<void> {
  await db.collection('Message').createIndex({ conversationId: 1, createdAt: 1 }, { name: 'derive_conversation_created' });
  await db
    .collection('Conversation')
    .aggregate([
      { $match: { type: 'direct', createdAt: { $gte: since } } },
      {
        $lookup: {
          from: 'Message',
          localField: '_id',
          foreignField: 'conversationId',
          as: 'm',
          pipeline: [{ $sort: { createdAt: 1 } }, { $limit: 1 }, { $project: { createdAt: 1 } }],
        },
      },
      { $project: { firstMessageSentAt: { $ifNull: [{ $first: '$m.createdAt' }, null] } } },
      { $merge: { into: 'Conversation', on: '_id', whenMatched: 'merge', whenNotMatched: 'discard' } },
    ])
    .toArray();
  await db.collection('Message').dropIndex('derive_conversation_created');
}
