import { ExplainPlan } from '@mongodb-js/explain-plan-helper';
import type { Document } from 'mongodb';
import type { LatencyStats } from '../timing/stats.js';

/** A $lookup's own work, as explain reports it (the joined collection is read once per input document). */
export interface LookupSummary {
  readonly from: string;
  readonly collectionScans: number;
  readonly indexesUsed: readonly string[];
  readonly totalDocsExamined: number;
  readonly totalKeysExamined: number;
  /** Documents that entered the $lookup (its nReturned; absent when it absorbed an $unwind or the explain did not execute). */
  readonly docsIn?: number;
  /** The server's estimate of the time up to the end of the $lookup, the stages before it included (ms; executionStats only). */
  readonly timeMs?: number;
}

/** One shard's part of a sharded plan. */
export interface ShardPlan {
  readonly shard: string;
  readonly stages: readonly string[];
  readonly indexName: string | null;
  readonly collscan: boolean;
  readonly blockingSort: boolean;
  readonly totalKeysExamined: number;
  readonly totalDocsExamined: number;
  readonly nReturned: number;
}

/** The winning plan as a small tree, for drawing: aggregation stages wrap the query layer's plan. */
export interface PlanNode {
  readonly stage: string;
  readonly detail?: string;
  readonly nReturned?: number;
  readonly docsExamined?: number;
  readonly keysExamined?: number;
  readonly children: readonly PlanNode[];
}

/** What the winning plan does, whatever the engine (classic or slot-based) and topology. */
export interface PlanSummary {
  readonly tree: PlanNode;
  readonly engine: 'classic' | 'sbe';
  /** Winning plan stages, root first: aggregation stages (last first), then the query layer's. */
  readonly stages: readonly string[];
  /** The index serving the pattern's own collection (for a $lookup pattern: the joined collection). */
  readonly indexName: string | null;
  /** Every index the plan reads, $lookup's included. */
  readonly indexesUsed: readonly string[];
  readonly totalKeysExamined: number;
  readonly totalDocsExamined: number;
  /** Documents the query returned to the client. */
  readonly nReturned: number;
  /** A collection scan anywhere (main plan, a shard, or a $lookup reading its collection without index). */
  readonly collscan: boolean;
  /** A SORT stage that must read all its input before returning (not SORT_MERGE, not a merge on mongos). */
  readonly blockingSort: boolean;
  /** Documents entering the largest blocking sort (null when none, or unknown). */
  readonly sortedDocs: number | null;
  /** Answered from the index alone: no document of the pattern's collection fetched. */
  readonly covered: boolean;
  readonly sharded: boolean;
  readonly shards: readonly ShardPlan[];
  readonly lookups: readonly LookupSummary[];
}

type Stage = Record<string, unknown> & { stage?: string };

const indexStages = new Set(['IXSCAN', 'DISTINCT_SCAN', 'COUNT_SCAN', 'EXPRESS_IXSCAN']);
const idStages = new Set(['IDHACK', 'EXPRESS_IDHACK']);
const scanStages = new Set(['COLLSCAN', 'CLUSTERED_IXSCAN', 'EXPRESS_CLUSTERED_IXSCAN']);

/**
 * Reads an explain("executionStats") output: find or aggregate, classic or slot-based
 * engine (explainVersion "2"), standalone, replica set or sharded. The Compass helper
 * normalises the formats and totals; this adds what the gate needs: stages in order,
 * the index on the pattern's collection, $lookup work, blocking sorts.
 *
 * `collection` names the collection whose index matters (for a pattern that joins with
 * $lookup, the joined collection).
 */
