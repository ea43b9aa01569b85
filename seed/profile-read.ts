import type { Db, Document } from 'mongodb';
import { type SeededCollection, seededCollections } from './collections.js';
import { type DataProfile, profileFormat, profileVersion } from './data-profile.js';
import { type ConversationType, conversationTypes } from './profiles.js';
import { type Quantiles, quantilesOf, quantilesOfHistogram } from '../src/data/quantiles.js';

const day = 86_400_000;
/** Documents sampled per collection for the size quantiles (their sizes only leave the server). */
const sizeSample = 1_000;
const topUsers = 20;

/**
 * Reads the shape of a database of the chat application: only aggregation pipelines and
 * read commands, each ending in counts (`$group`, `$count`) or in numbers (`$bsonSize`),
 * so that no document, id, name or text leaves the server. Distributions come back as
 * histograms (distinct value → how many), from which the quantiles are exact.
 */
export async function readDataProfile(db: Db, serverVersion: string): Promise<DataProfile> {
  const counts = {} as Record<SeededCollection, number>;
  for (const c of seededCollections) counts[c] = await db.collection(c).estimatedDocumentCount();

  const byType = await aggregate(db, 'Conversation', [
    { $group: { _id: '$type', count: { $sum: 1 }, inactive: { $sum: { $cond: [{ $eq: ['$isActive', false] }, 1, 0] } } } },
  ]);
  // Per conversation: its documents and those `flagged` (ended memberships, deleted messages), then a histogram per type.
  const perConversation = (collection: string, flagged: Document) =>
    aggregate(db, collection, [
      { $group: { _id: '$conversationId', n: { $sum: 1 }, flagged: { $sum: { $cond: [flagged, 1, 0] } } } },
      { $lookup: { from: 'Conversation', localField: '_id', foreignField: '_id', pipeline: [{ $project: { _id: 0, type: 1 } }], as: 'c' } },
      { $group: { _id: { type: { $first: '$c.type' }, n: '$n' }, conversations: { $sum: 1 }, flagged: { $sum: '$flagged' } } },
      { $project: { _id: 0, type: { $toString: '$_id.type' }, n: '$_id.n', conversations: 1, flagged: 1 } },
    ]);
  const members = await perConversation('ConversationMember', { $eq: ['$isActive', false] });
  const messages = await perConversation('Message', { $eq: ['$isDeleted', true] });

  const conversations = {} as Record<ConversationType, DataProfile['conversations'][ConversationType]>;
  for (const type of conversationTypes) {
    const row = byType.find((r) => r._id === type);
    const count = Number(row?.count ?? 0);
    const memberRows = members.filter((r) => r.type === type);
    const messageRows = messages.filter((r) => r.type === type);
    const membershipCount = memberRows.reduce((n, r) => n + Number(r.n) * Number(r.conversations), 0);
    conversations[type] = {
      count,
      inactiveShare: count > 0 ? Number(row?.inactive ?? 0) / count : 0,
      members: withZeros(memberRows, count),
      endedShare: membershipCount > 0 ? memberRows.reduce((n, r) => n + Number(r.flagged), 0) / membershipCount : 0,
      messages: withZeros(messageRows, count),
    };
  }
  const otherConversationTypes: Record<string, number> = {};
  for (const row of byType) {
    if (!conversationTypes.includes(row._id as ConversationType)) otherConversationTypes[String(row._id)] = Number(row.count);
  }

  const [perUser] = await aggregate(db, 'ConversationMember', [
    { $group: { _id: '$userId', n: { $sum: 1 } } },
    {
      $facet: {
        histogram: [{ $group: { _id: '$n', users: { $sum: 1 } } }],
        top: [{ $sort: { n: -1 } }, { $limit: topUsers }, { $project: { _id: 0, n: 1 } }],
      },
    },
  ]);
  const userHistogram = new Map<number, number>();
  for (const r of (perUser?.histogram ?? []) as Document[]) userHistogram.set(Number(r._id), Number(r.users));
  const withMemberships = [...userHistogram.values()].reduce((a, b) => a + b, 0);
  userHistogram.set(0, (userHistogram.get(0) ?? 0) + Math.max(0, counts.User - withMemberships));

  const [span] = await aggregate(db, 'Message', [
    {
      $group: {
        _id: null,
        deleted: { $sum: { $cond: [{ $eq: ['$isDeleted', true] }, 1, 0] } },
        total: { $sum: 1 },
        first: { $min: '$createdAt' },
        last: { $max: '$createdAt' },
      },
    },
  ]);
  const first = span?.first instanceof Date ? span.first.getTime() : undefined;
  const last = span?.last instanceof Date ? span.last.getTime() : undefined;
  const activeMemberships = await db.collection('ConversationMember').countDocuments({ isActive: true });

  const documentBytes = {} as DataProfile['documentBytes'];
  for (const c of seededCollections) documentBytes[c] = await sizesOf(db, c);

  return {
    format: profileFormat,
    version: profileVersion,
    source: { database: db.databaseName, serverVersion, profiledAt: new Date().toISOString() },
    counts,
    conversations,
    otherConversationTypes,
    users: {
      memberships: quantilesOfHistogram(userHistogram),
      topMemberships: ((perUser?.top ?? []) as Document[]).map((r) => Number(r.n)),
    },
    messages: {
      deletedShare: Number(span?.total ?? 0) > 0 ? Number(span?.deleted ?? 0) / Number(span?.total) : 0,
      spanDays: first !== undefined && last !== undefined ? Math.round(((last - first) / day) * 10) / 10 : 0,
      firstDay: first !== undefined ? new Date(first).toISOString().slice(0, 10) : null,
      lastDay: last !== undefined ? new Date(last).toISOString().slice(0, 10) : null,
    },
    perActiveMembership: {
      readCursors: activeMemberships > 0 ? counts.ConversationReadCursor / activeMemberships : 0,
      preferences: activeMemberships > 0 ? counts.UserConversationPreferences / activeMemberships : 0,
    },
    documentBytes,
  };
}

function aggregate(db: Db, collection: string, pipeline: Document[]): Promise<Document[]> {
  return db.collection(collection).aggregate(pipeline, { allowDiskUse: true }).toArray();
}

/** A per-conversation histogram, with the type's conversations that have none counted at 0. */
function withZeros(rows: readonly Document[], conversations: number): Quantiles {
  const histogram = new Map<number, number>();
  for (const r of rows) histogram.set(Number(r.n), (histogram.get(Number(r.n)) ?? 0) + Number(r.conversations));
  const seen = [...histogram.values()].reduce((a, b) => a + b, 0);
  histogram.set(0, (histogram.get(0) ?? 0) + Math.max(0, conversations - seen));
  return quantilesOfHistogram(histogram);
}

/** The collection's average document size (collStats) and the quantiles of a sample's BSON sizes. */
async function sizesOf(db: Db, collection: string): Promise<{ average: number; sampled: Quantiles }> {
  const [stats] = await aggregate(db, collection, [
    { $collStats: { storageStats: {} } },
    { $project: { _id: 0, avg: '$storageStats.avgObjSize' } },
  ]);
  const sample = await aggregate(db, collection, [{ $sample: { size: sizeSample } }, { $project: { _id: 0, b: { $bsonSize: '$$ROOT' } } }]);
  return { average: Math.round(Number(stats?.avg ?? 0)), sampled: quantilesOf(sample.map((r) => Number(r.b))) };
}
