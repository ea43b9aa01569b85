import { describe, expect, it } from 'vitest';
import { type History, type HistoryEntry, judgeAgainstHistory } from '../../src/history/history.js';
import { Rng } from '../../src/seed/random.js';

function entry(i: number, p50: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    runId: `run-${i}`,
    finishedAt: new Date(Date.UTC(2026, 10, i + 1)).toISOString(),
    passed: true,
    fingerprint: 'ig1-medium-1-abc',
    mongodVersion: '7.0.15',
    topology: 'standalone',
    underWine: true,
    commit: null,
    route: { typical: { afterP50: p50, afterP95: p50 * 1.5, speedup: 20 } },
    patterns: { 'readCursors|typical': { afterP50: 1.5, docsExamined: 6, keysExamined: 7, indexName: 'idx_cursor_user_conv' } },
    ...overrides,
  };
}

/** Ten nights of a route around 480 ms with ±8% noise. */
function nights(seed = 3): History {
  const rng = new Rng(seed);
  return { version: 1, runs: Array.from({ length: 10 }, (_, i) => entry(i, 480 * (1 + (rng.next() - 0.5) * 0.16))) };
}

const routeCheck = (h: History, current: HistoryEntry) => judgeAgainstHistory(current, h).checks.find((c) => c.pattern === 'route');

describe('the history gate', () => {
  it('does not flag normal nights (noise within what the history shows)', () => {
    const rng = new Rng(99);
    for (let night = 0; night < 50; night++) {
      const current = entry(100 + night, 480 * (1 + (rng.next() - 0.5) * 0.16));
      expect(routeCheck(nights(), current)?.passed, `night ${night}`).toBe(true);
    }
  });

  it('flags a night 2x slower than the recent median', () => {
    const check = routeCheck(nights(), entry(50, 960));
    expect(check?.passed).toBe(false);
    expect(check?.message).toMatch(/TOTAL p50 960\.0 ms vs median 4\d\d\.\d ms of 10 runs \(×2\.0\d, robust z \d+\.\d/);
  });

  it('does not flag a significant but small slowdown (under 20%)', () => {
    const steady: History = { version: 1, runs: Array.from({ length: 10 }, (_, i) => entry(i, 480)) };
    expect(routeCheck(steady, entry(50, 540))?.passed).toBe(true);
    expect(routeCheck(steady, entry(50, 600))?.passed).toBe(false);
  });

  it('needs a few comparable runs before judging latency; failed and other runs are not baselines', () => {
    const few: History = { version: 1, runs: [entry(0, 480), entry(1, 490)] };
    expect(routeCheck(few, entry(2, 2000))).toMatchObject({ passed: true, message: expect.stringMatching(/2 comparable earlier run\(s\), 3 needed/) });
    const mixed: History = {
      version: 1,
      runs: [entry(0, 480), entry(1, 480, { passed: false }), entry(2, 480, { mongodVersion: '8.0.0' }), entry(3, 480, { fingerprint: 'other' }), entry(4, 480)],
    };
    expect(judgeAgainstHistory(entry(5, 480), mixed).comparableRuns).toBe(2);
  });

  it('flags a plan change exactly: more documents examined, or another index', () => {
    const grown = entry(50, 480, { patterns: { 'readCursors|typical': { afterP50: 90, docsExamined: 2727, keysExamined: 0, indexName: null } } });
    const check = judgeAgainstHistory(grown, nights()).checks.find((c) => c.pattern === 'readCursors');
    expect(check).toMatchObject({ passed: false, userClass: 'typical' });
    expect(check?.message).toMatch(/plan changed since run-9: 2,727 docs examined \(was 6\), index none \(was idx_cursor_user_conv\)/);
    const same = judgeAgainstHistory(entry(50, 480), nights()).checks.find((c) => c.pattern === 'readCursors');
    expect(same?.passed).toBe(true);
  });
});
