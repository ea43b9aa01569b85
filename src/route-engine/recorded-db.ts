import type { Document } from 'mongodb';
import { signatureOf } from '../prisma/client.js';
import { brief } from '../prisma/describe.js';
import type { Recorder } from './recorder.js';
import type { RecordedCollection, RecordedCursor, RecordedDb } from '../route.js';
import { RouteCallError } from './route-file-error.js';

/**
 * The driver's database as a route sees it: the read calls of `Db` and `Collection`, each
 * recorded and timed by the recorder under the command's `comment` (when the route gives
 * one: the step's name, as applications tag their queries) or `<collection>.<call>`. The
 * options are sent as the driver sends them; a write is refused in a read route.
 */
const writes = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
  'bulkWrite',
  'createIndex',
  'createIndexes',
  'dropIndex',
  'drop',
  'rename',
];

const source = 'sent with the driver as the route writes it';

export function recordedDb(recorder: Recorder, databaseName: string): RecordedDb {
  const label = (collection: string, call: string, options: Document | undefined) =>
    typeof options?.comment === 'string' ? options.comment : `${collection}.${call}`;
  const describe = (collection: string, call: string, args: unknown[]) =>
    `db.collection("${collection}").${call}(${args.map((a) => brief(a)).join(', ')})`;

  const collection = (name: string): RecordedCollection => {
    const known: RecordedCollection = {
      find(filter: Document = {}, options: Document = {}): RecordedCursor {
        const state: Document = { ...options };
        const cursor: RecordedCursor = {
          sort: (sort) => ((state.sort = sort), cursor),
          skip: (n) => ((state.skip = n), cursor),
          limit: (n) => ((state.limit = n), cursor),
          project: (projection) => ((state.projection = projection), cursor),
          toArray: () => {
            const step = recorder.stepFor(label(name, 'find', state), signatureOf([filter, state]));
            return recorder.send(
              { step, call: describe(name, 'find', [filter, state]), collection: name, source },
              { kind: 'find', filter, options: state },
              'find',
            );
          },
        };
        return cursor;
      },
      async findOne(filter: Document = {}, options: Document = {}) {
        const step = recorder.stepFor(label(name, 'findOne', options), signatureOf(filter));
        const docs = await recorder.send(
          { step, call: describe(name, 'findOne', [filter, options]), collection: name, source },
          { kind: 'find', filter, options: { ...options, limit: 1 } },
          'find',
        );
        return docs[0] ?? null;
      },
      aggregate(pipeline: Document[], options: Document = {}) {
        return {
          toArray: () => {
            const step = recorder.stepFor(label(name, 'aggregate', options), signatureOf(pipeline));
            return recorder.send(
              { step, call: describe(name, 'aggregate', [pipeline]), collection: name, source },
              { kind: 'aggregate', pipeline, options },
              'aggregate',
            );
          },
        };
      },
      // The driver's countDocuments is an aggregate: `$match` then `$group {_id: 1, n: {$sum: 1}}` (mongodb/src/operations/count_documents.ts).
      async countDocuments(filter: Document = {}, options: Document = {}) {
        const step = recorder.stepFor(label(name, 'countDocuments', options), signatureOf(filter));
        const pipeline = [
          { $match: filter },
          ...(options.skip ? [{ $skip: options.skip }] : []),
          ...(options.limit ? [{ $limit: options.limit }] : []),
          { $group: { _id: 1, n: { $sum: 1 } } },
        ];
        const { skip: _s, limit: _l, ...rest } = options;
        const docs = await recorder.send(
          { step, call: describe(name, 'countDocuments', [filter]), collection: name, source },
          { kind: 'aggregate', pipeline, options: rest },
          'aggregate',
        );
        return Number(docs[0]?.n ?? 0);
      },
      async distinct(key: string, filter: Document = {}, options: Document = {}) {
        const step = recorder.stepFor(label(name, 'distinct', options), signatureOf([key, filter]));
        const { comment: _c, ...rest } = options;
        const docs = await recorder.send(
          { step, call: describe(name, 'distinct', [key, filter]), collection: name, source },
          { kind: 'command', command: { distinct: name, key, query: filter, ...rest } },
          'distinct',
        );
        return docs.map((d) => d.value);
      },
    };
    return new Proxy(known, {
      get(target, prop) {
        if (typeof prop === 'string' && prop in target) return target[prop as keyof RecordedCollection];
        if (typeof prop === 'string' && writes.includes(prop)) {
          return () => {
            throw new RouteCallError(`db.collection("${name}").${prop}`, 'a write in a read route: refused (read routes never write)');
          };
        }
        if (typeof prop === 'string') {
          return () => {
            throw new RouteCallError(
              `db.collection("${name}").${prop}`,
              'not a call a route can make (find, findOne, aggregate, countDocuments, distinct)',
            );
          };
        }
        return undefined;
      },
    });
  };

  return {
    databaseName,
    collection,
    async command(command: Document, options: { comment?: string } = {}) {
      const name = Object.keys(command)[0] ?? '';
      if (!['find', 'aggregate', 'count', 'distinct'].includes(name))
        throw new RouteCallError(
          `db.command({ ${name}: … })`,
          'only read commands (find, aggregate, count, distinct) can be sent by a route',
        );
      const collectionName = String(command[name]);
      const step = recorder.stepFor(options.comment ?? `${collectionName}.${name}`, 'command');
      const docs = await recorder.send(
        { step, call: `db.command({ ${name}: "${collectionName}", … })`, collection: collectionName, source },
        { kind: 'command', command },
        name as 'find',
      );
      return { documents: docs };
    },
  };
}
