import { describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { applyIndexes } from '../../src/indexing/apply.js';
import { setCreatedIndexesHidden } from '../../src/indexing/hide.js';
import { chooseReadLoad, defaultBuildLoadPlan, duringBuildResult, underLoad } from '../../src/run/build-load.js';
import { discoverContexts } from '../../src/run/contexts.js';
import { explainAll } from '../../src/run/explain-patterns.js';
import { sampleUsers } from '../../src/users/user-classes.js';
import { builtIn, dataModel } from '../support/routes.js';
import { seededDb } from '../support/seeded.js';
import { workload } from '../support/workload.js';

describe('build under load: a concurrent reader before and while the set is built', () => {
  it('samples a read workload on both sides of the build (tiny), the builds still timed; without a usable route, the quick patterns', async () => {
    const { db } = await seededDb('build-load', 'tiny', 3, 'bare');
    const classes = await discoverContexts(db, workload.patterns, await sampleUsers(db, workload.users));
    const plansBefore = await explainAll(db, workload.patterns.list, classes);
    const common = { db, dm: await dataModel(), params: {}, classes, patterns: workload.patterns.list, plansBefore };
    // A generous call limit, and before the build a count of samples rather than a time: the shape is asserted here, not the
    // speed of a shared machine (200 calls within 5 s, the default, depends on it).
    const plan = { ...defaultBuildLoadPlan, maxCallMs: 10_000, quickPatternMs: 1_000, beforeSamples: 10, beforeMaxMs: 600_000 };

    // No route given: the query patterns that finished quickly before the set.
    const patterns = await chooseReadLoad({ ...common, routes: [], plan });
    if (!('call' in patterns)) throw new Error(`no pattern workload: ${patterns.why}`);
    expect(patterns.kind).toBe('patterns');
    expect(patterns.why).toMatch(/query patterns/);

    // The driver route, probed once for the typical user.
    const load = await chooseReadLoad({ ...common, routes: [builtIn('driver')], plan });
    if (!('call' in load)) throw new Error(`no route workload: ${load.why}`);
    expect(load.kind).toBe('route');
    expect(load.workload).toBe(`route driver (${classes[0]?.user.userClass})`);

    // Built hidden, as bench builds under load: the reader's plans stay those of the state before the set.
    const { built, run } = await underLoad(load, () => applyIndexes(db, runbookIndexes, { hidden: true }), plan);
    expect(built.map((o) => o.status)).toEqual(runbookIndexes.map(() => 'created'));
    for (const s of runbookIndexes) {
      const held = (await db.collection(s.collection).listIndexes().toArray()).find((ix) => ix.name === s.name);
      expect(held?.hidden).toBe(true);
    }
    await setCreatedIndexesHidden(db, built, false);
    expect(built.every((o) => o.buildMs > 0)).toBe(true);
    const result = duringBuildResult(load, run);
    if (result.state !== 'measured') throw new Error('not measured');
    expect(result.errors).toEqual([]);
    expect(result.before.samplesMs.length).toBe(plan.beforeSamples);
    expect(result.during.samplesMs.length).toBeGreaterThan(0);
    expect(result.before.medianMs).toBeGreaterThan(0);
    expect(result.during.medianMs).toBeGreaterThan(0);
    expect(result.buildMs).toBeGreaterThan(0);
    expect(['measured', 'insufficient']).toContain(result.slowdown.state);
  });
});
