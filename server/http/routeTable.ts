import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { answeredMethods, contract } from '../../contract/index.js';
import { routeMetaOf } from '../../contract/routeMeta.js';

/**
 * Routes a browser calls cross-origin (`cors` in the contract's route metadata); everything else
 * (notably `user-token`) sends no CORS headers.
 */
export const CORS_ROUTE_KEYS: ReadonlySet<string> = new Set(
  Object.entries(contract as Record<string, AppRoute | AppRouter>).flatMap(([key, route]) =>
    isAppRoute(route) && routeMetaOf(route)?.cors === true ? [key] : [],
  ),
);

export interface RouteInfo {
  key: string;
  method: AppRoute['method'];
  path: string;
  cors: boolean;
}

/** Every contract route by path: what the 404/405 and CORS middleware consult. */
export const routesByPath: ReadonlyMap<string, RouteInfo> = new Map(
  Object.entries(contract as Record<string, AppRoute | AppRouter>).flatMap(([key, route]): [string, RouteInfo][] =>
    isAppRoute(route)
      ? [[route.path, { key, method: route.method, path: route.path, cors: CORS_ROUTE_KEYS.has(key) }]]
      : [],
  ),
);

/** The `Allow` header for a path (RFC 9110 §10.2.1). */
export function allowHeader(route: RouteInfo): string {
  return answeredMethods(route).join(', ');
}
