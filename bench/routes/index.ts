import { routeOf } from '../../src/routes/load.js';
import type { Route } from '../../src/routes/route.js';
import conversations from './conversations.js';
import conversationsDriver from './conversations-driver.js';
import conversationsRewrite from './conversations-rewrite.js';

/**
 * The built-in routes: route files like any a team writes (`--route-file`), loaded the same
 * way. `--route` chooses among them by id; `all` (the default) measures the application's
 * route and the driver model side by side. The application's route is remedied by the
 * rewrite, measured with the remedy indexes.
 */
/** Named by their source, relative to indexgate's folder: the file a reader opens (the run itself loads the compiled module). */
const file = (name: string) => `bench/routes/${name}`;

export const builtInRoutes: readonly Route[] = [routeOf(conversations, file('conversations.ts')), routeOf(conversationsDriver, file('conversations-driver.ts'))];

export const rewriteRoute: Route = routeOf(conversationsRewrite, file('conversations-rewrite.ts'));

/** The route the remedies are for, and the rewrite that remedies it. */
export const applicationRoute = { id: 'prisma', rewrite: rewriteRoute } as const;

/** What `--route` accepts: a built-in route's id, or all of them. */
export const routeChoices: readonly string[] = [...builtInRoutes.map((r) => r.id), 'all'];
export type RouteChoice = string;
export const defaultRouteChoice: RouteChoice = 'all';

export function selectedRoutes(choice: RouteChoice): Route[] {
  if (choice === 'all') return [...builtInRoutes];
  const route = builtInRoutes.find((r) => r.id === choice);
  if (!route) throw new Error(`unknown route ${choice}`);
  return [route];
}
