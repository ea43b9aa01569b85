import type { CheckInput } from '../checks.js';
import type { WriteRouteResult } from '../result.js';
import { speedupBounds } from '../timing/bounds.js';
import { median } from '../timing/stats.js';
import type { KeysWritten, WriteRouteRun, WriteSide } from './measure-writes.js';

/**
 * The write routes' results: per route, its time on each side, the index keys it wrote per
 * call, the keys the set adds (a work count), and the slowdown (after ÷ before of the call's
 * time, the geometric-mean ratio with its interval: the speedup's method, sides swapped). The
 * check `writes` judges the slowdown against `writes.maxSlowdown`: pass when the interval's
 * upper end stays within it, fail when its lower end is beyond it, inconclusive in between.
 */
export function writeResults(runs: readonly WriteRouteRun[]): WriteRouteResult[] {
  return runs.map((run) => {
    const side = (s: WriteSide | undefined) =>
      s
        ? {
            samplesMs: s.samplesMs,
            medianMs: s.samplesMs.length > 0 ? median(s.samplesMs) : null,
            keys: s.keys,
            ...(s.overLimit ? { overLimit: { ...s.overLimit } } : {}),
          }
        : undefined;
    const before = side(run.before);
    const after = side(run.after);
    const [bound] =
      run.before && run.after
        ? speedupBounds({ classes: [{ key: run.id, before: run.after.samplesMs, after: run.before.samplesMs }] })
        : [];
    // A side that reached the limit: its samples are the calls before that one, so a ratio of them would not be the route's.
    // A side whose call counting keys reached the limit: its keys are unknown too.
    const sidesOverLimit = (['before', 'after'] as const).flatMap((name) => {
      const o = run[name]?.overLimit;
      return o ? [{ name, ...o }] : [];
    });
    const cut = sidesOverLimit.map(
      (o) =>
        `${o.step} reached the ${o.limitMs / 1000} s limit ${o.name} the set (${o.counted ? 'the call counting keys' : 'a timed call'})`,
    );
    const keysCut = sidesOverLimit
      .filter((o) => o.counted)
      .map((o) => `${o.name} the set, ${o.step} reached the ${o.limitMs / 1000} s limit of the call counting keys`);
    return {
      id: run.id,
      title: run.title,
      file: run.file,
      ...(run.source ? { source: run.source } : {}),
      steps: ((run.before ?? run.after)?.steps ?? []).map((st) => {
        const b = run.before?.stepMs[st.step];
        const a = run.after?.stepMs[st.step];
        return { ...st, ...(b ? { beforeMs: median(b) } : {}), ...(a ? { afterMs: median(a) } : {}) };
      }),
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      extraKeys: keysCut.length > 0 ? [] : extraKeys(run.before?.keys ?? [], run.after?.keys ?? []),
      ...(keysCut.length > 0 ? { keysUnknown: keysCut.join('; ') } : {}),
      ...(cut.length > 0 && run.before && run.after
        ? { slowdown: { state: 'insufficient' as const, reason: `${cut.join('; ')}: the call's time there is at least the limit` } }
        : bound
          ? {
              slowdown:
                bound.state === 'measured'
                  ? {
                      state: 'measured' as const,
                      ratio: bound.ratio,
                      ciLow: bound.ciLow,
                      ciHigh: bound.ciHigh,
                      confidence: bound.confidence,
                      method: bound.method,
                    }
                  : { state: 'insufficient' as const, ...(bound.ratio === undefined ? {} : { ratio: bound.ratio }), reason: bound.reason },
            }
          : {}),
    };
  });
}

/** What the set adds per call, per collection (after − before), collections where it adds nothing left out. */
export function extraKeys(before: readonly KeysWritten[], after: readonly KeysWritten[]): KeysWritten[] {
  const names = [...new Set([...before, ...after].map((k) => k.collection))];
  return names
    .map((collection) => {
      const b = before.find((k) => k.collection === collection) ?? { inserted: 0, deleted: 0 };
      const a = after.find((k) => k.collection === collection) ?? { inserted: 0, deleted: 0 };
      return { collection, inserted: a.inserted - b.inserted, deleted: a.deleted - b.deleted };
    })
    .filter((k) => k.inserted !== 0 || k.deleted !== 0);
}

const fmt = (x: number) => x.toFixed(2);

/** One `writes` check per write route measured on both sides, against `writes.maxSlowdown`. */
export function writeChecks(results: readonly WriteRouteResult[], maxSlowdown: number | undefined): CheckInput[] {
  if (maxSlowdown === undefined) return [];
  return results.flatMap((r) => {
    const s = r.slowdown;
    if (!s) return [];
    const keys =
      r.extraKeys.map((k) => `${k.collection} +${fmt(k.inserted)} keys inserted, +${fmt(k.deleted)} deleted`).join('; ') ||
      'no extra index keys';
    if (s.state !== 'measured')
      return [
        {
          check: 'writes' as const,
          route: r.id,
          passed: false,
          outcome: 'inconclusive' as const,
          message: `${r.id}: slowdown not bounded: ${s.reason} (${keys} per call)`,
        },
      ];
    const interval = `${fmt(s.ratio)}x [${fmt(s.ciLow)}x–${fmt(s.ciHigh)}x]`;
    const outcome = s.ciHigh <= maxSlowdown ? 'pass' : s.ciLow > maxSlowdown ? 'fail' : 'inconclusive';
    const said =
      outcome === 'pass'
        ? `within the allowed ${maxSlowdown}x`
        : outcome === 'fail'
          ? `beyond the allowed ${maxSlowdown}x`
          : `the interval straddles the allowed ${maxSlowdown}x: more calls would decide it`;
    return [
      {
        check: 'writes' as const,
        route: r.id,
        passed: outcome === 'pass',
        outcome,
        message: `${r.id}: the set slows each call ${interval}, ${said} (${keys} per call)`,
      },
    ];
  });
}
