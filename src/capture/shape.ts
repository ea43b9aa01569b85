import { createHash } from 'node:crypto';
import { BSON, type Document } from 'mongodb';

/**
 * A captured read command reduced to its shape: what stays the same from one call of the
 * application's code to the next. Literals become their type (`?objectId`, `?string`, …);
 * field paths (`"$conversationId"`), variables (`"$$REMOVE"`), operators, sort, projection
 * and limits stay. Two normalisations make an ORM's calls with different list lengths one
 * shape:
 *  - a list whose items all have the same shape (`$in: [a, b, c]`, Prisma's `in` sent as
 *    `$or: [{$eq: ["$f", {$literal: a}]}, {$eq: ["$f", {$literal: b}]}]`) becomes
 *    `{"?list": item}`: the query's plan does not depend on the list's length;
 *  - `$expr`-wrapped comparisons keep their structure (the planner treats `$expr` `$eq`
 *    differently from a match-language `$eq`), only their `$literal` values are replaced.
 * MongoDB 8.0's query shapes (`queryShapeHash`, src/mongo/db/query/query_shape/) replace
 * literals the same way; 7.0 has no such field in its logs, so the shape is computed here.
 */

/** The read commands a workload holds (a getMore's time belongs to the command that opened its cursor). */
export const readCommands = ['find', 'aggregate', 'count', 'distinct'] as const;
export type ReadCommand = (typeof readCommands)[number];

/**
 * Commands a log or profile holds that are not reads to replay: skipped and counted. A name
 * in neither list is unknown (a typo'd or foreign entry): the capture says so, since a
 * workload that silently drops commands is not the application's.
 */
export const skippedCommands = new Set([
  'getMore',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'bulkWrite',
  'explain',
  'createIndexes',
  'dropIndexes',
  'listIndexes',
  'listCollections',
  'listDatabases',
  'create',
  'drop',
  'dropDatabase',
  'collMod',
  'renameCollection',
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'serverStatus',
  'getParameter',
  'setParameter',
  'killCursors',
  'endSessions',
  'startSession',
  'commitTransaction',
  'abortTransaction',
  'saslStart',
  'saslContinue',
  'authenticate',
  'getLastError',
  'getlasterror',
  'dbStats',
  'collStats',
  'dataSize',
  'validate',
  'profile',
  'mapReduce',
  'mapreduce',
  'getCmdLineOpts',
  'hostInfo',
  'connectionStatus',
  'whatsmyuri',
  'getLog',
  'replSetGetStatus',
  'replSetHeartbeat',
  'replSetUpdatePosition',
  'replSetGetConfig',
  'shardCollection',
  'currentOp',
  'killOp',
  'compact',
  'reIndex',
  'logout',
  'usersInfo',
  'rolesInfo',
  'createUser',
  'updateUser',
  'dropUser',
  'grantRolesToUser',
  'aggregateRaw',
  'refreshSessions',
  'checkShardingIndex',
  'getShardVersion',
  'setFeatureCompatibilityVersion',
  'fsync',
  'top',
  'filemd5',
  'geoSearch',
  'planCacheClear',
  'planCacheClearFilters',
  'planCacheListFilters',
  'planCacheSetFilter',
  'lockInfo',
  'splitVector',
  'analyze',
  'analyzeShardKey',
  '_isSelf',
  'getDefaultRWConcern',
  'setDefaultRWConcern',
  'getFreeMonitoringStatus',
  'startRecordingTraffic',
  'stopRecordingTraffic',
  'getDiagnosticData',
  'cleanupOrphaned',
  'clone',
  'cloneCollectionAsCapped',
  'convertToCapped',
  'createView',
  'insertMany',
  'configureFailPoint',
  'waitForFailPoint',
  'replSetInitiate',
  'replSetReconfig',
  'replSetStepDown',
  'shutdown',
]);

/** Fields of a command that belong to the connection, the session or the server's bookkeeping, not to the query. */
const sessionFields = new Set([
  'lsid',
  '$clusterTime',
  '$db',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'signature',
  'maxTimeMS',
  'comment',
  '$audit',
  '$client',
  'mayBypassWriteBlocking',
  'cursor',
  'batchSize',
  'singleBatch',
  'noCursorTimeout',
  '$configTime',
  '$topologyTime',
  'shardVersion',
  'databaseVersion',
  'clientOperationKey',
  '$queryOptions',
  'tailable',
  'awaitData',
  'allowPartialResults',
  'returnKey',
  'showRecordId',
  'needsMerge',
  'fromMongos',
  'fromRouter',
  '$_requestReshardingResumeToken',
  'readOnce',
  'use44SortKeys',
  'isMapReduceCommand',
  'encryptionInformation',
  'exchange',
]);

