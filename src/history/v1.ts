import { z } from 'zod';
import { driverRoute, measureKey, type MeasureStats, type RunRecord } from './record.js';
import { type UserClass, userClasses } from '../users/user-classes.js';

/**
 * The version-1 history file: one JSON document `{ version: 1, runs: [...] }` with each
 * run's driver-route p50 per user class and its gated patterns' plans.
 *
 * Version-1 files are read, not refused: a CI cache that holds one keeps working and its
 * nights stay visible in `history show`. Their runs lack most of what comparability needs
 * (baseline, index set, routes, machine) and any samples, so those keys are unknown (null)
 * and a converted run is never compared with anything; the first new run rewrites the file
 * as JSON Lines (see store.ts), after which it is a version-2 file like any other.
 */

export const version1EntrySchema = z.object({
  runId: z.string(),
  finishedAt: z.string(),
  passed: z.boolean(),
  fingerprint: z.string(),
  mongodVersion: z.string(),
  topology: z.string(),
  underWine: z.boolean(),
  commit: z.string().nullable(),
  route: z.record(z.string(), z.object({ afterP50: z.number(), afterP95: z.number(), speedup: z.number().nullable() })),
  patterns: z.record(
    z.string(),
    z.object({ afterP50: z.number().nullable(), docsExamined: z.number(), keysExamined: z.number(), indexName: z.string().nullable() }),
  ),
});
export const version1Schema = z.object({ version: z.literal(1), runs: z.array(version1EntrySchema) }).strict();

export type Version1Entry = z.infer<typeof version1EntrySchema>;

/** A version-1 document? (`{ version: 1, runs }`; a JSON Lines record has a `type`.) */
export function looksLikeVersion1(json: unknown): boolean {
  return (
    typeof json === 'object' && json !== null && !Array.isArray(json) && (json as { version?: unknown }).version === 1 && 'runs' in json
  );
}

/** A version-1 run as a run record: what it knew, every other key unknown. */
export function fromVersion1(entry: Version1Entry): RunRecord {
  const measures: Record<string, MeasureStats> = {};
  for (const [userClass, route] of Object.entries(entry.route)) {
    if (!isUserClass(userClass) || !(route.afterP50 > 0)) continue;
    measures[measureKey(driverRoute, userClass)] = {
      route: driverRoute,
      userClass,
      gated: true,
      samplesMs: [],
      median: route.afterP50,
      logMean: null,
      logSd: null,
    };
  }
  return {
    type: 'run',
    version: 2,
    runId: entry.runId,
    finishedAt: entry.finishedAt,
    verdict: entry.passed ? 'pass' : 'fail',
    tool: { version: null, commit: entry.commit },
    setting: {
      fingerprint: entry.fingerprint,
      // "ig1-medium-1-3fa2…": the scale is the fingerprint's second part.
      scale: /^ig\d+-([a-z]+)-/.exec(entry.fingerprint)?.[1] ?? null,
      baseline: null,
      indexSet: null,
      routes: null,
      mongodVersion: entry.mongodVersion,
      topology: entry.topology,
      underWine: entry.underWine,
      platform: null,
      arch: null,
      cpuModel: null,
      cpus: null,
    },
    machine: { memoryGb: null, node: null },
    measures,
    plans: Object.fromEntries(
      Object.entries(entry.patterns).map(([key, p]) => [
        key,
        { indexName: p.indexName, docsExamined: p.docsExamined, keysExamined: p.keysExamined, p50: p.afterP50 },
      ]),
    ),
    unmeasured: [],
    migratedFrom: 1,
  };
}

function isUserClass(name: string): name is UserClass {
  return (userClasses as readonly string[]).includes(name);
}
