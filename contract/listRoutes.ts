import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { routeMetaOf, type RouteMeta } from './routeMeta.js';

/** One route of the contract with what the server and the document generator read from it. */
export interface ContractRoute {
  /** The router key; nested routers join their keys with `.` (the OpenAPI `operationId`). */
  key: string;
  method: AppRoute['method'];
  path: string;
  route: AppRoute;
  /** The route's checked metadata, or `undefined` for a route declared without any. */
  meta: RouteMeta | undefined;
  /** Called by pages cross-origin: answers preflights and sends CORS headers. */
  cors: boolean;
}

/**
 * Every route of a ts-rest router, depth-first in declaration order. The one walk of the
 * contract: the server's route table, its contract audit and the OpenAPI document all use it.
 */
export function listRoutes(router: AppRouter, prefix: readonly string[] = []): ContractRoute[] {
  return Object.entries(router).flatMap(([name, value]): ContractRoute[] => {
    const keys = [...prefix, name];
    if (!isAppRoute(value)) return listRoutes(value, keys);
    const meta = routeMetaOf(value);
    return [
      { key: keys.join('.'), method: value.method, path: value.path, route: value, meta, cors: meta?.cors === true },
    ];
  });
}
