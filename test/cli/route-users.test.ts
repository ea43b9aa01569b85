import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleUsers, userClasses } from '../../src/users/user-classes.js';
import { runCli } from '../support/cli.js';
import { testUri } from '../support/mongo.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

/**
 * A route file that declares its users runs for them: on the built-in data, a declaration that
 * says what the workload's rule says (users ranked by their active memberships: the User model's
 * `memberships` relation, ConversationMember records with isActive true) samples the same
 * typical, heavy and heaviest users. The refusals of bad declarations are route-file-refusals.test.ts.
 */

const declared = `export default {
  id: 'members',
  title: 'a user and its memberships, for its own users',
  users: { model: 'User', load: { relation: 'memberships', where: { isActive: true } } },
  async run({ prisma, user }) {
    await prisma.user.findUnique({ where: { id: user.id }, select: { id: true } });
  },
};
`;

let file: string;
let dbName: string;
let builtIn: Awaited<ReturnType<typeof sampleUsers>>;
beforeAll(async () => {
  file = join(await mkdtemp(join(tmpdir(), 'indexgate-route-users-')), 'members.mjs');
  await writeFile(file, declared);
  const { db } = await seededDb('routeusers', 'tiny', 20260126);
  dbName = db.databaseName;
  builtIn = await sampleUsers(db, workload.users);
});

describe('routes render: a route with a users declaration equivalent to the built-in rule', () => {
  it.each(userClasses)('%s: the same user as the workload’s rule, and its load named', async (userClass) => {
    const run = await runCli(['routes', 'render', file, '--uri', testUri(), '--db', dbName, '--user-class', userClass, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { user: { id: string; class: string; memberships: number }; load: string };
    const expected = builtIn.find((u) => u.userClass === userClass);
    expect(outcome.user).toEqual({ id: expected?.userId.toHexString(), class: userClass, memberships: expected?.memberships });
    expect(outcome.load).toBe('User.memberships matching its where');
  });
});
