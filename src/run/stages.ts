import { prepareDataset } from '../dataset/prepare.js';
import { throwIfAborted } from '../errors.js';
import { evaluateGate, withAcceptedFailures, withChecks, type CountExpectation } from '../gate/evaluate.js';
import { baselineFor } from '../history/comparability.js';
import { routeModelChecks } from '../gate/route-models.js';
import { judgeRun } from '../history/judge.js';
import { historyRecord, recordable } from '../history/record.js';
import { appendHistoryLine } from '../history/store.js';
import { applyIndexes, findingsAsOutcomes, type IndexOutcome } from '../indexing/apply.js';
import { setCreatedIndexesHidden } from '../indexing/hide.js';
import { inspectIndexes } from '../indexing/inspect.js';
import { schemaOfDmmf, withStaleness } from '../indexing/prisma-schema.js';
import { type IndexUse, priceIndexes, readSizes } from '../indexing/price.js';
import { measurementKey } from '../keys.js';
import { checkNeeded, patternCommands, routeCommands } from './needed.js';
import { readMarker } from '../mongo/safety.js';
import { countDocuments, targetFingerprint } from '../mongo/target-fingerprint.js';
import { resultSchemaVersion, type CheckInput, type Measurement, type RunResult } from '../result.js';
import { type ExplainedCommand, probesOfExplained } from '../route-engine/measure.js';
import { type SampledUser, sampleUsers } from '../users/user-classes.js';
import { toolCommit, toolVersion } from '../version.js';
import { knownIndexSpecs } from '../workload.js';
import { discoverContexts } from './contexts.js';
import { explainAll } from './explain-patterns.js';
import { measureRoutes, routesFor, type RouteToMeasure } from './measure-routes.js';
import { measureWriteSide, sampleMemberships } from './measure-writes.js';
import { chooseReadLoad, duringBuildResult, underLoad } from './build-load.js';
import { extraKeys, writeChecks, writeResults } from './write-results.js';
import { attributeSetWrites } from '../indexing/write-keys.js';
import { runNotes } from './notes.js';
import { patternResults } from './pattern-results.js';
import { need, stage, type Stage } from './pipeline.js';
import { replayChecks } from './replay.js';
import { checkSideState } from './state-check.js';
import { estimateCosts, type Side, timeRounds } from './timing.js';

/**
 * The stages runs are made of, in the order plans use them: open data (seed, or inspect a
 * target) → sample users → explain a side → build the set → time the patterns → the routes
 * → conclude (the gate) → the history. Each reads the state earlier stages filled in.
 */

/** bench: the dataset, a cached copy or a fresh seed (src/dataset/prepare.ts), as the plan's `inputs.seed` names it. */
export function seedStage(): Stage {
  return stage('seed', async (state, { reporter, signal }) => {
    const { cacheEntryFor, profile, ...rest } = need(state.inputs.seed, 'the dataset to seed (inputs.seed)');
    const embedded = state.target.embedded;
    const cacheEntry = embedded ? cacheEntryFor(embedded.mongod) : undefined;
    const { dataset } = state.inputs.workload;
    const seeded = await prepareDataset(state.target, { ...rest, cacheEntry, dataset, reporter, signal });
    // Fitted to a profile: how close the seeded data came, read the way the profile was.
    const profiles = dataset.profiles;
    const fit =
      profile && profiles
        ? profiles.compare(profile.data, await profiles.read(state.target.db, state.target.environment.mongodVersion), profile.factor)
        : undefined;
    state.dataset = {
      scale: rest.scale,
      seed: rest.seed,
      baseline: rest.baseline,
      counts: { ...seeded.counts },
      fingerprint: seeded.fingerprint,
      origin: 'indexgate',
      ...(profile && fit ? { profile: { file: profile.file, factor: profile.factor, fit: [...fit] } } : {}),
    };
  });
}

/** verify: what is on the target, read-only: counts, the marker of an indexgate dataset, a fingerprint, the set's indexes by key. */
export function inspectStage(): Stage {
  return stage('inspect', async (state) => {
    const { db } = state.target;
    const { dataset } = state.inputs.workload;
    const counts = await countDocuments(db, dataset.collections);
    const marker = await readMarker(db);
    state.dataset = marker
      ? { scale: marker.scale, seed: marker.seed, baseline: marker.baseline, counts, fingerprint: marker.fingerprint, origin: 'indexgate' }
      : {
          scale: null,
          seed: null,
          baseline: null,
          counts,
          fingerprint: await targetFingerprint(db, dataset.collections, counts),
          origin: 'target',
        };
    state.indexes = findingsAsOutcomes(await inspectIndexes(db, state.inputs.indexSet, dataset.collections));
  });
}

