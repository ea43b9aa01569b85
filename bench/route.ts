import type { Document, ObjectId } from 'mongodb';
import { defaultPageSize, defaultPageType, type PatternContext, type PatternId, patterns, type QueryPattern } from './patterns.js';

/**
 * How the route composes the patterns, as the application logs it:
 * phase 1 `conversationsQuery` (memberships, then the page, then the page's last
 * messages, members and preferences at once), then phase 2 `parallelQueries` (member
 * users, read cursors and the total count at once). `total` is both.
 */
export interface RouteRequest {
  readonly userId: ObjectId;
  readonly limit?: number;
  readonly offset?: number;
  /** `&type=`: filter the page (and the count) by conversation type. */
  readonly type?: PatternContext['pageType'] | undefined;
}

/** Milliseconds per phase of one call, as `[CONVERSATIONS_PERF]` logs them. */
export interface RoutePhasesMs {
  conversationsQuery: number;
  parallelQueries: number;
  total: number;
}

export interface RouteCall {
  readonly phases: RoutePhasesMs;
  /** What the route had in hand: the ids every pattern is built from. */
  readonly context: PatternContext;
  readonly pageSize: number;
}

/** Runs one pattern and returns its documents; the bench and verify pass the driver, tests may pass fakes. */
export type RunPattern = (pattern: QueryPattern, ctx: PatternContext) => Promise<Document[]>;

const byId = new Map(patterns.map((p) => [p.id, p as QueryPattern]));
export function pattern(id: PatternId): QueryPattern {
  const found = byId.get(id);
  if (!found) throw new Error(`unknown pattern ${id}`);
  return found;
}

export async function callRoute(run: RunPattern, request: RouteRequest, now: () => number = () => performance.now()): Promise<RouteCall> {
  let ctx: PatternContext = {
    userId: request.userId,
    membershipIds: [],
    pageIds: [],
    pageType: request.type ?? defaultPageType,
    filterType: request.type,
    memberUserIds: [],
    limit: Math.min(request.limit ?? defaultPageSize, 50),
    offset: request.offset ?? 0,
  };
  const started = now();
  const memberships = await run(pattern('memberships'), ctx);
  ctx = { ...ctx, membershipIds: memberships.map((m) => m.conversationId as ObjectId) };
  const page = await run(pattern(request.type ? 'conversationsPageByType' : 'conversationsPage'), ctx);
  ctx = { ...ctx, pageIds: page.map((c) => c._id as ObjectId) };
  const [, members] = await Promise.all([run(pattern('lastMessage'), ctx), run(pattern('pageMembers'), ctx), run(pattern('preferences'), ctx)]);
  const memberUserIds = new Map<string, ObjectId>();
  for (const group of members) for (const m of (group.members as Array<{ userId: ObjectId }>) ?? []) memberUserIds.set(m.userId.toHexString(), m.userId);
  ctx = { ...ctx, memberUserIds: [...memberUserIds.values()] };
  const phase1Done = now();
  await Promise.all([
    run(pattern('memberUsers'), ctx),
    run(pattern('readCursors'), ctx),
    ...(ctx.offset === 0 ? [run(pattern('conversationsCount'), ctx)] : []),
  ]);
  const finished = now();
  return {
    phases: { conversationsQuery: phase1Done - started, parallelQueries: finished - phase1Done, total: finished - started },
    context: ctx,
    pageSize: page.length,
  };
}