/** Pipeline stages that write: a command holding one is not a read and is never replayed. */
const writingStages = ['$out', '$merge'];

/** The command name of a command document: its first field. */
export function commandName(command: Document): string | undefined {
  return Object.keys(command)[0];
}

/** The command as it can be sent again: the query's own fields, without session and cursor bookkeeping. */
export function replayable(command: Document): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(command)) if (!sessionFields.has(key)) out[key] = value;
  return out;
}

/** An aggregate whose pipeline writes ($out, $merge). */
export function writes(command: Document): boolean {
  const pipeline: unknown = command.pipeline;
  return Array.isArray(pipeline) && pipeline.some((s) => typeof s === 'object' && s !== null && writingStages.some((w) => w in s));
}

/** A command (or log attribute) the server shortened because it was too large to record: it cannot be replayed. */
export function truncated(command: Document): boolean {
  return '$truncated' in command || JSON.stringify(command).includes('"$truncated"');
}

/**
 * Keys under which values are query literals (everything under them is parameterised).
 * The skip is a value (page 2 is the same query as page 1); the limit stays (the planner
 * uses it, and the application's page size is a constant).
 */
const literalContexts = new Set(['filter', 'query', '$match', '$literal', 'let', 'skip', '$skip']);

const typeOf = (value: unknown): string => {
  if (value === null) return '?null';
  if (value instanceof BSON.ObjectId) return '?objectId';
  if (value instanceof Date) return '?date';
  if (value instanceof BSON.Decimal128) return '?decimal';
  if (value instanceof BSON.Long || value instanceof BSON.Int32 || value instanceof BSON.Double) return '?number';
  if (value instanceof BSON.Binary) return '?binData';
  if (value instanceof BSON.BSONRegExp || value instanceof RegExp) return '?regex';
  if (value instanceof BSON.Timestamp) return '?timestamp';
  return `?${typeof value}`;
};

const isBsonValue = (value: object): boolean => '_bsontype' in value || value instanceof Date || value instanceof RegExp;

/** The shape of a value: `inLiterals` once under a key whose values are query literals. */
function shapeOf(value: unknown, inLiterals: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => shapeOf(v, inLiterals));
    if (!inLiterals || items.length === 0) return items;
    const first = JSON.stringify(items[0]);
    return items.every((i) => JSON.stringify(i) === first) ? { '?list': items[0] } : items;
  }
  if (value !== null && typeof value === 'object' && !isBsonValue(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = shapeOf(v, inLiterals || literalContexts.has(key));
    return out;
  }
  if (!inLiterals) return value instanceof BSON.ObjectId || value instanceof Date ? typeOf(value) : bsonScalar(value);
  // Field paths and variables are the query's structure, not its values.
  if (typeof value === 'string' && value.startsWith('$')) return value;
  return typeOf(value);
}

const bsonScalar = (value: unknown): unknown =>
  value instanceof BSON.Long || value instanceof BSON.Int32 || value instanceof BSON.Double ? Number(value) : value;

export interface CommandShapeKey {
  readonly collection: string;
  readonly command: ReadCommand;
  /** The normalised command (without its command name and collection). */
  readonly shape: Document;
  /** Stable id of the shape: the command, the collection and a hash of the shape (`find-Message-1a2b3c4d5e`). */
  readonly id: string;
}

/** The shape of a read command: collection, command and normalised fields, with a stable id. */
export function shapeOfCommand(command: Document): CommandShapeKey {
  const name = commandName(command) as ReadCommand;
  const collection = String(command[name]);
  const fields = replayable(command);
  delete fields[name];
  const shape = shapeOf(fields, false) as Document;
  const hash = createHash('sha256')
    .update(`${name}\0${collection}\0${JSON.stringify(shape)}`)
    .digest('hex')
    .slice(0, 10);
  return { collection, command: name, shape, id: `${name}-${collection}-${hash}` };
}