/**
 * The users of each class sampled from the target's data and the ids their patterns are
 * built from (once), then every selected pattern explained on the target's current state as `side`.
 */
export function explainStage(name: string, side: Side, options: { maxTimeMS?: number | undefined } = {}): Stage {
  return stage(name, async (state, { reporter, signal }) => {
    const { db } = state.target;
    const { workload, patterns } = state.inputs;
    if (!state.classes) {
      const users = workload.users ? await sampleUsers(db, workload.users) : [];
      if (users.length > 0)
        reporter.notice(`user classes: ${users.map((u) => `${u.userClass} (${u.memberships} conversations)`).join(', ')}`);
      state.classes = await discoverContexts(db, workload.patterns, users);
      // A route that declares its users is measured for its own, ranked by its load.
      const own = new Map<string, readonly SampledUser[]>();
      for (const [id, ranking] of state.inputs.routes.users) {
        const sampled = await sampleUsers(db, ranking);
        reporter.notice(
          `route ${id}: user classes by ${ranking.load}: ${sampled.map((u) => `${u.userClass} (${u.memberships})`).join(', ')}`,
        );
        own.set(id, sampled);
      }
      state.routeUsers = own;
    }
    const commands = new Map<string, ExplainedCommand>();
    state.plans[side] = await explainAll(db, patterns, state.classes, { signal, maxTimeMS: options.maxTimeMS, commands });
    state.explainedCommands[side] = commands;
  });
}

/** bench: builds the set (`--skip-index` leaves some out, for testing the gate), each index timed. */
export function buildStage(skip: ReadonlySet<string>): Stage {
  return stage('build', async (state, { reporter, signal }) => {
    const { db } = state.target;
    const { indexSet, workload, buildLoadPlan } = state.inputs;
    const specs = indexSet.filter((s) => !skip.has(s.name));
    const onIndex = (o: IndexOutcome) =>
      reporter.notice(`index ${o.name}: ${o.status}${o.buildMs > 0 ? ` in ${Math.round(o.buildMs)} ms` : ''}`);
    const build = () => applyIndexes(db, specs, { signal, onIndex });
    // Under load, each index is built hidden and unhidden once the whole set is built (whatever happens): the reader's plans
    // stay those of the state before the set, so what it sees is the build's cost, not the finished indexes' benefit.
    const buildHidden = async () => {
      const created: IndexOutcome[] = [];
      try {
        return await applyIndexes(db, specs, {
          signal,
          hidden: true,
          onIndex: (o) => {
            if (o.status === 'created') created.push(o);
            onIndex(o);
          },
        });
      } finally {
        await setCreatedIndexesHidden(db, created, false);
      }
    };
    // A concurrent reader, before and while the set is built (the runbook builds on a live server): what it sees is reported, never gated.
    const load = buildLoadPlan
      ? await chooseReadLoad({
          db,
          dm: state.inputs.routes.dm,
          routes: [...state.inputs.routes.routes].sort(
            (a, b) => Number(b.id === workload.routes.application?.id) - Number(a.id === workload.routes.application?.id),
          ),
          params: state.inputs.routes.params,
          classes: state.classes ?? [],
          routeUsers: state.routeUsers,
          patterns: state.inputs.patterns,
          plansBefore: state.plans.before,
          plan: buildLoadPlan,
          signal,
        })
      : undefined;
    let applied: Awaited<ReturnType<typeof build>>;
    if (buildLoadPlan && load && 'call' in load) {
      reporter.notice(`build under load: ${load.workload} (${load.why})`);
      const { built, run } = await underLoad(load, buildHidden, buildLoadPlan, signal);
      applied = built;
      state.duringBuild = duringBuildResult(load, run);
      reporter.notice(
        `build under load: ${run.before.length} sample(s) before, ${run.during.length} during the build${run.errors.length > 0 ? `; the reader: ${run.errors.join('; ')}` : ''}`,
      );
    } else {
      if (load) state.duringBuild = { state: 'not measured', why: load.why };
      applied = await build();
    }
    const skipped = findingsAsOutcomes(
      await inspectIndexes(
        db,
        indexSet.filter((s) => skip.has(s.name)),
        workload.dataset.collections,
      ),
    ).map((o) => ({
      ...o,
      detail: `left out of apply (--skip-index): ${o.detail}`,
    }));
    state.indexes = indexSet.map((s) => [...applied, ...skipped].find((o) => o.name === s.name) as (typeof applied)[number]);
  });
}

