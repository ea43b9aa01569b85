import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { attributeSetWrites } from '../../src/indexing/write-keys.js';
import { measureWriteSide, sampleMemberships, type WritePlan } from '../../src/run/measure-writes.js';
import { extraKeys } from '../../src/run/write-results.js';
import { dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

const writes = workload.routes.writes ?? [];
const plan: WritePlan = {
  timedCalls: 1,
  dearTimedCalls: 1,
  dearMs: 500,
  countedCalls: 2,
  memberships: 4,
  maxTimeMS: 10_000,
  countedMaxTimeMS: 60_000,
};

async function measure(db: Db) {
  const memberships = await sampleMemberships(db, workload.users, plan.memberships);
  return measureWriteSide({ db, dm: await dataModel(), routes: writes, memberships, users: workload.users, params: {}, plan });
}

describe("each index's share of the write cost", () => {
  it('attributed from the write steps, it sums to the extra keys the profiler counted (send-message, tiny)', async () => {
    const { db } = await seededDb('writes-attribution', 'tiny', 3, 'bare');
    const before = await measure(db);
    for (const s of runbookIndexes) await db.collection(s.collection).createIndex({ ...s.key }, { name: s.name });
    const after = await measure(db);
    const routes = writes.map((r) => {
      const b = before.get(r.id);
      const a = after.get(r.id);
      if (!a || !b) throw new Error(`${r.id} not measured`);
      return { route: r.id, effects: a.effects, extraKeys: extraKeys(b.keys, a.keys) };
    });
    const { indexes, writes: attribution } = attributeSetWrites(
      routes,
      runbookIndexes.map((s) => ({ ...s, status: 'created' })),
    );
    const send = attribution.routes.find((r) => r.route === 'send-message');
    expect(send?.matches).toBe(true);
    for (const c of send?.collections ?? []) expect(c.attributed).toEqual(c.measured);
    // The message's insert: one key into #2 (Message); lastMessageAt moved: a key deleted and one inserted in each of the two that hold it.
    const sendKeys = (name: string) => indexes.find((i) => i.name === name)?.writeKeys.find((k) => k.route === 'send-message');
    const onMessage = runbookIndexes.filter((s) => s.collection === 'Message').map((s) => sendKeys(s.name));
    expect(onMessage.map((k) => k?.inserted)).toEqual(onMessage.map(() => 1));
    const onConversation = runbookIndexes.filter((s) => s.collection === 'Conversation').map((s) => sendKeys(s.name));
    expect(onConversation.reduce((t, k) => t + (k?.inserted ?? 0) + (k?.deleted ?? 0), 0)).toBe(4);
    // Every write route attributes exactly here, and the shares of the set's indexes sum to 1.
    expect(attribution.routes.every((r) => r.matches)).toBe(true);
    expect(indexes.reduce((t, i) => t + (i.writeShare ?? 0), 0)).toBeCloseTo(1, 9);
  });
});
