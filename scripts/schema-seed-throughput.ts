/**
 * Generation alone, no server: the schema engine's documents per second beside the built-in
 * generator's, for the same seed, each document serialized to BSON as the loader does (so
 * the cost of the values' types counts).
 *
 *   npx tsx scripts/schema-seed-throughput.ts <schema.prisma> <schema-profile.json> [factor] [--builtin-scale medium]
 *
 * Prints one line per generator: documents, seconds (plan and generation apart), docs/s.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { BSON } from 'mongodb';
import { dataModelOf } from '../src/prisma/datamodel.js';
import { schemaDataset, unseedableReason } from '../src/schema-data/generate.js';
import { schemaProfileSchema } from '../src/schema-data/profile.js';
import type { DatasetDefinition } from '../src/workload.js';
import { builtInDataset } from '../seed/dataset.js';

const seed = 20260126;

function measure(name: string, dataset: DatasetDefinition, scale: string): void {
  const started = performance.now();
  const plan = dataset.plan(scale, seed);
  const planned = performance.now();
  let docs = 0;
  let bytes = 0;
  for (const [, doc] of dataset.generate(plan)) {
    docs++;
    bytes += BSON.serialize(doc).length;
  }
  const ended = performance.now();
  const seconds = (ended - planned) / 1000;
  console.log(
    `${name}: ${docs.toLocaleString('en-US')} docs (${(bytes / docs).toFixed(0)} B average), plan ${((planned - started) / 1000).toFixed(2)} s, generation ${seconds.toFixed(2)} s: ${Math.round(docs / seconds).toLocaleString('en-US')} docs/s`,
  );
}

async function main(): Promise<void> {
  const [schemaFile, profileFile, factorText] = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--builtin-scale');
  if (!schemaFile || !profileFile)
    throw new Error('usage: schema-seed-throughput.ts <schema.prisma> <schema-profile.json> [factor] [--builtin-scale medium]');
  const at = process.argv.indexOf('--builtin-scale');
  const builtInScale = at === -1 ? 'medium' : (process.argv[at + 1] ?? 'medium');
  const factor = Number(factorText ?? 1);
  const model = dataModelOf(await readFile(schemaFile, 'utf8'), schemaFile);
  const profile = schemaProfileSchema.parse(JSON.parse(await readFile(profileFile, 'utf8')));
  const reason = unseedableReason(model, profile, factor);
  if (reason) throw new Error(reason);
  measure(`schema engine (${profileFile} × ${factor})`, schemaDataset(model, profile, factor).dataset, 'profile');
  measure(`built-in ${builtInScale}`, builtInDataset, builtInScale);
}

await main();
