import { readFileSync } from 'node:fs';
import { BSON, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { dataModelOf } from '../../src/prisma/datamodel.js';
import { routeOf } from '../../src/route-engine/load.js';
import { routesFor } from '../../src/run/measure-routes.js';
import { RouteFileError } from '../../src/route-engine/route-file-error.js';
import type { RouteUsers } from '../../src/route.js';
import { routeUsersRanking } from '../../src/users/route-users.js';

/**
 * A route's `users` declaration: checked against the schema (one line naming the file and what
 * is wrong) and rendered into the one aggregation that ranks the users, its `where` rendered as
 * Prisma renders a find's (`@map` names, the undefined exclusion). Run on a real mongod:
 * test/integration/route-users.test.ts.
 */

const file = new URL('../fixtures/prisma/accounts.prisma', import.meta.url).pathname;
const dm = dataModelOf(readFileSync(file, 'utf8'), file);
const ranking = (users: RouteUsers) => routeUsersRanking(dm, users, 'routes/accounts.ts');
/** Compared as canonical extended JSON: types count. */
const same = (a: unknown, b: unknown) =>
  expect(BSON.EJSON.stringify(a as BSON.Document, { relaxed: false })).toBe(BSON.EJSON.stringify(b as BSON.Document, { relaxed: false }));
/** filter.rs: an equality, then `exclude_undefineds`. */
const eq = (f: string, v: unknown) => ({ $and: [{ $eq: [f, { $literal: v }] }, { $ne: [f, '$$REMOVE'] }] });

describe('the rendered aggregation', () => {
  it('one-to-many: the related documents matching where, grouped by the foreign key (database names), null keys left out', () => {
    const r = ranking({ model: 'Account', load: { relation: 'memberships', where: { active: true } } });
    expect(r.collection).toBe('Membership');
    expect(r.load).toBe('Account.memberships matching its where');
    same(r.pipeline, [
      { $match: { $expr: eq('$is_active', true) } },
      { $group: { _id: '$account_id', n: { $sum: 1 } } },
      { $match: { _id: { $ne: null } } },
    ]);
  });

  it('one-to-many without where (or an empty one): every related document counts', () => {
    for (const where of [undefined, {}]) {
      const r = ranking({ model: 'Account', load: { relation: 'invites', ...(where ? { where } : {}) } });
      expect(r.load).toBe('Account.invites');
      same(r.pipeline, [{ $group: { _id: '$accountId', n: { $sum: 1 } } }, { $match: { _id: { $ne: null } } }]);
    }
  });

  it('many-to-many without where: the length of the user’s own id list, users with none left out', () => {
    const r = ranking({ model: 'Account', load: { relation: 'tags' } });
    expect(r.collection).toBe('Account');
    same(r.pipeline, [
      { $project: { n: { $size: { $cond: { if: { $isArray: '$tag_ids' }, then: '$tag_ids', else: [] } } } } },
      { $match: { n: { $gte: 1 } } },
    ]);
  });

  it('many-to-many with where: the related documents matching it, counted once per user id in their list', () => {
    const r = ranking({ model: 'Account', load: { relation: 'tags', where: { archived: false } } });
    expect(r.collection).toBe('Tag');
    same(r.pipeline, [
      { $match: { $expr: eq('$archived', false) } },
      { $unwind: '$account_ids' },
      { $group: { _id: '$account_ids', n: { $sum: 1 } } },
    ]);
  });

  it('a relation filter in where: its join first, as Prisma renders a find', () => {
    const r = ranking({ model: 'Account', load: { relation: 'memberships', where: { account: { email: { endsWith: '@a.test' } } } } });
    const [lookup, match] = r.pipeline as [BSON.Document, BSON.Document];
    expect(lookup.$lookup).toMatchObject({ from: 'Account', as: 'AccountToMembership' });
    expect(JSON.stringify(match)).toContain('@a.test$');
  });
});

describe('declarations the schema does not bear: refused naming the route file', () => {
  const cases: [string, RouteUsers, RegExp][] = [
    [
      'an unknown model',
      { model: 'Acount', load: { relation: 'memberships' } },
      /users: model: .*accounts\.prisma has no model Acount \(Account, /,
    ],
    [
      'an unknown relation',
      { model: 'Account', load: { relation: 'members' } },
      /users: load\.relation: Account has no field members \(its list relations: memberships, invites, tags, notes\)/,
    ],
    ['a scalar field', { model: 'Account', load: { relation: 'email' } }, /users: load\.relation: Account\.email is not a relation field/],
    [
      'a to-one relation',
      { model: 'Account', load: { relation: 'profile' } },
      /users: load\.relation: Account\.profile is a to-one relation/,
    ],
    [
      'a foreign key that is not the id',
      { model: 'Account', load: { relation: 'notes' } },
      /users: load\.relation: Account\.notes: Note\.authorEmail references Account\.email, not its id/,
    ],
    [
      'a where field the related model does not have',
      { model: 'Account', load: { relation: 'memberships', where: { isActive: true } } },
      /users: load\.where: Membership has no field isActive/,
    ],
    [
      'a where value of the wrong type',
      { model: 'Account', load: { relation: 'memberships', where: { active: 'yes' } } },
      /users: load\.where: active is a Boolean: "yes" is not one/,
    ],
  ];
  it.each(cases)('%s', (_what, users, message) => {
    expect(() => ranking(users)).toThrow(RouteFileError);
    expect(() => ranking(users)).toThrow(/^route file routes\/accounts\.ts: users: /);
    expect(() => ranking(users)).toThrow(message);
  });

  it('a declaration of the wrong shape is refused where route files are loaded', () => {
    const route = { id: 'x', title: 'x', async run() {} };
    expect(() => routeOf({ ...route, users: { model: 'Account' } }, 'x.mjs')).toThrow(/default export \.users\.load: /);
    expect(() => routeOf({ ...route, users: { model: 'Account', load: { relation: 'tags', whre: {} } } }, 'x.mjs')).toThrow(
      /default export \.users\.load: /,
    );
    expect(routeOf({ ...route, users: { model: 'Account', load: { relation: 'tags' } } }, 'x.mjs').users).toEqual({
      model: 'Account',
      load: { relation: 'tags' },
    });
  });
});

describe('a run of several routes: each measured for its own users', () => {
  const route = (id: string, users?: RouteUsers) => routeOf({ id, title: id, ...(users ? { users } : {}), async run() {} }, `${id}.mjs`);
  const user = (userClass: 'typical' | 'heaviest', hex: string, memberships: number) => ({
    userClass,
    userId: new ObjectId(hex),
    memberships,
  });
  const workloadUsers = [user('typical', '65f5a6e00000000000000001', 8), user('heaviest', '65f5a6e00000000000000002', 90)];
  const own = [user('typical', '65f5a6e00000000000000003', 2), user('heaviest', '65f5a6e00000000000000004', 7)];

  it('a route with a declaration gets its own users and loads; the others the workload’s', () => {
    const declared = route('declared', { model: 'Account', load: { relation: 'tags' } });
    const { routes, memberships } = routesFor(
      [route('plain'), declared],
      workloadUsers.map((u) => ({ user: u })),
      {},
      new Map([['declared', own]]),
    );
    const ids = (i: number) => routes[i]?.audiences.map((a) => `${a.userClass} ${a.input.user.id}`);
    expect(ids(0)).toEqual(['typical 65f5a6e00000000000000001', 'heaviest 65f5a6e00000000000000002']);
    expect(routes[0]?.memberships).toBeUndefined();
    expect(ids(1)).toEqual(['typical 65f5a6e00000000000000003', 'heaviest 65f5a6e00000000000000004']);
    expect(routes[1]?.memberships).toEqual(
      new Map([
        ['typical', 2],
        ['heaviest', 7],
      ]),
    );
    expect(memberships).toEqual(
      new Map([
        ['typical', 8],
        ['heaviest', 90],
      ]),
    );
  });
});
