import { readFileSync } from 'node:fs';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { routeUsersRanking } from '../../src/users/route-users.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { testDb } from '../support/mongo.js';

/**
 * A route's users, sampled on a real mongod from a database filled by hand with known loads:
 * typical, heavy and heaviest are the users at the 50th, 99th and 100th percentile of their
 * related records matching `where` (ties by id), users with none not ranked.
 */

const file = new URL('../fixtures/prisma/accounts.prisma', import.meta.url).pathname;
const dm = dataModelOf(readFileSync(file, 'utf8'), file);
/** Account k's id: ordered as k. */
const account = (k: number) => new ObjectId(`65f5a6e0${k.toString(16).padStart(16, '0')}`);
const tag = (k: number) => new ObjectId(`65f5a6e1${k.toString(16).padStart(16, '0')}`);

let db: Db;
beforeAll(async () => {
  db = await testDb('routeusers');
  // 60 accounts; account k has k active memberships and 59 − k inactive ones (59 in all, each): account 0 has no active one.
  await db.collection('Account').insertMany(
    Array.from({ length: 60 }, (_, k) => ({
      _id: account(k),
      email: `a${k}@a.test`,
      // Tags: accounts 1 and 2 hold one id, account 3 three.
      ...(k >= 1 && k <= 3 ? { tag_ids: k === 3 ? [tag(1), tag(2), tag(3)] : [tag(1)] } : {}),
    })),
  );
  await db
    .collection('Membership')
    .insertMany(
      Array.from({ length: 60 }, (_, k) =>
        Array.from({ length: 59 }, (_, i) => ({ account_id: account(k), is_active: i < k, role: 'member' })),
      ).flat(),
    );
  // Tags' own lists: tag 1 (archived) lists accounts 1, 2, 3; tags 2 and 3 list account 3, tag 3 account 2 as well.
  await db.collection('Tag').insertMany([
    { _id: tag(1), name: 't1', archived: true, account_ids: [account(1), account(2), account(3)] },
    { _id: tag(2), name: 't2', archived: false, account_ids: [account(3)] },
    { _id: tag(3), name: 't3', archived: false, account_ids: [account(3), account(2)] },
  ]);
});

const sampled = async (users: Parameters<typeof routeUsersRanking>[1]) =>
  (await sampleUsers(db, routeUsersRanking(dm, users, 'accounts.ts'))).map((u) => ({
    class: u.userClass,
    id: u.userId,
    load: u.memberships,
  }));

describe('a route’s users, ranked by their load', () => {
  it('one-to-many with where: only the active memberships count, and accounts with none are not ranked', async () => {
    // Ranked: accounts 1…59 with loads 1…59; typical at round(0.5 × 58) = 29, heavy at round(0.99 × 58) = 57, heaviest the last.
    expect(await sampled({ model: 'Account', load: { relation: 'memberships', where: { active: true } } })).toEqual([
      { class: 'typical', id: account(30), load: 30 },
      { class: 'heavy', id: account(58), load: 58 },
      { class: 'heaviest', id: account(59), load: 59 },
    ]);
  });

  it('one-to-many without where: every membership counts (all tied at 59: by id)', async () => {
    expect(await sampled({ model: 'Account', load: { relation: 'memberships' } })).toEqual([
      { class: 'typical', id: account(30), load: 59 },
      { class: 'heavy', id: account(58), load: 59 },
      { class: 'heaviest', id: account(59), load: 59 },
    ]);
  });

  it('many-to-many: the length of the account’s own list, or the tags matching where that list it', async () => {
    // Lists: accounts 1 and 2 one id, account 3 three; typical at round(0.5 × 2) = 1.
    expect(await sampled({ model: 'Account', load: { relation: 'tags' } })).toEqual([
      { class: 'typical', id: account(2), load: 1 },
      { class: 'heavy', id: account(3), load: 3 },
      { class: 'heaviest', id: account(3), load: 3 },
    ]);
    // Tags not archived: tag 2 lists account 3, tag 3 accounts 3 and 2; account 1 only in the archived tag 1.
    expect(await sampled({ model: 'Account', load: { relation: 'tags', where: { archived: false } } })).toEqual([
      { class: 'typical', id: account(3), load: 2 },
      { class: 'heavy', id: account(3), load: 2 },
      { class: 'heaviest', id: account(3), load: 2 },
    ]);
  });

  it('no user with load: the run stops saying so', async () => {
    await expect(sampled({ model: 'Account', load: { relation: 'memberships', where: { role: 'owner' } } })).rejects.toThrow(
      /no user has Account\.memberships matching its where \(Membership\): nothing to measure the route with/,
    );
  });
});
