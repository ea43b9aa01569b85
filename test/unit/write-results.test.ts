import { describe, expect, it } from 'vitest';
import type { WriteSide } from '../../src/run/measure-writes.js';
import { writeChecks, writeResults } from '../../src/run/write-results.js';

const side = (samplesMs: number[], messageKeys: number): WriteSide => ({
  samplesMs,
  stepMs: { 'message.create': samplesMs.map((ms) => ms / 2) },
  keys: [
    { collection: 'Message', inserted: messageKeys, deleted: 0 },
    { collection: 'Conversation', inserted: 0, deleted: 0 },
  ],
  steps: [{ step: 'message.create', kind: 'insert', collection: 'Message' }],
  effects: [],
});
const run = (before: number[], after: number[]) => ({
  id: 'send-message',
  title: 'send',
  file: 'bench/routes/send-message.ts',
  before: side(before, 1),
  after: side(after, 2),
});
const around = (ms: number) => [0.98, 1.01, 0.99, 1.02, 1, 0.97, 1.03, 1, 0.99, 1.01, 1, 1.02].map((f) => f * ms);

describe('write results and their check', () => {
  it('reports the keys the set adds per call, collections it does not touch left out', () => {
    const [r] = writeResults([run(around(10), around(10))]);
    expect(r?.extraKeys).toEqual([{ collection: 'Message', inserted: 1, deleted: 0 }]);
    expect(r?.steps).toEqual([{ step: 'message.create', kind: 'insert', collection: 'Message', beforeMs: 5, afterMs: 5 }]);
  });

  it('passes a slowdown whose interval stays within the allowed one, fails one beyond it, and leaves a straddling one undecided', () => {
    const outcome = (after: number[]) => writeChecks(writeResults([run(around(10), after)]), 1.25)[0]?.outcome;
    expect(outcome(around(10.5))).toBe('pass');
    expect(outcome(around(20))).toBe('fail');
    // Noisy calls around the allowed ratio: the interval straddles it.
    expect(outcome([9, 16, 12, 14, 10, 17, 11, 15, 13, 12, 16, 10])).toBe('inconclusive');
  });

  it('is undecided, never passed, when the samples cannot bound the slowdown; no threshold, no check', () => {
    const [check] = writeChecks(writeResults([run([10, 11], around(10))]), 1.25);
    expect(check?.outcome).toBe('inconclusive');
    expect(check?.passed).toBe(false);
    expect(writeChecks(writeResults([run(around(10), around(10))]), undefined)).toEqual([]);
  });
});
