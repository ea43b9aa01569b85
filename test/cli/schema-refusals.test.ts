import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SchemaProfile } from '../../src/schema-data/profile.js';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

/**
 * Bad input to the schema engine (#37 item 6): each refused in one line naming the file and the
 * field, exit 2, before any server starts (the URI points at a closed port: reaching it would
 * be another error), and nothing written beside the inputs.
 */

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const schema = fixture('prisma/projects.prisma');
const profileFixture = fixture('apps/projects/profiles/small.json');
const closed = 'mongodb://127.0.0.1:9/never';

/** A folder holding the profile (edited) and, if given, a schema text: the listing shows nothing else was written. */
async function inputs(edit: (p: SchemaProfile) => void = () => {}, schemaText?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'indexgate-schema-refusals-'));
  const profile = JSON.parse(await readFile(profileFixture, 'utf8')) as SchemaProfile;
  edit(profile);
  const profileFile = join(dir, 'profile.json');
  await writeFile(profileFile, JSON.stringify(profile));
  let schemaFile = schema;
  if (schemaText !== undefined) {
    schemaFile = join(dir, 'schema.prisma');
    await writeFile(schemaFile, schemaText);
  }
  const listing = await readdir(dir);
  return { dir, profileFile, schemaFile, unchanged: async () => expect(await readdir(dir)).toEqual(listing) };
}

const seed = (schemaFile: string, profileFile: string, more: string[] = []) =>
  runCli(['seed', '--uri', closed, '--prisma-schema', schemaFile, '--profile', profileFile, ...more]);

describe('the schema engine refuses bad input in one line, exit 2, nothing written', () => {
  it('a schema that does not parse', async () => {
    const { schemaFile, profileFile, unchanged } = await inputs(undefined, 'model Broken {\n  id String @id\n  name\n}\n');
    expectOneLineRefusal(await seed(schemaFile, profileFile), /schema\.prisma: Prisma's schema engine refuses it: .+/);
    await unchanged();
  });

  it('a profile of another schema: a model it names is not in the schema', async () => {
    const { profileFile, unchanged } = await inputs((p) => {
      p.models.Invoice = { ...(p.models.Task as SchemaProfile['models'][string]), collection: 'invoices' };
    });
    expectOneLineRefusal(await seed(schema, profileFile), /profile\.json: models\.Invoice: no model Invoice in .*projects\.prisma/);
    await unchanged();
  });

  it('a profile of another schema: a field it names is not in the model', async () => {
    const { profileFile, unchanged } = await inputs((p) => {
      const task = p.models.Task as SchemaProfile['models'][string];
      task.fields.isDeleted = { type: 'Boolean', list: false, absent: 0, null: 0 };
    });
    expectOneLineRefusal(await seed(schema, profileFile), /profile\.json: models\.Task\.fields\.isDeleted: no field Task\.isDeleted in/);
    await unchanged();
  });

  it('a schema profile without --prisma-schema', async () => {
    const { profileFile, unchanged } = await inputs();
    expectOneLineRefusal(
      await runCli(['seed', '--uri', closed, '--profile', profileFile]),
      /profile\.json: is a profile of a Prisma schema \(indexgate-schema-profile\); pass --prisma-schema/,
    );
    await unchanged();
  });

  it('a fan-out larger than the other side can hold', async () => {
    const { profileFile, unchanged } = await inputs((p) => {
      // Members per project (a @@unique([projectId, accountId]) join) beyond the accounts there are.
      const members = p.relations.find((r) => r.name === 'MembershipToProject');
      if (!members) throw new Error('fixture without MembershipToProject');
      const q = [...members.perParent.q];
      q[q.length - 1] = 5000;
      members.perParent = { ...members.perParent, q };
    });
    expectOneLineRefusal(
      await seed(schema, profileFile),
      /profile\.json: relation MembershipToProject: a Project has up to 5000 Membership documents but @@unique over Membership.s keys allows 800/,
    );
    await unchanged();
  });

  it('a unique field whose profile cannot be met', async () => {
    const { profileFile, unchanged } = await inputs((p) => {
      const account = p.models.Account as SchemaProfile['models'][string];
      // email is @unique: two values cannot be held by 800 accounts.
      account.fields.email = {
        type: 'String',
        list: false,
        absent: 0,
        null: 0,
        values: [
          { value: 'a', share: 0.5 },
          { value: 'b', share: 0.5 },
        ],
      };
    });
    expectOneLineRefusal(await seed(schema, profileFile), /profile\.json: .*Account\.email.*unique/i);
    await unchanged();
  });

  it('a profile that would not fit the machine', async () => {
    const { profileFile, unchanged } = await inputs();
    expectOneLineRefusal(
      await seed(schema, profileFile, ['--scale-factor', '1000000']),
      /--scale-factor 1000000: generating it needs about .* GB of memory, more than half of this machine's/,
    );
    await unchanged();
  });

  it('profile --prisma-schema onto an existing file without --force', async () => {
    const { profileFile, unchanged } = await inputs();
    const before = await readFile(profileFile, 'utf8');
    expectOneLineRefusal(
      await runCli(['profile', '--uri', closed, '--prisma-schema', schema, '--out', profileFile]),
      /the file exists; pass --force/,
    );
    expect(await readFile(profileFile, 'utf8')).toBe(before);
    await unchanged();
  });

  it('bench on a schema application without a route file, or without an index set', async () => {
    const { profileFile } = await inputs();
    expectOneLineRefusal(
      await runCli([
        'bench',
        '--uri',
        closed,
        '--prisma-schema',
        schema,
        '--profile',
        profileFile,
        '--indexes',
        fixture('apps/projects/indexes/open-work.json'),
      ]),
      /has no built-in routes: pass --route-file/,
    );
    expectOneLineRefusal(
      await runCli([
        'bench',
        '--uri',
        closed,
        '--prisma-schema',
        schema,
        '--profile',
        profileFile,
        '--route-file',
        fixture('apps/projects/routes/my-projects.ts'),
      ]),
      /has no built-in index set: pass --indexes <file>/,
    );
  });
});
