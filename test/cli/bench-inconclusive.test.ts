import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRoutePlan } from '../../src/route-engine/measure.js';
import { benchDriverTiny } from '../support/bench.js';
import { thresholdsWithoutRouteSpeedup } from '../support/cli.js';

let dir: string;
let relaxed: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-inconclusive-'));
  relaxed = await thresholdsWithoutRouteSpeedup(dir);
});
const bench = (label: string, extra: string[]) => benchDriverTiny(dir, label, extra);

describe('inconclusive: the samples cannot decide (exit 3), never a pass or a fail by chance', { timeout: 620_000 }, () => {
  it('a p95 budget on 12 calls per class cannot be bounded: INCONCLUSIVE, exit 3, and the check says how many calls it needs', async () => {
    const p95 = join(dir, 'p95.json');
    const shipped = JSON.parse(await readFile(relaxed, 'utf8'));
    await writeFile(p95, JSON.stringify({ ...shipped, route: { ...shipped.route, afterBudgetMs: { p95: 1000 } } }));
    const run = await bench('p95', ['--thresholds', p95, '--no-writes']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^VERDICT: INCONCLUSIVE \(nothing failed; 3 of \d+ checks could not be decided/m);
    expect(run.result.gate).toMatchObject({ verdict: 'inconclusive', passed: false, failures: [] });
    const saved = JSON.parse(await readFile(join(dir, 'p95', 'result.json'), 'utf8'));
    const budget = saved.gate.inconclusive.filter((c: { check: string }) => c.check === 'budget');
    expect(budget).toHaveLength(3);
    expect(budget[0].message).toMatch(/12 samples cannot bound a p95 from above \(at least 72 needed\)/);
    // The route's calls: 6 per round and side for each class, two rounds (the plan of src/route-engine/measure.ts), all kept.
    for (const r of saved.routes.filter((e: { id: string }) => e.id === 'driver')) {
      expect(r.before.totalSamplesMs).toHaveLength(2 * defaultRoutePlan.callsPerRound);
      expect(r.after.totalSamplesMs).toHaveLength(2 * defaultRoutePlan.callsPerRound);
    }
    // Every timed call is kept, in call order, with its round, side and position.
    expect(saved.timing.calls.map((c: { seq: number }) => c.seq)).toEqual(saved.timing.calls.map((_: unknown, i: number) => i + 1));
    expect(saved.timing.calls.every((c: { kind: string }) => c.kind === 'pattern')).toBe(true);
    // ABBA: round 1 before then after, round 2 after then before; a state check after each switch.
    const order = [...new Set(saved.timing.calls.map((c: { round: number; side: string }) => `${c.round}:${c.side}`))];
    expect(order).toEqual(['1:before', '1:after', '2:after', '2:before']);
    expect(
      saved.gate.checks.filter((c: { check: string; outcome: string }) => c.check === 'state' && c.outcome === 'pass').length,
    ).toBeGreaterThanOrEqual(3);
  });
});