/**
 * Times every pattern by the fixed plan, in rounds that alternate the sides (bench: the set
 * hidden for "before", a state check after each switch). Not a stage of its own in
 * `timings`: its time is added to the sides' (`before`, `after`) or to `time` (verify).
 */
export function timePatternsStage(sides: readonly Side[], options: { budgetMs?: number; maxTimeMS?: number | undefined } = {}): Stage {
  return stage(
    'time',
    async (state, { reporter, signal }) => {
      throwIfAborted(signal);
      const { db } = state.target;
      const { patterns, workload, deadline, budgetSeconds } = state.inputs;
      const classes = need(state.classes, 'the user classes');
      const plans = state.plans;
      // The route runs every pattern, measured or not: estimate its cost from all of them.
      const all = workload.patterns.list;
      const estimates = estimateCosts(
        patterns.length === all.length ? plans : {},
        classes,
        all.map((p) => p.id),
      );
      const reserveMs = 3000;
      const budgetMs = options.budgetMs ?? Math.max(0, (deadline ?? Infinity) - performance.now() - reserveMs);
      if (options.budgetMs === undefined) reporter.notice(`timing: ${Math.round(budgetMs / 1000)} s left in the ${budgetSeconds} s budget`);
      const started = performance.now();
      const indexes = state.indexes;
      const hiding = sides.length > 1 && indexes !== undefined;
      const timing = await timeRounds({
        db,
        patterns,
        classes,
        sides,
        budgetMs,
        estimates,
        maxTimeMS: options.maxTimeMS,
        signal,
        ...(hiding
          ? {
              switchTo: async (side: Side, round: number) => {
                await setCreatedIndexesHidden(db, indexes, side === 'before');
                const context = classes[0];
                const sidePlans = plans[side];
                if (context && sidePlans) state.checks.push(await checkSideState(db, { side, round, patterns, context, plans: sidePlans }));
              },
              onRound: (round: number, rounds: number, order: readonly Side[]) =>
                reporter.notice(`timing round ${round}/${rounds} (${order.join(', then ')})`),
            }
          : {}),
      });
      state.timing = timing;
      if (hiding) for (const side of sides) state.timings[side] = Math.round((state.timings[side] ?? 0) + timing.sideMs[side]);
      else state.timings.time = Math.round((state.timings.time ?? 0) + performance.now() - started);
    },
    false,
  );
}

/**
 * bench: the write routes on one side of the set (before it is built, then after), on the
 * run's own target; every write undone and checked, so the reads measured after are those of
 * the seeded data. Absent a write plan or a write route, nothing.
 */
export function writesStage(side: Side): Stage {
  return stage('writes', async (state, { reporter, signal }) => {
    const { routes, workload, writePlan } = state.inputs;
    if (!writePlan || routes.writes.length === 0) return;
    const { db } = state.target;
    // The collections' counts (the server's own, kept exact by every insert and delete) around the writes.
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(workload.dataset.collections.map(async (c) => [c, await db.collection(c).estimatedDocumentCount()] as const)),
      );
    if (!state.writes) {
      state.writes = {
        runs: routes.writes.map((r) => ({ id: r.id, title: r.title, file: r.file, ...(r.source ? { source: r.source } : {}) })),
        memberships: workload.users ? await sampleMemberships(db, workload.users, writePlan.memberships) : [],
        countsBefore: await counts(),
      };
    }
    if (state.writes.memberships.length === 0 || !workload.users) return;
    reporter.notice(
      `writes ${side}: ${routes.writes.map((r) => r.id).join(', ')}, ${writePlan.timedCalls} timed calls each, every write undone`,
    );
    const measured = await measureWriteSide({
      db,
      dm: routes.dm,
      routes: routes.writes,
      memberships: state.writes.memberships,
      users: workload.users,
      params: routes.params,
      plan: writePlan,
      signal,
    });
    for (const run of state.writes.runs) run[side] = measured.get(run.id);
    if (side === 'after') state.writes.countsAfter = await counts();
  });
}

