import { answeredMethods, contract, listRoutes, type ContractRoute } from '../../contract/index.js';

/** Every contract route by path: what the 404/405, CORS and request-log middleware consult. */
export const routesByPath: ReadonlyMap<string, ContractRoute> = new Map(
  listRoutes(contract).map((route) => [route.path, route]),
);

/** The `Allow` header for a path (RFC 9110 §10.2.1). */
export function allowHeader(route: ContractRoute): string {
  return answeredMethods(route).join(', ');
}