export function analyzeExplain(explain: Document, collection?: string): PlanSummary {
  const plan = new ExplainPlan(explain as never);
  const engine = detectEngine(explain);
  const pipeline = pipelineStages(explain);
  const lookups = pipeline.flatMap((s) => lookupSummary(s));
  const root = (plan.executionStats?.executionStages ?? plan.winningPlan) as Stage | undefined;
  const shards = plan.isSharded ? shardPlans(root) : [];

  const queryStages = root ? walk(root) : [];
  const mainStages = plan.isSharded
    ? [String(root?.stage ?? 'SHARD_MERGE'), ...(shards[0]?.stages ?? [])]
    : queryStages.map((s) => String(s.stage));
  const pipelineNames = pipeline.slice(1).map(stageName).reverse();
  const stages = [...pipelineNames, ...mainStages.filter((s) => s !== 'undefined')];

  const mainIndexes = unique(queryStages.flatMap(indexOf));
  const eqLookups = queryStages.filter((s) => s.stage === 'EQ_LOOKUP');
  const lookupIndexes = lookups.flatMap((l) => l.indexesUsed);
  const eqLookupIndexes = eqLookups
    .map((s) => (typeof s.indexName === 'string' ? s.indexName : null))
    .filter((s): s is string => s !== null);
  const namespace = typeof plan.namespace === 'string' ? plan.namespace.slice(plan.namespace.indexOf('.') + 1) : undefined;
  const targetIsJoined = collection !== undefined && collection !== namespace;
  const joined = lookups.find((l) => l.from === collection);
  const eqJoined = eqLookups.find(
    (s) => s.foreignCollection === collection || String(s.foreignCollection ?? '').endsWith(`.${collection}`),
  );
  const indexName = targetIsJoined
    ? (joined?.indexesUsed[0] ?? (typeof eqJoined?.indexName === 'string' ? eqJoined.indexName : null))
    : (mainIndexes[0] ?? null);

  const sorts = queryStages.filter((s) => s.stage === 'SORT');
  const pipelineSort = pipeline.slice(1).some((s) => stageName(s) === '$sort');
  const eqLookupScans = eqLookups.some((s) => s.strategy === 'NestedLoopJoin' || s.strategy === 'HashJoin');
  const lookupDocs = lookups.reduce((n, l) => n + l.totalDocsExamined, 0);
  const lookupKeys = lookups.reduce((n, l) => n + l.totalKeysExamined, 0);

  const queryTree = root ? toTree(root) : { stage: 'EOF', children: [] };
  const tree = pipeline
    .slice(1)
    .reduce<PlanNode>((child, stage) => ({ stage: stageName(stage), ...pipelineDetail(stage), children: [child] }), queryTree);
  return {
    tree,
    engine,
    stages,
    indexName,
    indexesUsed: unique([
      ...mainIndexes,
      ...lookupIndexes,
      ...eqLookupIndexes,
      ...shards.flatMap((s) => (s.indexName ? [s.indexName] : [])),
    ]),
    totalKeysExamined: (plan.totalKeysExamined ?? 0) + lookupKeys,
    totalDocsExamined: (plan.totalDocsExamined ?? 0) + lookupDocs,
    nReturned: plan.nReturned ?? 0,
    collscan:
      queryStages.some((s) => scanStages.has(String(s.stage))) ||
      lookups.some((l) => l.collectionScans > 0) ||
      eqLookupScans ||
      shards.some((s) => s.collscan),
    blockingSort: sorts.length > 0 || pipelineSort || shards.some((s) => s.blockingSort),
    sortedDocs: sorts.length > 0 ? Math.max(...sorts.map(sortInput)) : null,
    covered:
      !targetIsJoined &&
      mainIndexes.length > 0 &&
      !queryStages.some((s) => s.stage === 'FETCH' || scanStages.has(String(s.stage))) &&
      (plan.totalDocsExamined ?? 0) === 0,
    sharded: plan.isSharded,
    shards,
    lookups,
  };
}

function detectEngine(explain: Document): 'classic' | 'sbe' {
  if (String(explain.explainVersion) === '2') return 'sbe';
  const text = JSON.stringify(explain.shards ?? explain.queryPlanner ?? {});
  return text.includes('"slotBasedPlan"') || text.includes('"explainVersion":"2"') ? 'sbe' : 'classic';
}

function pipelineStages(explain: Document): Document[] {
  if (Array.isArray(explain.stages)) return explain.stages as Document[];
  // Sharded aggregation: read the first shard's pipeline (the others run the same one).
  const shards = explain.shards as Record<string, Document> | undefined;
  const first = shards ? Object.values(shards)[0] : undefined;
  return Array.isArray(first?.stages) ? (first.stages as Document[]) : [];
}

function stageName(stage: Document): string {
  return Object.keys(stage).find((k) => k.startsWith('$')) ?? 'unknown';
}

function lookupSummary(stage: Document): LookupSummary[] {
  const spec = stage.$lookup as Document | undefined;
  if (!spec) return [];
  return [
    {
      from: String(spec.from),
      collectionScans: Number(stage.collectionScans ?? 0),
      indexesUsed: Array.isArray(stage.indexesUsed) ? stage.indexesUsed.map(String) : [],
      totalDocsExamined: Number(stage.totalDocsExamined ?? 0),
      totalKeysExamined: Number(stage.totalKeysExamined ?? 0),
      ...(typeof stage.nReturned === 'number' && !spec.unwinding ? { docsIn: stage.nReturned } : {}),
      ...(typeof stage.executionTimeMillisEstimate === 'number' ? { timeMs: stage.executionTimeMillisEstimate } : {}),
    },
  ];
}

/** Depth-first, root first: the order in which plans are usually read. */
function walk(root: Stage): Stage[] {
  const out: Stage[] = [];
  const visit = (stage: Stage) => {
    if (typeof stage.stage === 'string') out.push(stage);
    for (const child of ExplainPlan.getChildStages(stage as never)) visit(child as Stage);
  };
  visit(root);
  return out;
}