/**
 * Every route (built-in, route files, a replayed workload) on each side, then, in bench, the
 * remedies of the workload's application route: its remedy indexes and its rewrite.
 */
export function routesStage(): Stage {
  return stage('routes', async (state, { reporter, signal }) => {
    const { routes, replay, workload, routePlan, indexSet, deadline, routeOptions: options } = state.inputs;
    const classes = need(state.classes, 'the user classes');
    const targets = routesFor([...routes.routes, ...(replay ? [replay.route] : [])], classes, routes.params, state.routeUsers);
    const application = workload.routes.application;
    const remedies =
      options.remedies && application && routes.routes.some((r) => r.id === application.id)
        ? {
            route: application.id,
            indexes: workload.indexes.sets[application.remedySet] ?? [],
            rewrite: routesFor([application.rewrite], classes, routes.params).routes[0] as RouteToMeasure,
          }
        : undefined;
    // The patterns' explains on each state already measured the joins that let few documents in: no probe of their own.
    const explained = (plans: ReadonlyMap<string, Measurement> | undefined) =>
      probesOfExplained(
        state.target.db,
        routePlan,
        classes.flatMap(({ user, context }) =>
          state.inputs.patterns.flatMap((pattern) => {
            const query = pattern.build(context);
            const measurement = plans?.get(measurementKey(pattern.id, user.userClass));
            return query.kind === 'aggregate' && measurement
              ? [{ collection: query.on ?? pattern.collection, pipeline: query.pipeline, measurement }]
              : [];
          }),
        ),
      );
    const knownProbes =
      options.sides === 'before-after'
        ? { before: await explained(state.plans.before), after: await explained(state.plans.after) }
        : { current: await explained(state.plans.after) };
    // A route command that sends a pattern's command is measured on the pattern's explain of the same state.
    const { before, after } = state.explainedCommands;
    const knownExplains = options.sides === 'before-after' ? { before, after } : { current: after };
    state.routeRun = await measureRoutes({
      db: state.target.db,
      dm: routes.dm,
      routes: targets.routes,
      knownProbes,
      knownExplains,
      ...(options.sides === 'before-after' ? { indexes: need(state.indexes, 'the built set') } : {}),
      indexSet,
      plan: routePlan,
      remedies,
      memberships: targets.memberships,
      reporter,
      signal,
      deadline,
    });
    for (const m of state.routeRun.remedies)
      if (m.notMeasured)
        state.notes.push(`Remedy "${m.title}": ${m.notMeasured.classes.join(', ')} not measured: ${m.notMeasured.reason}.`);
    const gate = options.gate;
    if (gate && application) {
      for (const remedy of state.routeRun.remedies) {
        const route = remedy.kind === 'rewrite' ? ['--route-file', application.rewrite.file] : ['--route', application.id];
        remedy.gateCommand = gatingCommand(gate.program, [...gate.setArgs, '--set', application.remedySet], [...gate.repeat, ...route]);
      }
    }
  });
}

/**
 * What the set costs and whether each index earns it (read-only: `$collStats`, `listIndexes`,
 * `serverStatus`): sizes after every route ran, what used each index, what makes it redundant.
 */
