import { describe, expect, it } from 'vitest';
import { dearCallsPlanned, defaultRoutePlan, type RouteSide } from '../../src/route-engine/measure.js';
import type { RouteCall } from '../../src/route-engine/call.js';
import { speedupBounds } from '../../src/timing/bounds.js';

const call = { phases: { total: 8_000 }, commands: [], overLimit: false, overheadMs: 0 } as unknown as RouteCall;
const side = (userClass: string, overLimit = false): RouteSide => ({
  userClass,
  input: { user: { id: userClass, class: userClass }, params: {} },
  calls: overLimit ? [] : [call],
  commands: [],
  overLimit,
  dear: true,
});

describe("a dear route's calls per round", () => {
  it('is one in the first round: the capture is its first timed call', () => {
    expect(dearCallsPlanned(defaultRoutePlan, side('typical'), undefined)).toBe(1);
  });

  it('tops the only class measured in the first round up to three calls (the others over the limit)', () => {
    const first = [side('typical'), side('heavy', true), side('heaviest', true)];
    expect(dearCallsPlanned(defaultRoutePlan, first[0] as RouteSide, first)).toBe(2);
  });

  it('adds one call per class when two classes or more were measured: two each already pool 2 degrees of freedom', () => {
    const two = [side('typical'), side('heavy'), side('heaviest', true)];
    expect(dearCallsPlanned(defaultRoutePlan, two[0] as RouteSide, two)).toBe(1);
    const three = [side('typical'), side('heavy'), side('heaviest')];
    expect(dearCallsPlanned(defaultRoutePlan, three[2] as RouteSide, three)).toBe(1);
  });

  it('leaves the speedup an interval in each case, from the calls it plans', () => {
    const after = [0.003, 0.0031, 0.0029, 0.003, 0.0032, 0.0028];
    const interval = (before: number[][]) =>
      speedupBounds({ classes: before.map((b, i) => ({ key: `c${i}`, before: b, after })) }).map((b) => b.state);
    // One class measured, three calls; two classes, two calls each; three classes, two calls each.
    expect(interval([[8.1, 8.7, 8.4]])).toEqual(['measured']);
    expect(
      interval([
        [4.6, 4.8],
        [8.6, 8.7],
      ]),
    ).toEqual(['measured', 'measured']);
    expect(
      interval([
        [4.6, 4.8],
        [8.6, 8.7],
        [8.8, 8.9],
      ]),
    ).toEqual(['measured', 'measured', 'measured']);
    // One class measured with two calls: too few degrees of freedom, which the top-up is for.
    expect(interval([[8.1, 8.7]])).toEqual(['insufficient']);
  });
});
