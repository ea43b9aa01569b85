import { BSON, type Document, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport } from '../support/fake-transport.js';

/**
 * The write renderer against the shapes Prisma 6.19's MongoDB connector sends (prisma-engines
 * @2ba551f3: mongodb-query-connector root_queries/write.rs `create_record`, `update_records`,
 * update/into_operation.rs; query_graph_builder/write/upsert.rs; docs/prisma-writes.md).
 */
const schema = `
datasource db {
  provider = "mongodb"
  url      = env("DATABASE_URL")
}
model Post {
  id        String   @id @default(auto()) @map("_id") @db.ObjectId
  title     String
  published Boolean  @default(false)
  views     Int      @default(0)
  authorId  String   @db.ObjectId
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
  @@unique([authorId, title])
}
`;
const dm = dataModelOf(schema, 'test.prisma');
const A = '65f5a6e01100000000000001';
const P = '65f5a6e01100000000000009';

class WriteFake extends FakeTransport {
  readonly log: { kind: string; collection: string; doc?: Document; ids?: readonly ObjectId[]; update?: Document[] }[] = [];
  constructor(answer: ConstructorParameters<typeof FakeTransport>[0]) {
    super(answer);
  }
  get writesTransport() {
    return {
      insertOne: async (r: { collection: string; doc: Document }) =>
        void this.log.push({ kind: 'insert', collection: r.collection, doc: r.doc }),
      updateMany: async (r: { collection: string; ids: readonly ObjectId[]; update: Document[] }) =>
        void this.log.push({ kind: 'update', collection: r.collection, ids: r.ids, update: r.update }),
    };
  }
}

function client(found: boolean) {
  const fake = new WriteFake((sent) =>
    sent.step.endsWith('› id')
      ? found
        ? [{ _id: new ObjectId(P) }]
        : []
      : [{ _id: new ObjectId(P), title: 't', authorId: new ObjectId(A) }],
  );
  const transport = Object.assign(fake, { writes: fake.writesTransport });
  return { fake, prisma: createPrismaClient(dm, transport) };
}

const bson = (d: unknown) => BSON.EJSON.serialize({ d }, { relaxed: false });

describe('Prisma 6.19 writes, rendered', () => {
  it('create: insertOne of the given and defaulted scalars in declaration order (now() and @updatedAt one request time), then the record read back by id', async () => {
    const { fake, prisma } = client(true);
    await prisma.post.create({ data: { authorId: A, title: 't' } });
    const [insert] = fake.log;
    const doc = insert?.doc as Document;
    expect(Object.keys(doc)).toEqual(['_id', 'title', 'published', 'views', 'authorId', 'createdAt', 'updatedAt']);
    expect(bson([doc.published, doc.views, doc.authorId])).toEqual(bson([false, BSON.Long.fromNumber(0), new ObjectId(A)]));
    expect(doc.createdAt).toEqual(doc.updatedAt);
    expect(fake.sent.map((s) => s.step)).toEqual(['post.create › read back']);
    expect(JSON.stringify(fake.sent[0]?.pipeline)).toContain(`"$eq":["$_id",{"$literal":"${String(doc._id)}"}]`);
  });

  it('update: the id read first ($match $expr, $project _id), then updateMany by _id with one $set per field in declaration order, increments an int64 $add', async () => {
    const { fake, prisma } = client(true);
    await prisma.post.update({ where: { id: P }, data: { views: { increment: 1 }, title: 'u' } });
    expect(fake.sent[0]?.pipeline?.[1]).toEqual({ $project: { _id: 1 } });
    const [update] = fake.log;
    expect(update?.ids?.map(String)).toEqual([P]);
    const sets = update?.update ?? [];
    expect(sets.map((s) => Object.keys(s.$set as Document)[0])).toEqual(['title', 'views', 'updatedAt']);
    expect(bson(sets[1])).toEqual(bson({ $set: { views: { $add: ['$views', BSON.Long.fromNumber(1)] } } }));
    expect(bson(sets[0])).toEqual(bson({ $set: { title: { $literal: 'u' } } }));
  });

  it('upsert: an update when the unique finds a record, a create when it does not', async () => {
    const found = client(true);
    await found.prisma.post.upsert({
      where: { authorId_title: { authorId: A, title: 't' } },
      create: { authorId: A, title: 't' },
      update: { views: 2 },
    });
    expect(found.fake.log.map((w) => w.kind)).toEqual(['update']);
    const missing = client(false);
    await missing.prisma.post.upsert({
      where: { authorId_title: { authorId: A, title: 't' } },
      create: { authorId: A, title: 't' },
      update: { views: 2 },
    });
    expect(missing.fake.log.map((w) => w.kind)).toEqual(['insert']);
  });

  it('refuses what it does not render, naming the call; a read route refuses every write', async () => {
    const { prisma } = client(true);
    await expect(async () => prisma.post.deleteMany({})).rejects.toThrow(PrismaCallError);
    await expect(async () => prisma.post.create({ data: { title: 't' } })).rejects.toThrow(/authorId is required/);
    const readOnly = createPrismaClient(dm, new FakeTransport());
    await expect(async () => readOnly.post.create({ data: { authorId: A, title: 't' } })).rejects.toThrow(/read routes/);
  });
});