export function priceStage(options: { readOnly?: boolean } = {}): Stage {
  return stage('price', async (state) => {
    const indexes = state.indexes;
    if (!indexes || indexes.length === 0) return;
    const sizes = await readSizes(
      state.target.db,
      indexes.map((ix) => ix.collection),
    );
    const uses: IndexUse[] = [];
    const add = (
      collection: string,
      m: { indexesUsed: readonly string[]; lookups?: readonly { from: string; indexesUsed: readonly string[] }[] },
      by: string,
    ) => {
      uses.push({ collection, indexesUsed: m.indexesUsed, by });
      for (const l of m.lookups ?? []) uses.push({ collection: l.from, indexesUsed: l.indexesUsed, by });
    };
    for (const r of state.routeRun?.routes ?? []) for (const c of r.commands) add(c.collection, c.after, `route ${r.id} ${c.step}`);
    const after = state.plans.after;
    if (after)
      for (const p of state.inputs.patterns)
        for (const { user } of state.classes ?? []) {
          const m = after.get(measurementKey(p.id, user.userClass));
          if (m) add(p.collection, m, `pattern ${p.id}`);
        }
    const priced = priceIndexes(indexes, sizes, uses, { ramGb: state.inputs.ramGb });
    // bench: each index's keys per write call, from what the writes did on the state with the set, checked against the profiler.
    // A route whose keys were not counted on a side (its counted call reached the limit) has no profiler figure to check against.
    const measured = (state.writes?.runs ?? []).flatMap((r) =>
      r.before && r.after && !r.before.overLimit?.counted && !r.after.overLimit?.counted
        ? [{ route: r.id, effects: r.after.effects, extraKeys: extraKeys(r.before.keys, r.after.keys) }]
        : [],
    );
    const writes = measured.length > 0 ? attributeSetWrites(measured, indexes) : undefined;
    const withWrites = writes
      ? {
          ...priced,
          writes: writes.writes,
          indexes: priced.indexes.map((p, i) => ({
            ...p,
            writeKeys: writes.indexes[i]?.writeKeys ?? [],
            writeShare: writes.indexes[i]?.writeShare ?? null,
          })),
        }
      : priced;
    const price = state.duringBuild ? { ...withWrites, duringBuild: state.duringBuild } : withWrites;
    // verify never changes the target: hiding an index is a collMod.
    state.price = options.readOnly
      ? { ...price, neededCheck: { checked: false, reason: 'read-only: verify never hides an index (collMod)' } }
      : price;
  });
}

/**
 * bench, on its own target: each index the price found `used` hidden in turn and what used it
 * explained again, untimed, under the routes' command limit, one at a time: `needed` when a
 * command loses its plan without it, `redundant` with the index the plans chose instead when
 * none does (src/run/needed.ts). Its time is `timings.needed`.
 */
export function neededStage(): Stage {
  return stage('needed', async (state, { reporter, signal }) => {
    const price = state.price;
    if (!price || !price.indexes.some((p) => p.verdict === 'used')) return;
    const { db } = state.target;
    const { routePlan, patterns } = state.inputs;
    const limitMs = routePlan.maxTimeMS;
    const commands = [
      ...routeCommands(db, state.routeRun, limitMs),
      ...patternCommands(db, patterns, state.classes ?? [], state.plans.after, limitMs),
    ];
    state.price = await checkNeeded({
      db,
      price,
      commands,
      limitMs,
      reporter,
      signal,
    });
  });
}

/** The two commands that gate a migration: its index set written to a file, then bench judging the route against it. */
export function gatingCommand(program: string, setArgs: readonly string[], benchArgs: readonly string[]): string {
  const file = 'migration-indexes.json';
  return `${program} indexes list ${setArgs.join(' ')} --json > ${file} && ${program} bench --indexes ${file} ${benchArgs.join(' ')}`;
}

