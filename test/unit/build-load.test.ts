import { describe, expect, it } from 'vitest';
import { defaultBuildLoadPlan, duringBuildResult, type ReadLoad, underLoad } from '../../src/run/build-load.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const plan = { ...defaultBuildLoadPlan, warmupCalls: 1, beforeSamples: 5 };
const load = (call: () => Promise<number>): ReadLoad => ({ kind: 'patterns', workload: 'fake', why: 'a test', call });

describe('the concurrent reader around a build', () => {
  it('samples before, then during the build only, and stops when the build ends', async () => {
    let calls = 0;
    const reader = load(async () => {
      calls++;
      await sleep(5);
      return 5;
    });
    const { built, run } = await underLoad(reader, async () => (await sleep(60), 'built'), plan);
    expect(built).toBe('built');
    expect(run.before).toHaveLength(5);
    expect(run.during.length).toBeGreaterThan(2);
    const after = calls;
    await sleep(30);
    expect(calls).toBe(after);
    const result = duringBuildResult(reader, run);
    expect(result.state === 'measured' && result.slowdown.state).toBe('measured');
  });

  it('the first calls warm the reader up and are not sampled', async () => {
    let n = 0;
    const counting = load(async () => ++n);
    const { run } = await underLoad(counting, async () => 'built', { ...plan, warmupCalls: 3, beforeSamples: 4 });
    expect(run.before).toEqual([4, 5, 6, 7]);
  });

  it("a reader's error is reported, never thrown past the build; a build's error is the caller's", async () => {
    let n = 0;
    const failing = load(async () => {
      n++;
      await sleep(2);
      if (n > 7) throw new Error('connection reset');
      return 2;
    });
    const { built, run } = await underLoad(failing, async () => (await sleep(40), 'built'), plan);
    expect(built).toBe('built');
    expect(run.errors).toEqual(['during the build: connection reset']);
    await expect(
      underLoad(
        load(async () => 1),
        () => Promise.reject(new Error('index build failed')),
        plan,
      ),
    ).rejects.toThrow('index build failed');
  });

  it('too few samples during the build: undecided, and says how many an interval needs', () => {
    const result = duringBuildResult(
      load(async () => 1),
      { before: [5, 5.1, 4.9, 5.2, 5, 5.1], during: [9], buildMs: 12, errors: [] },
    );
    if (result.state !== 'measured') throw new Error('not measured');
    expect(result.slowdown).toEqual({
      state: 'insufficient',
      reason: '1 sample(s) during the build and 6 before it: an interval needs at least 3 during and 5 before',
      ratio: expect.any(Number),
    });
  });
});
