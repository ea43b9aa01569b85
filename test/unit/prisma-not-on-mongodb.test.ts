import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport } from '../support/fake-transport.js';

/**
 * What Prisma 6 does not offer on MongoDB (docs/route-files.md's table, with the prisma-engines
 * source of each), and the one read it offers that indexgate does not render yet (field
 * references): each refused before anything is sent, naming the call.
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;

describe('refused before anything is sent', () => {
  it.each<[string, (p: Client) => unknown, RegExp]>([
    ['search (full-text)', (p) => p.user.findMany({ where: { name: { search: 'ann' } } }), /name\.search is not a scalar filter/],
    [
      'orderBy _relevance',
      (p) => p.user.findMany({ orderBy: { _relevance: { fields: ['name'], search: 'a', sort: 'asc' } } }),
      /has no field _relevance/,
    ],
    ['orderBy nulls', (p) => p.user.findMany({ orderBy: { nickname: { sort: 'asc', nulls: 'last' } } }), /nulls is not sent on MongoDB/],
    ['relationLoadStrategy', (p) => p.user.findMany({ relationLoadStrategy: 'join' }), /relationLoadStrategy is not supported on MongoDB/],
    ['$queryRaw', (p) => p.$queryRaw, /\$queryRaw/],
    [
      'a field reference',
      (p) => p.user.findMany({ where: { name: { equals: p.user.fields.nickname } } }),
      /field references are not rendered/,
    ],
  ])('%s', async (_label, call, message) => {
    const transport = new FakeTransport();
    const error = await (async () => call(createPrismaClient(dm, transport)))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(transport.sent).toHaveLength(0);
  });
});