/** The gate over everything measured (indexes, patterns, routes, replayed shapes, counts), and the result document. */
export function concludeStage(options: {
  judgeSpeedup: boolean;
  counts?: (actual: Readonly<Record<string, number>>) => readonly CountExpectation[];
}): Stage {
  return stage(
    'conclude',
    async (state, context) => {
      const { inputs, target } = state;
      const { workload, thresholds } = inputs;
      const classes = need(state.classes, 'the user classes');
      const timing = need(state.timing, 'the timing');
      const routeRun = need(state.routeRun, 'the routes');
      const dataset = need(state.dataset, 'the dataset');
      // What the server holds (or bench built), each index whose key names a field or collection the routes' schema does not have said `stale`.
      const onServer = need(state.indexes, 'the index set');
      const indexes = withStaleness(onServer, schemaOfDmmf(inputs.routes.dm.dmmf, inputs.routes.dm.file, workload.dataset.collections));
      const knownSpecs = knownIndexSpecs(workload.indexes);
      const patternIds = workload.patterns.list.map((p) => p.id);
      const patterns = patternResults({
        patterns: inputs.patterns,
        classes,
        plans: { ...state.plans, after: need(state.plans.after, 'the plans after') },
        samples: timing.samples,
      });
      const writes = state.writes?.countsAfter
        ? {
            routes: writeResults(state.writes.runs),
            restored: JSON.stringify(state.writes.countsBefore) === JSON.stringify(state.writes.countsAfter),
            countsBefore: state.writes.countsBefore,
            countsAfter: state.writes.countsAfter,
            ...(thresholds.values.writes ? { maxSlowdown: thresholds.values.writes.maxSlowdown } : {}),
          }
        : undefined;
      const routeChecks: CheckInput[] = [
        ...(writes ? writeChecks(writes.routes, writes.maxSlowdown) : []),
        ...routeRun.routes.flatMap((r) => routeModelChecks(r, thresholds.values, { patternIds, knownSpecs })),
        ...(inputs.replay ? await replayChecks(target.db, routeRun.routes, inputs.replay.rules, options.judgeSpeedup, knownSpecs) : []),
      ];
      const gate = withChecks(
        evaluateGate({
          thresholds: thresholds.values,
          indexes,
          patterns,
          counts: options.counts?.(dataset.counts) ?? [],
          judgeSpeedup: options.judgeSpeedup,
          knownSpecs,
        }),
        [...state.checks, ...routeChecks],
      );
      const notes = [
        ...runNotes({
          command: inputs.command,
          environment: target.environment,
          patterns,
          routes: routeRun.routes,
          ...(inputs.command === 'bench' ? { indexes: onServer } : {}),
          capped: timing.capped,
          rounds: timing.rounds,
          plannedRounds: timing.plan.rounds,
        }),
        ...(routeRun.capped ? [`Routes: ${routeRun.capped} (--budget-seconds ${inputs.budgetSeconds}).`] : []),
        ...state.notes,
      ];
      state.result = {
        schemaVersion: resultSchemaVersion,
        command: inputs.command,
        runId: inputs.runId,
        startedAt: state.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        tool: { name: 'indexgate', version: toolVersion, commit: toolCommit() },
        ...(context.application ? { application: context.application } : {}),
        environment: target.environment,
        dataset,
        indexes,
        patterns,
        routes: routeRun.routes,
        ...(workload.routes.application ? { applicationRoute: workload.routes.application.id } : {}),
        ...(routeRun.remedies.length > 0 ? { remedies: routeRun.remedies } : {}),
        gate,
        thresholds: { source: thresholds.source, values: thresholds.values },
        timings: state.timings,
        routeTimings: routeRun.breakdown,
        ...(writes ? { writes } : {}),
        ...(state.price ? { price: state.price } : {}),
        notes,
        timing: { plan: timing.plan, capped: timing.capped, rounds: timing.rounds, calls: timing.calls },
      };
    },
    false,
  );
}

/**
 * The history (`bench --history`): the run recorded as a run of the series and judged against
 * the comparable earlier runs since the last accept (plan regressions, the single-night alarm,
 * change points; src/history/judge.ts), its checks added to the result. The run is appended,
 * with its final verdict, once its reports are written; a run that measured nothing validly is not kept.
 */
export function historyStage(): Stage {
  return stage(
    'history',
    async (state, { reporter }) => {
      const history = state.inputs.history;
      const measured: RunResult = need(state.result, 'the result');
      if (!history) return;
      const run = historyRecord(measured, {
        routes: {
          models: [...state.inputs.routes.routes.map((r) => r.id), ...(state.inputs.replay ? [state.inputs.replay.route.id] : [])],
        },
      });
      const { checks, summary } = judgeRun(run, history.lines);
      // Failures the team accepted (`history accept` of a run that had them) are reported, not counted; worse or new ones still fail.
      const accepted = baselineFor(history.lines, run).accepted;
      const acceptedKeys = new Set(accepted?.run.runId === run.runId ? [] : (accepted?.run.failures ?? []));
      const acceptedOn = accepted ? `${accepted.run.runId}: ${accepted.record.note}` : '';
      reporter.notice(
        `history: ${summary.comparableRuns} comparable earlier run(s) in ${history.file}${summary.notComparable > 0 ? ` (${summary.notComparable} not comparable)` : ''}${summary.accepted ? `, since the accept of ${summary.accepted.runId}` : ''}`,
      );
      if (summary.applicationChange) reporter.notice(`history: ${summary.applicationChange.message}`);
      const gate = withChecks(withAcceptedFailures(measured.gate, acceptedKeys, acceptedOn), checks);
      const notes = summary.applicationChange ? [...measured.notes, `History: ${summary.applicationChange.message}`] : measured.notes;
      state.result = { ...measured, gate, notes, history: { file: history.file, ...summary } };
      state.recordHistory = async () => {
        if (recordable(run)) await appendHistoryLine(history, { ...run, verdict: gate.verdict });
      };
    },
    false,
  );
}
