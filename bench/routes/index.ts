import type { RouteModel } from '../../src/routes/model.js';
import { prismaRoute } from './prisma.js';
import { prismaRewriteRoute } from './prisma-rewrite.js';

/**
 * The route models `bench --route` chooses from. `driver` is the pattern-based route of
 * bench/route.ts (what an optimised service sends with the driver), measured by the pattern
 * pipeline; the others are command lists measured by src/routes/. Adding one: a file here
 * exporting a `RouteModel`, and a line in `routeModels` (`--route` then accepts its id).
 */
export const routeModels: Readonly<Record<string, RouteModel>> = {
  prisma: prismaRoute,
};

/** What `--route` accepts: a model, the driver route, or all of them. */
export const routeChoices: readonly string[] = [...Object.keys(routeModels), 'driver', 'all'];
export type RouteChoice = string;

/** The default: the application's route and the driver's, side by side: the sign-off is about the application. */
export const defaultRouteChoice: RouteChoice = 'all';

/** The application's route is remedied by a rewrite (measured with the remedy indexes). */
export const applicationRoute = { id: 'prisma', rewrite: prismaRewriteRoute } as const;

export function selectedRouteModels(choice: RouteChoice): { driver: boolean; models: RouteModel[] } {
  if (choice === 'driver') return { driver: true, models: [] };
  if (choice === 'all') return { driver: true, models: Object.values(routeModels) };
  const model = routeModels[choice];
  if (!model) throw new Error(`unknown route model ${choice}`);
  return { driver: false, models: [model] };
}
