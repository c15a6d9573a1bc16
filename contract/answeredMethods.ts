/**
 * The methods a route's path answers: its own; `HEAD` wherever `GET` (RFC 9110 §9.3.2: the same
 * answer without the body); and `OPTIONS` on routes pages call cross-origin (the CORS preflight).
 * The server's `Allow` header and the OpenAPI document's operations both follow this.
 */
export function answeredMethods(route: { method: string; cors: boolean }): string[] {
  const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
  if (route.cors) methods.push('OPTIONS');
  return methods;
}
