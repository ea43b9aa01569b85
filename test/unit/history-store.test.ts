import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { baselineFor, comparabilityKey } from '../../src/history/comparability.js';
import { conclude, failureKey, withAcceptedFailures } from '../../src/gate/evaluate.js';
import { type AcceptRecord, historyRecord, indexSetHash, recordable, type RunRecord } from '../../src/history/record.js';
import { acceptsOf, appendHistoryLine, parseHistory, readHistory, runsOf } from '../../src/history/store.js';
import type { GateCheck, Measurement, Phases, RouteResult, RunResult } from '../../src/result.js';

/** The history file: JSON Lines appended one record at a time, read strictly, version 1 converted. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-history-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function phases(samples: number[]): Phases {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
  const stats = { p50, p95: p50, p99: p50, mean: p50, min: p50, max: p50, samples: samples.length };
  return {
    total: p50,
    phases: { conversationsQuery: 1, parallelQueries: 1 },
    conversationsQuery: 1,
    parallelQueries: 1,
    latencyMs: { conversationsQuery: stats, parallelQueries: stats, total: stats },
    totalSamplesMs: samples,
  };
}

function measurement(indexName: string | null, docs: number): Measurement {
  return {
    stages: ['FETCH', 'IXSCAN'],
    indexName,
    totalKeysExamined: docs + 1,
    totalDocsExamined: docs,
    nReturned: docs,
    latencyMs: { p50: 1.5, p95: 2, p99: 2, mean: 1.6, min: 1, max: 3, samples: 20 },
    engine: 'classic',
    collscan: false,
    blockingSort: false,
    sortedDocs: null,
    covered: false,
    indexesUsed: indexName ? [indexName] : [],
    indexKey: null,
    explainMs: 0,
  };
}

/** A measured bench result: the driver route for two classes, the prisma model for two (one over its limit), two patterns. */
function result(): RunResult {
  const route = (id: string, userClass: 'typical' | 'heavy', samples: number[], overLimit: boolean): RouteResult => ({
    id,
    title: id,
    file: `bench/routes/${id}.ts`,
    userClass,
    user: { id: 'u', memberships: 10 },
    params: {},
    role: 'gated',
    after: phases(samples),
    overLimit: { before: false, after: overLimit, limitMs: 10_000 },
    commands: [],
    indexesUsed: [],
    indexesUnused: [],
  });
  return {
    schemaVersion: 3,
    command: 'bench',
    runId: '20260101-020000-small-ab12',
    startedAt: '2026-01-01T02:00:00.000Z',
    finishedAt: '2026-01-01T02:05:00.000Z',
    tool: { name: 'indexgate', version: '0.1.0', commit: 'a'.repeat(40) },
    environment: {
      mongodVersion: '7.0.15',
      topology: 'standalone',
      storageEngine: 'wiredTiger',
      target: 'embedded',
      mongodSource: 'system',
      underWine: false,
      machine: { platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz', memoryGb: 7.8, node: 'v20.19.0' },
    },
    dataset: { scale: 'small', seed: 1, baseline: 'bare', counts: {}, fingerprint: 'ig1-small-1-0123456789ab', origin: 'indexgate' },
    indexes: [
      {
        name: 'idx_b',
        collection: 'messages',
        key: { conversationId: 1, createdAt: -1 },
        status: 'created',
        buildMs: 10,
        existingName: 'idx_b',
        detail: '',
      },
      {
        name: 'idx_a',
        collection: 'cursors',
        key: { userId: 1 },
        status: 'missing',
        buildMs: 0,
        existingName: null,
        detail: 'left out of apply (--skip-index)',
      },
    ],
    patterns: [
      {
        id: 'readCursors',
        title: '',
        collection: 'cursors',
        gated: true,
        userClass: 'typical',
        intendedIndexes: [],
        after: measurement('idx_a', 6),
      },
      {
        id: 'adminScan',
        title: '',
        collection: 'users',
        gated: false,
        userClass: 'typical',
        intendedIndexes: [],
        after: measurement(null, 5000),
      },
    ],
    routes: [
      route('prisma', 'typical', [40, 44, 42], false),
      route('prisma', 'heavy', [900, 950], true),
      route('driver', 'typical', [10, 12, 11], false),
      route('driver', 'heavy', [], false),
    ],
    gate: { verdict: 'fail', passed: false, failures: [], inconclusive: [], checks: [] },
    thresholds: { source: 'default', values: {} },
    timings: {},
    notes: [],
  };
}

describe('the run record', () => {
  it('holds the setting, every valid measure with its statistics, and the gated plans', () => {
    const record = historyRecord(result(), { routes: { models: ['driver', 'prisma'] } });
    expect(record).toMatchObject({
      type: 'run',
      version: 3,
      runId: '20260101-020000-small-ab12',
      // A result that names no application (written before `--app`) is the application there was then.
      application: { name: 'meeshy@aa13b652', commit: 'aa13b652' },
      verdict: 'fail',
      tool: { version: '0.1.0', commit: 'a'.repeat(40) },
      setting: {
        fingerprint: 'ig1-small-1-0123456789ab',
        scale: 'small',
        baseline: 'bare',
        routes: ['driver', 'prisma'],
        mongodVersion: '7.0.15',
        topology: 'standalone',
        underWine: false,
        platform: 'linux',
        arch: 'x64',
        cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
        cpus: 2,
      },
      machine: { memoryGb: 7.8, node: 'v20.19.0' },
      plans: { 'readCursors|typical': { indexName: 'idx_a', docsExamined: 6, keysExamined: 7, p50: 1.5 } },
    });
    expect(Object.keys(record.measures).sort()).toEqual(['route:driver|typical', 'route:prisma|typical']);
    const m = record.measures['route:driver|typical'];
    expect(m).toMatchObject({ route: 'driver', userClass: 'typical', gated: true, samplesMs: [10, 12, 11], median: 11 });
    const logs = [10, 12, 11].map(Math.log);
    const mean = logs.reduce((s, x) => s + x, 0) / 3;
    expect(m?.logMean).toBeCloseTo(mean, 6);
    expect(m?.logSd).toBeCloseTo(Math.sqrt(logs.reduce((s, x) => s + (x - mean) ** 2, 0) / 2), 6);
    expect([...record.unmeasured].sort()).toEqual([
      'route:driver|heavy: no timed call',
      'route:prisma|heavy: a command reached its time limit after the indexes',
    ]);
    expect(recordable(record)).toBe(true);
  });

  it('marks a route not gated when the run did not judge it', () => {
    const record = historyRecord(result(), { routes: { models: ['prisma'] } });
    expect(record.setting.routes).toEqual(['prisma']);
    expect(record.measures['route:driver|typical']?.gated).toBe(false);
    expect(record.measures['route:prisma|typical']?.gated).toBe(true);
  });

  it('hashes the index set asked for: order and status do not matter, a key does', () => {
    const indexes = result().indexes;
    const hash = indexSetHash(indexes);
    expect(indexSetHash([...indexes].reverse())).toBe(hash);
    expect(indexSetHash(indexes.map((i) => ({ ...i, status: 'present' as const })))).toBe(hash);
    expect(indexSetHash(indexes.map((i) => (i.name === 'idx_b' ? { ...i, key: { createdAt: -1, conversationId: 1 } } : i)))).not.toBe(hash);
    expect(indexSetHash(indexes.slice(1))).not.toBe(hash);
  });
});

const run = (i: number): RunRecord => ({ ...historyRecord(result(), { routes: { models: ['driver', 'prisma'] } }), runId: `run-${i}` });
const accept: AcceptRecord = { type: 'accept', version: 2, runId: 'run-1', at: '2026-01-03T00:00:00.000Z', note: 'new mongod' };

describe('the history file', () => {
  it('is absent on the first night, then one JSON line per record, appended in order', async () => {
    const file = join(dir, 'series.jsonl');
    expect(await readHistory(file)).toEqual({ file, format: 'absent', lines: [] });
    await appendHistoryLine(await readHistory(file), run(0));
    await appendHistoryLine(await readHistory(file), run(1));
    await appendHistoryLine(await readHistory(file), accept);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(4);
    expect(text.endsWith('\n')).toBe(true);
    const history = await readHistory(file);
    expect(history.format).toBe('jsonl');
    expect(runsOf(history).map((r) => r.runId)).toEqual(['run-0', 'run-1']);
    expect(runsOf(history)[0]).toEqual(run(0));
    expect(acceptsOf(history)).toEqual([accept]);
  });

  it('refuses a line that is not JSON, naming the file and the line', async () => {
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, `${JSON.stringify(run(0))}\n${JSON.stringify(run(1))}\n{"type":"run","runId":\n`);
    const error = await readHistory(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ file, exitCode: 2 });
    expect((error as ConfigError).message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 3 is not valid JSON \\(.+\\); every line of a history is one JSON record$`,
      ),
    );
  });

  it('refuses a record that does not validate, naming the line and the field', () => {
    const bad = { ...run(1), measures: { 'route:driver|typical': { ...run(1).measures['route:driver|typical'], median: 'fast' } } };
    expect(() => parseHistory(`${JSON.stringify(run(0))}\n${JSON.stringify(bad)}\n`, 'h.jsonl')).toThrow(
      /^h\.jsonl: line 2 is not a valid run record \(measures\.route:driver\|typical\.median: .*number/,
    );
    expect(() => parseHistory(`${JSON.stringify({ type: 'note', text: 'hi' })}\n`, 'h.jsonl')).toThrow(
      /^h\.jsonl: line 1 is not an indexgate history record \(type: expected "run" or "accept", got "note"\)/,
    );
    expect(() => parseHistory('[1, 2]\n', 'h.jsonl')).toThrow(/line 1 is not an indexgate history record .*got none/);
    expect(() => parseHistory(`${JSON.stringify({ ...accept, commit: 'abc1234' })}\n`, 'h.jsonl')).toThrow(
      /line 1 is not a valid accept record \(.*either a runId or a commit/,
    );
    expect(() => parseHistory(`${JSON.stringify({ type: 'accept', version: 2, at: 'x', note: '' })}\n`, 'h.jsonl')).toThrow(
      /either a runId or a commit/,
    );
  });

  it('skips blank lines, and appends after a last line that lost its newline', async () => {
    expect(runsOf(parseHistory(`\n${JSON.stringify(run(0))}\n\n   \n${JSON.stringify(run(1))}\n`, 'h.jsonl'))).toHaveLength(2);
    const file = join(dir, 'unterminated.jsonl');
    await writeFile(file, JSON.stringify(run(0)));
    await appendHistoryLine(await readHistory(file), run(1));
    expect(runsOf(await readHistory(file)).map((r) => r.runId)).toEqual(['run-0', 'run-1']);
  });

  it('reads a version-1 file with unknown keys (never comparable), and rewrites it as JSON Lines on the next append', async () => {
    const file = join(dir, 'old.json');
    const entry = (i: number) => ({
      runId: `old-${i}`,
      finishedAt: `2025-12-0${i + 1}T02:00:00.000Z`,
      passed: i !== 1,
      fingerprint: 'ig1-small-1-0123456789ab',
      mongodVersion: '7.0.15',
      topology: 'standalone',
      underWine: false,
      commit: null,
      route: { typical: { afterP50: 480, afterP95: 700, speedup: 20 } },
      patterns: { 'readCursors|typical': { afterP50: 1.5, docsExamined: 6, keysExamined: 7, indexName: 'idx_a' } },
    });
    await writeFile(file, `${JSON.stringify({ version: 1, runs: [entry(0), entry(1)] }, null, 2)}\n`);
    const history = await readHistory(file);
    expect(history.format).toBe('version1');
    const [first, second] = runsOf(history);
    expect(first).toMatchObject({
      runId: 'old-0',
      verdict: 'pass',
      migratedFrom: 1,
      setting: {
        fingerprint: 'ig1-small-1-0123456789ab',
        scale: 'small',
        baseline: null,
        indexSet: null,
        routes: null,
        cpuModel: null,
        cpus: null,
      },
      measures: { 'route:driver|typical': { median: 480, samplesMs: [], logMean: null, logSd: null } },
      plans: { 'readCursors|typical': { indexName: 'idx_a', docsExamined: 6 } },
    });
    expect(second?.verdict).toBe('fail');
    expect(comparabilityKey(first as RunRecord)).toBeUndefined();

    await appendHistoryLine(history, run(0));
    const rewritten = await readHistory(file);
    expect(rewritten.format).toBe('jsonl');
    expect(runsOf(rewritten).map((r) => r.runId)).toEqual(['old-0', 'old-1', 'run-0']);
    expect(runsOf(rewritten)[0]).toEqual(first);
  });

  it('refuses a version-1 file that does not validate', () => {
    expect(() => parseHistory(JSON.stringify({ version: 1, runs: [{ runId: 'x' }] }), 'old.json')).toThrow(
      /^old\.json: is not a valid version-1 indexgate history \(runs\.0\.finishedAt/,
    );
  });
});

describe('accepted failures: reported every run, failing again only when new', () => {
  const check = (over: Partial<GateCheck>): GateCheck => ({
    check: 'plan',
    outcome: 'fail',
    passed: false,
    route: 'prisma',
    step: 'conversation.findMany',
    userClass: 'typical',
    message: 'COLLSCAN',
    ...over,
  });
  const gateOf = (checks: GateCheck[]) => conclude(checks);
  const known = check({});
  const other = check({ step: 'conversation.count' });
  const passed = check({
    check: 'index',
    outcome: 'pass',
    passed: true,
    route: undefined,
    step: undefined,
    index: 'idx_a',
    userClass: undefined,
  });

  it('a run records the keys of its failed checks; an accept of it accepts those, not others', () => {
    const accepted = historyRecord({ ...result(), runId: 'night-1', gate: gateOf([known, passed]) }, { routes: { models: ['prisma'] } });
    expect(accepted.failures).toEqual([failureKey(known)]);
    const accept: AcceptRecord = { type: 'accept', version: 2, runId: 'night-1', at: '2026-01-02T00:00:00Z', note: 'the known answer' };
    const tonight = historyRecord({ ...result(), runId: 'night-2' }, { routes: { models: ['prisma'] } });
    const base = baselineFor([accepted, accept], tonight);
    expect(base.accepted?.run.failures).toEqual([failureKey(known)]);
    const keys = new Set(base.accepted?.run.failures ?? []);

    // The same failure again: reported as accepted, the verdict passes.
    const same = withAcceptedFailures(gateOf([known, passed]), keys, 'night-1: the known answer');
    expect(same.verdict).toBe('pass');
    expect(same.failures).toEqual([]);
    expect(same.accepted?.map((f) => f.message)).toEqual(['COLLSCAN (accepted on night-1: the known answer)']);
    // Something else fails: the job fails for it, the known one stays reported as accepted.
    const worse = withAcceptedFailures(gateOf([known, other, passed]), keys, 'night-1: the known answer');
    expect(worse.verdict).toBe('fail');
    expect(worse.failures.map((f) => f.step)).toEqual(['conversation.count']);
    expect(worse.accepted).toHaveLength(1);
    // A regression the history finds is never accepted by an earlier accept.
    const regression = check({ check: 'regression', route: undefined, step: undefined, pattern: 'readCursors' });
    expect(withAcceptedFailures(gateOf([regression]), new Set([failureKey(regression)]), 'x').verdict).toBe('fail');
  });
});
