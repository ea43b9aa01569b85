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

function initialContext(request: RouteRequest): PatternContext {
  return {
    userId: request.userId,
    membershipIds: [],
    pageIds: [],
    pageType: request.type ?? defaultPageType,
    filterType: request.type,
    memberUserIds: [],
    limit: Math.min(request.limit ?? defaultPageSize, 50),
    offset: request.offset ?? 0,
  };
}

const withMemberships = (ctx: PatternContext, docs: Document[]): PatternContext => ({ ...ctx, membershipIds: docs.map((m) => m.conversationId as ObjectId) });
const withPage = (ctx: PatternContext, docs: Document[]): PatternContext => ({ ...ctx, pageIds: docs.map((c) => c._id as ObjectId) });

function withMembers(ctx: PatternContext, groups: Document[]): PatternContext {
  const users = new Map<string, ObjectId>();
  for (const group of groups) for (const m of (group.members as Array<{ userId: ObjectId }>) ?? []) users.set(m.userId.toHexString(), m.userId);
  return { ...ctx, memberUserIds: [...users.values()] };
}

const pagePattern = (request: RouteRequest) => pattern(request.type ? 'conversationsPageByType' : 'conversationsPage');

/** The ids the route works on for a user, without the route's other reads (cheap in every state). */
export async function routeContext(run: RunPattern, request: RouteRequest): Promise<{ context: PatternContext; pageSize: number }> {
  let ctx = initialContext(request);
  ctx = withMemberships(ctx, await run(pattern('memberships'), ctx));
  const page = await run(pagePattern(request), ctx);
  ctx = withPage(ctx, page);
  ctx = withMembers(ctx, await run(pattern('pageMembers'), ctx));
  return { context: ctx, pageSize: page.length };
}

export async function callRoute(run: RunPattern, request: RouteRequest, now: () => number = () => performance.now()): Promise<RouteCall> {
  let ctx = initialContext(request);
  const started = now();
  ctx = withMemberships(ctx, await run(pattern('memberships'), ctx));
  const page = await run(pagePattern(request), ctx);
  ctx = withPage(ctx, page);
  const [, members] = await Promise.all([run(pattern('lastMessage'), ctx), run(pattern('pageMembers'), ctx), run(pattern('preferences'), ctx)]);
  ctx = withMembers(ctx, members);
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
