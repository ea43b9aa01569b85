import { readFileSync } from 'node:fs';
import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/prisma/client.js';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { PrismaCallError } from '../../src/prisma/call-error.js';
import { FakeTransport, type Sent } from '../support/fake-transport.js';

/**
 * `$transaction(async (tx: Client) => …)` of reads: the callback runs with a client whose calls carry the
 * transaction's id (prisma/prisma 6.19.0 getPrismaClient.ts `_transactionWithCallback`); the calls
 * of one tick are one batch request (RequestHandler.ts `batchBy` → `transaction-<id>`), which the
 * engine compacts (findUniques) or runs in order (request-handlers handler.rs `handle_batch`,
 * execute_operation.rs `execute_many_operations`); a call alone is sent alone. Each read renders
 * as it does outside; no session is sent (as for the array form).
 */

const dm = dataModelOf(readFileSync(new URL('../fixtures/prisma/read-options.prisma', import.meta.url), 'utf8'), 'read-options.prisma');
type Client = ReturnType<typeof createPrismaClient>;

async function render(call: (prisma: Client) => Promise<unknown>, answer?: (s: Sent) => Document[]) {
  const transport = new FakeTransport(answer);
  const out = await call(createPrismaClient(dm, transport));
  return { sent: transport.sent, out };
}

describe('interactive $transaction of reads', () => {
  it('the reads are rendered as outside it; the callback returns its value', async () => {
    const outside = await render((p) => p.post.findMany({ where: { published: true }, take: 2 }));
    const inside = await render(
      (p) => p.$transaction(async (tx: Client) => ({ posts: await tx.post.findMany({ where: { published: true }, take: 2 }), n: 1 })),
      () => [],
    );
    expect(inside.sent).toEqual(outside.sent);
    expect(inside.out).toEqual({ posts: [], n: 1 });
  });

  it('calls awaited one after the other are sent one after the other, each alone', async () => {
    const { sent } = await render((p) =>
      p.$transaction(async (tx: Client) => {
        await tx.user.findFirst({ where: { name: 'ann' } });
        return tx.post.count({ where: { published: true } });
      }),
    );
    expect(sent.map((s) => s.step)).toEqual(['user.findFirst', 'post.count']);
  });

  it('the calls of one tick are one batch, run in order (a Promise.all is not concurrent inside a transaction)', async () => {
    const order: string[] = [];
    const transport = new FakeTransport((s) => {
      order.push(s.step);
      return [];
    });
    const p = createPrismaClient(dm, transport);
    await p.$transaction(async (tx: Client) =>
      Promise.all([tx.post.count(), tx.user.findMany({ select: { id: true } }), tx.post.aggregate({ _count: true })]),
    );
    expect(order).toEqual(['post.count', 'user.findMany', 'post.aggregate']);
  });

  it('findUnique calls of one tick the engine can compact: one findMany', async () => {
    const { sent } = await render((p) =>
      p.$transaction(async (tx: Client) =>
        Promise.all([tx.user.findUnique({ where: { email: 'a' } }), tx.user.findUnique({ where: { email: 'b' } })]),
      ),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.step).toBe('user.findUnique');
  });

  it('a failed call fails the transaction: the error propagates out of $transaction', async () => {
    const error = await render((p) => p.$transaction(async (tx: Client) => tx.user.findFirstOrThrow({ where: { name: 'zed' } }))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(/P2025/);
  });

  it.each<[string, (p: Client) => Promise<unknown>, RegExp]>([
    ['a write', (p) => p.$transaction(async (tx: Client) => tx.user.create({ data: {} })), /interactive transaction of reads/],
    ['a nested $transaction', (p) => p.$transaction(async (tx: Client) => tx.$transaction([])), /itxClientDenyList/],
    ['isolationLevel', (p) => p.$transaction(async () => 1, { isolationLevel: 'Serializable' }), /isolation levels/],
    [
      'the transaction client used after the callback',
      async (p) => {
        let kept: Client | undefined;
        await p.$transaction(async (tx: Client) => {
          kept = tx;
        });
        return kept?.user.findMany();
      },
      /Transaction already closed/,
    ],
  ])('refused before anything is sent: %s', async (_label, call, message) => {
    const transport = new FakeTransport();
    const error = await call(createPrismaClient(dm, transport)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrismaCallError);
    expect(String((error as Error).message)).toMatch(message);
    expect(transport.sent).toHaveLength(0);
  });
});
