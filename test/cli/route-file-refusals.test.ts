import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineRefusal, runCli } from '../support/cli.js';
import { testUri, uniqueDbName } from '../support/mongo.js';

/**
 * Route files that cannot run (one line naming the file and what is wrong, exit 2, nothing
 * written), `routes render`, and write routes refused where only reads may go. A route file that
 * runs, measured by bench, is route-file.test.ts.
 */

describe('bad route files: one line naming the file and what is wrong, exit 2, nothing written', () => {
  const cases: [string, string, RegExp][] = [
    ['missing.ts', '', /route file .*missing\.ts: no such file/],
    ['syntax.ts', 'export default { id: "x", title: "x", async run( { ] };', /route file .*syntax\.ts: cannot be loaded/],
    [
      'nodefault.mjs',
      'export const route = { id: "x", title: "x", async run() {} };',
      /route file .*nodefault\.mjs: has no default export/,
    ],
    ['norun.mjs', 'export default { id: "x", title: "x" };', /route file .*norun\.mjs: default export \.run: must be a function/],
    [
      'model.mjs',
      'export default { id: "x", title: "x", async run({ prisma }) { await prisma.comment.findMany(); } };',
      /route file .*model\.mjs: prisma\.comment: no model comment/,
    ],
    [
      'field.mjs',
      'export default { id: "x", title: "x", async run({ prisma }) { await prisma.message.findMany({ where: { nope: 1 } }); } };',
      /route file .*field\.mjs: prisma\.message\.findMany: where: Message has no field nope/,
    ],
    [
      'call.mjs',
      'export default { id: "x", title: "x", async run({ prisma }) { await prisma.$queryRaw`SELECT 1`; } };',
      /route file .*call\.mjs: prisma\.\$queryRaw: not supported/,
    ],
    [
      'write.mjs',
      'export default { id: "x", title: "x", async run({ db }) { await db.collection("Message").insertOne({}); } };',
      /route file .*write\.mjs: db\.collection\("Message"\)\.insertOne: a write in a read route/,
    ],
    [
      'out.mjs',
      'export default { id: "x", title: "x", async run({ db }) { await db.collection("Message").aggregate([{ $match: {} }, { $out: "Copy" }]).toArray(); } };',
      /route file .*out\.mjs: db\.collection\("Message"\)\.aggregate\(.*\): its pipeline writes \(\$out\): a route is read-only/,
    ],
    [
      'rawwrite.mjs',
      'export default { id: "x", title: "x", async run({ prisma }) { await prisma.$runCommandRaw({ insert: "Message", documents: [{}] }); } };',
      /route file .*rawwrite\.mjs: prisma\.\$runCommandRaw: the command insert is not a read/,
    ],
    [
      'users.mjs',
      'export default { id: "x", title: "x", users: { model: "User", load: { relation: "members" } }, async run() {} };',
      /route file .*users\.mjs: users: load\.relation: User has no field members \(its list relations: .*memberships/,
    ],
    [
      'userswhere.mjs',
      'export default { id: "x", title: "x", users: { model: "User", load: { relation: "memberships", where: { active: true } } }, async run() {} };',
      /route file .*userswhere\.mjs: users: load\.where: ConversationMember has no field active/,
    ],
    [
      'throws.mjs',
      'export default { id: "x", title: "x", async run() { throw new Error("boom"); } };',
      /route file .*throws\.mjs: its code threw for user .*: boom/,
    ],
  ];
  let where: string;
  beforeAll(async () => {
    where = await mkdtemp(join(tmpdir(), 'indexgate-bad-routes-'));
    for (const [name, text] of cases) if (text) await writeFile(join(where, name), text);
  });

  it.each(cases)('%s', async (name, _text, message) => {
    const outDir = join(where, `out-${name}`);
    const bad = await runCli(
      [
        'bench',
        '--uri',
        testUri(),
        '--db',
        uniqueDbName('badroute'),
        '--scale',
        'tiny',
        // A route whose code throws on real data is found when the routes are measured: one pattern and no writes or
        // build reader before that (the refusals found by the dry run stop before anything is seeded).
        '--pattern',
        'memberships',
        '--no-writes',
        '--no-build-load',
        '--route-file',
        join(where, name),
        '--out',
        outDir,
      ],
      { timeoutMs: 300_000 },
    );
    expectOneLineRefusal(bad, message);
    await expect(access(outDir)).rejects.toThrow();
  });
});

describe('routes render: the commands a route file sends for one sampled user, as mongosh statements', () => {
  it('prints each step with its call and the statement to paste, and writes nothing to the database', async () => {
    const db = uniqueDbName('render');
    // The schema's own indexes serve the page's joins (on the bare baseline each takes seconds even at tiny); what is rendered
    // does not depend on them.
    const seeded = await runCli(['seed', '--uri', testUri(), '--db', db, '--scale', 'tiny', '--baseline', 'prisma']);
    expect(seeded.code).toBe(0);
    const conversations = new URL('../../bench/routes/list-conversations.ts', import.meta.url).pathname;
    const rendered = await runCli([
      'routes',
      'render',
      conversations,
      '--uri',
      testUri(),
      '--db',
      db,
      '--user-class',
      'heavy',
      '--route-param',
      'limit=5',
    ]);
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toMatch(/^\/\/ route prisma: the application as it runs/m);
    expect(rendered.stdout).toMatch(/^\/\/ user [0-9a-f]{24} \(heavy, \d+ active memberships\) from the database .*"limit":5/m);
    expect(rendered.stdout).toMatch(/^\/\/ conversation\.findMany: prisma\.conversation\.findMany\(/m);
    expect(rendered.stdout).toMatch(
      /^db\.getCollection\("Conversation"\)\.aggregate\(\[\{ \$lookup: \{ from: "ConversationMember".*\{ \$limit: NumberLong\("5"\) \}.*\], \{ allowDiskUse: true \}\);$/m,
    );
    expect(rendered.stdout).toMatch(/ObjectId\("[0-9a-f]{24}"\)/);
    const json = await runCli(['routes', 'render', conversations, '--uri', testUri(), '--db', db, '--json']);
    const outcome = JSON.parse(json.stdout) as { commands: { step: string }[] };
    expect(outcome.commands.map((c) => c.step)).toContain('conversationReadCursor.findMany');
  });
});

describe('write routes are for bench alone', () => {
  const send = new URL('../../bench/routes/send-message.ts', import.meta.url).pathname;
  it('verify refuses a write route file before it connects, one line, exit 2', async () => {
    const refused = await runCli(['verify', '--uri', testUri(), '--db', uniqueDbName('verifywrite'), '--route-file', send]);
    expectOneLineRefusal(refused, /--route-file .*send-message\.ts: a write route \(writes: true\); verify is read-only/);
  });
  it('routes render refuses it too', async () => {
    const refused = await runCli(['routes', 'render', send, '--uri', testUri(), '--db', uniqueDbName('renderwrite')]);
    expectOneLineRefusal(refused, /send-message\.ts: a write route \(writes: true\); routes render sends a read route's reads only/);
  });
});