function indexOf(stage: Stage): string[] {
  if (idStages.has(String(stage.stage))) return ['_id_'];
  if (indexStages.has(String(stage.stage)) && typeof stage.indexName === 'string') return [stage.indexName];
  return [];
}

function sortInput(sort: Stage): number {
  const input = sort.inputStage as Stage | undefined;
  const n = Number(input?.nReturned ?? sort.nReturned ?? NaN);
  return Number.isFinite(n) ? n : 0;
}

function shardPlans(root: Stage | undefined): ShardPlan[] {
  const shards = (root?.shards as Stage[] | undefined) ?? [];
  return shards.map((shard) => {
    const exec = (shard.executionStages as Stage | undefined) ?? (shard.winningPlan as Stage | undefined);
    const stages = exec ? walk(exec) : [];
    return {
      shard: String(shard.shardName ?? 'unknown'),
      stages: stages.map((s) => String(s.stage)),
      indexName: stages.flatMap(indexOf)[0] ?? null,
      collscan: stages.some((s) => scanStages.has(String(s.stage))),
      blockingSort: stages.some((s) => s.stage === 'SORT'),
      totalKeysExamined: Number(shard.totalKeysExamined ?? 0),
      totalDocsExamined: Number(shard.totalDocsExamined ?? 0),
      nReturned: Number(shard.nReturned ?? 0),
    };
  });
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function toTree(stage: Stage): PlanNode {
  const children = [...ExplainPlan.getChildStages(stage as never)].map((c) => c as Stage);
  const name = typeof stage.stage === 'string' ? stage.stage : typeof stage.shardName === 'string' ? `shard ${stage.shardName}` : 'stage';
  const detail = [
    typeof stage.indexName === 'string' ? stage.indexName : null,
    stage.strategy ? String(stage.strategy) : null,
    typeof stage.foreignCollection === 'string' ? `from ${stage.foreignCollection}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const node: PlanNode = {
    stage: name,
    ...(detail ? { detail } : {}),
    ...(num(stage.nReturned) !== undefined ? { nReturned: num(stage.nReturned) } : {}),
    ...(num(stage.docsExamined ?? stage.totalDocsExamined) !== undefined
      ? { docsExamined: num(stage.docsExamined ?? stage.totalDocsExamined) }
      : {}),
    ...(num(stage.keysExamined ?? stage.totalKeysExamined) !== undefined
      ? { keysExamined: num(stage.keysExamined ?? stage.totalKeysExamined) }
      : {}),
    children: children.map(toTree),
  };
  return node;
}

function pipelineDetail(stage: Document): Partial<PlanNode> {
  const lookup = stage.$lookup as Document | undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  if (lookup) {
    const indexes = Array.isArray(stage.indexesUsed) ? stage.indexesUsed.join(', ') : '';
    const scans = Number(stage.collectionScans ?? 0);
    return {
      detail: `from ${String(lookup.from)}: ${scans > 0 ? `${scans} collection scan(s)` : indexes ? `index ${indexes}` : 'no index'}`,
      ...(num(stage.totalDocsExamined) !== undefined ? { docsExamined: num(stage.totalDocsExamined) } : {}),
      ...(num(stage.totalKeysExamined) !== undefined ? { keysExamined: num(stage.totalKeysExamined) } : {}),
      ...(num(stage.nReturned) !== undefined ? { nReturned: num(stage.nReturned) } : {}),
    };
  }
  return num(stage.nReturned) !== undefined ? { nReturned: num(stage.nReturned) } : {};
}

/** One pattern's plan and cost in one state (before or after the six indexes). */
export interface Measurement {
  /** Winning plan, root first, e.g. ["LIMIT","FETCH","IXSCAN"]. */
  stages: string[];
  indexName: string | null;
  totalKeysExamined: number;
  totalDocsExamined: number;
  nReturned: number;
  /** Absent in `explain` output (plans only). */
  latencyMs?: LatencyStats;
  engine: 'classic' | 'sbe';
  collscan: boolean;
  blockingSort: boolean;
  sortedDocs: number | null;
  covered: boolean;
  indexesUsed: string[];
  /** Key pattern of `indexName` on the server (how equivalence by key is judged). */
  indexKey: Record<string, number> | null;
  /** Server-side execution time reported by explain (ms). */
  explainMs: number | null;
  /**
   * Set when explain("executionStats") did not finish within the run's maxTimeMS (ms): the plan is
   * the one the planner chose (explain "queryPlanner", nothing executed) and the counts are unknown (0).
   */
  overLimitMs?: number;
  lookups?: LookupSummary[];
  shards?: ShardPlan[];
  /** The winning plan as a tree (aggregation stages above the query layer's plan). */
  tree?: PlanNode;
}
