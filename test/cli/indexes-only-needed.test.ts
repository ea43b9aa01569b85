import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runbookIndexes } from '../../indexes/runbook.js';
import { resultSchemaVersion } from '../../src/result.js';
import { expectOneLineRefusal, runCli } from '../support/cli.js';

/** `indexes script --only-needed --result <result.json>`: a bad result is one line, exit 2, and no script. */

/** The smallest document `loadResult` takes for a bench result of the six, with or without a price. */
function result(price: unknown, indexes = runbookIndexes): Record<string, unknown> {
  return {
    schemaVersion: resultSchemaVersion,
    command: 'bench',
    runId: 'r1',
    startedAt: '2026-11-30T10:00:00Z',
    finishedAt: '2026-11-30T10:05:00Z',
    environment: { mongodVersion: '7.0.15', topology: 'standalone', machine: {} },
    dataset: { fingerprint: 'f', counts: {} },
    indexes: indexes.map(({ name, collection, key }) => ({ name, collection, key, status: 'created', buildMs: 1 })),
    patterns: [],
    routes: [],
    gate: { verdict: 'pass', passed: true, failures: [], inconclusive: [], checks: [] },
    thresholds: { source: 'test' },
    timings: {},
    notes: [],
    ...(price === undefined ? {} : { price }),
  };
}

const price = {
  cacheBytes: null,
  cacheOf: { kind: 'target' },
  indexesFitCache: null,
  collections: [],
  setBytes: 0,
  neededCheck: { checked: true, explains: 6, ms: 900, rule: { factor: 2, floor: 100 }, limitMs: 10_000 },
  indexes: runbookIndexes.map((s) => ({
    name: s.name,
    collection: s.collection,
    serverName: s.name,
    sizeBytes: 1,
    usedBy: [],
    verdict: s.name === 'idx_userprefs_user_conv' ? 'redundant' : s.name === 'idx_member_user_active_conv' ? 'unused' : 'needed',
    ...(s.name === 'idx_userprefs_user_conv'
      ? { redundantWith: { name: 'UserConversationPreferences_userId_conversationId_key', reason: 'same key' } }
      : {}),
  })),
};

let dir: string;
const file = async (name: string, content: unknown) => {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'indexgate-only-needed-'));
});

describe('indexes script --only-needed', () => {
  it('leaves out what the result judged redundant or unused, a comment for each', async () => {
    const path = await file('good.json', result(price));
    const run = await runCli(['indexes', 'script', '--only-needed', '--result', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('the 4 performance indexes');
    expect(run.stdout).toContain(`// --only-needed: 2 index(es) left out, as judged by ${path}:`);
    expect(run.stdout).toContain(
      '//   left out idx_userprefs_user_conv on UserConversationPreferences: redundant with UserConversationPreferences_userId_conversationId_key (same key)',
    );
    expect(run.stdout).toContain('//   left out idx_member_user_active_conv on ConversationMember: unused');
  });

  it('refuses bad input in one line, exit 2, nothing written', async () => {
    expectOneLineRefusal(await runCli(['indexes', 'script', '--only-needed']), /--only-needed needs --result <result\.json>/);
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--result', await file('alone.json', result(price))]),
      /--result is read only with --only-needed/,
    );
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--only-needed', '--result', join(dir, 'missing.json')]),
      /--result .*missing\.json: no such file/,
    );
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--only-needed', '--result', await file('broken.json', '{"schemaVersion": 3,')]),
      /--result .*broken\.json: /,
    );
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--only-needed', '--result', await file('other.json', { hello: 'world' })]),
      /--result .*other\.json: is not an indexgate result/,
    );
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--only-needed', '--result', await file('no-price.json', result(undefined))]),
      /--result .*no-price\.json: has no price section/,
    );
    // A result of the six, asked for another set.
    expectOneLineRefusal(
      await runCli(['indexes', 'script', '--set', 'remedies', '--only-needed', '--result', await file('six.json', result(price))]),
      /--result .*six\.json: judged another index set \(.*is not in it/,
    );
  });
});
