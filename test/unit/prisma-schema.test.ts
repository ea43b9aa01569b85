import { readFile } from 'node:fs/promises';
import { seededCollections as collections } from '../../seed/collections.js';
import { describe, expect, it } from 'vitest';
import { prismaIndexes } from '../../indexes/prisma.js';
import { runbookIndexes } from '../../indexes/runbook.js';
import { indexDeclaration, loadPrismaSchema, parsePrismaSchema } from '../../src/indexing/prisma-schema.js';

const fixture = new URL('../fixtures/prisma/schema.prisma', import.meta.url).pathname;
const sorted = <T extends { collection: string; name: string }>(specs: readonly T[]) =>
  [...specs].sort((a, b) => `${a.collection}.${a.name}`.localeCompare(`${b.collection}.${b.name}`));

describe("an application's schema.prisma, read by Prisma's schema engine", () => {
  it('gives the same baseline as indexes/prisma.ts: collections through @@map, fields through @map, Prisma default names', async () => {
    const schema = await loadPrismaSchema(fixture, collections);
    expect(sorted(schema.indexes)).toEqual(
      sorted(prismaIndexes.map(({ name, collection, key, unique }) => ({ name, collection, key, ...(unique ? { unique } : {}) }))),
    );
    expect(schema.skipped).toEqual(['AuditEvent_kind_idx on AuditEvent']);
    expect(schema.models.find((m) => m.model === 'Member')?.collection).toBe('ConversationMember');
  });

  it('writes the @@index line that declares an index, in the schema’s own field names', async () => {
    const schema = await loadPrismaSchema(fixture, collections);
    const spec = (name: string) => runbookIndexes.find((s) => s.name === name) as (typeof runbookIndexes)[number];
    expect(indexDeclaration(schema, spec('idx_member_user_active_conv'))).toEqual({
      model: 'Member',
      line: '@@index([userId, active, conversationId], map: "idx_member_user_active_conv")',
    });
    expect(indexDeclaration(schema, spec('idx_message_conv_notdeleted_created'))?.line).toBe(
      '@@index([conversationId, isDeleted, createdAt(sort: Desc)], map: "idx_message_conv_notdeleted_created")',
    );
  });

  it('a schema that does not parse: one line naming the file and the engine’s reason', async () => {
    const text = (await readFile(fixture, 'utf8')).replace('@@index([type])', '@@index([tpye])');
    expect(() => parsePrismaSchema(text, 'bad.prisma', collections)).toThrow(
      /^bad\.prisma: Prisma's schema engine refuses it: .*tpye.*; fix the schema/,
    );
  });
});
