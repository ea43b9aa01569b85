import type { Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { audiencesOf, captureRoute, type CommandSide, defaultRoutePlan, noTimeSpent } from '../../src/route-engine/measure.js';
import type { Measurement } from '../../src/result.js';
import { discoverContexts } from '../../src/run/contexts.js';
import { explainAll } from '../../src/run/explain-patterns.js';
import type { ExplainedCommand } from '../../src/route-engine/measure.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

/**
 * The driver model's steps send their query patterns' commands. Explained by the before and after stages, a pattern's
 * command is not explained again when a route sends it on the same state: the route's command is measured on the
 * pattern's explain, and says so. What it gets must be what its own explain would give: the same plan and the same work.
 */
describe("a route command measured on a pattern's explain of the same command", () => {
  let db: Db;
  beforeAll(async () => {
    ({ db } = await seededDb('shared-explain', 'tiny', 20260126));
  }, 240_000);

  it('is the plan and the work its own explain gives, and is not explained again', async () => {
    const users = await sampleUsers(db, workload.users, ['heavy']);
    const classes = await discoverContexts(db, workload.patterns, users);
    const explained = new Map<string, ExplainedCommand>();
    await explainAll(db, workload.patterns.list, classes, { commands: explained });
    const route = builtIn('driver');
    const [heavy] = users;
    if (!heavy) throw new Error('no heavy user');
    const [audience] = audiencesOf(route, [{ userClass: 'heavy', userId: heavy.userId.toHexString() }], {});
    if (!audience) throw new Error('no audience');
    const dm = await dataModel();
    const plan = { ...defaultRoutePlan, maxTimeMS: 60_000 };
    const alone = noTimeSpent();
    const own = await captureRoute({ db, dm, plan, spent: alone }, route, audience);
    const sharing = noTimeSpent();
    const shared = await captureRoute({ db, dm, plan, spent: sharing, explained }, route, audience);

    // Everything the explain measured but time: plan, index, work, sort, $lookup work, stage tree.
    const facts = (m: Measurement | undefined): unknown =>
      JSON.parse(JSON.stringify(m ?? null), (key, value: unknown) => (/ms$|millis/i.test(key) ? undefined : value));
    const byStep = (commands: readonly CommandSide[]) => new Map(commands.map((c) => [c.step, c]));
    const mine = byStep(own.commands);
    const measuredAs = shared.commands.filter((c) => c.measuredAs);
    // Every step of the driver model is a pattern's command, sent with the ids its pattern was built from; the members'
    // users are listed in the order the route met them, not the pattern's, so that command is another and is explained.
    expect(measuredAs.map((c) => c.step).sort()).toEqual(
      shared.commands
        .map((c) => c.step)
        .filter((s) => s !== 'memberUsers')
        .sort(),
    );
    expect(shared.commands.find((c) => c.step === 'memberUsers')?.measurement).toBeDefined();
    expect(measuredAs.find((c) => c.step === 'lastMessage')?.measuredAs).toBe('pattern lastMessage (heavy)');
    for (const command of measuredAs) expect(facts(command.measurement)).toEqual(facts(mine.get(command.step)?.measurement));
    expect(alone.explains).toBeGreaterThan(0);
    expect(sharing.explains).toBeLessThan(alone.explains);
  }, 180_000);

  it('is not used for a command sent with other values', async () => {
    const users = await sampleUsers(db, workload.users, ['typical', 'heavy']);
    const classes = await discoverContexts(db, workload.patterns, users);
    // Only the heavy user's explains are known: the typical user's commands carry other ids.
    const explained = new Map<string, ExplainedCommand>();
    await explainAll(
      db,
      workload.patterns.list,
      classes.filter((c) => c.user.userClass === 'heavy'),
      { commands: explained },
    );
    const route = builtIn('driver');
    const typical = users.find((u) => u.userClass === 'typical');
    if (!typical) throw new Error('no typical user');
    const [audience] = audiencesOf(route, [{ userClass: 'typical', userId: typical.userId.toHexString() }], {});
    if (!audience) throw new Error('no audience');
    const { commands } = await captureRoute({ db, dm: await dataModel(), plan: defaultRoutePlan, explained }, route, audience);
    const sharedSteps = commands.filter((c) => c.measuredAs).map((c) => c.step);
    expect(sharedSteps.every((s) => commands.find((c) => c.step === s)?.measuredAs?.endsWith('(heavy)'))).toBe(true);
    expect(commands.filter((c) => c.step === 'memberships' && c.measuredAs)).toEqual([]);
  }, 180_000);
});
