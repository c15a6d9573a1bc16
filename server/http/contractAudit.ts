import { isAppRouteNoBody, isAppRouteOtherResponse, type AppRoute, type AppRouter } from '@ts-rest/core';
import type { RequestHandler, Response } from 'express';
import * as z from 'zod';
import { listRoutes, type ContractRoute } from '../../contract/index.js';

/** An answer the contract does not declare. */
export interface ContractViolation {
  method: string;
  path: string;
  /** The contract route the path belongs to. */
  route: string;
  status: number;
  problem: string;
}

function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

function mediaType(res: Response): string {
  const header = res.getHeader('content-type');
  return (typeof header === 'string' ? header : '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function bodyProblem(schema: unknown, body: unknown): string | undefined {
  if (!(schema instanceof z.core.$ZodType)) return undefined;
  const result = z.safeParse(schema, body);
  return result.success
    ? undefined
    : `body ${JSON.stringify(body).slice(0, 120)} does not match: ${result.error.issues[0]?.message ?? '?'}`;
}

/**
 * What is wrong with one answer, judged against the route that owns the path: a status the
 * route does not declare, or a declared one with another content type or a body the declared
 * schema refuses. Another method on the path is the route's business too (405 must be
 * declared); a CORS preflight is not (it is described once, for every cross-origin route).
 */
function problemWith(
  { route, cors }: ContractRoute,
  method: string,
  status: number,
  res: Response,
  body: unknown,
): string | undefined {
  const sameMethod = method === route.method || (method === 'HEAD' && route.method === 'GET');
  if (!sameMethod && method === 'OPTIONS' && cors) return undefined;
  const declared = route.responses[status];
  if (declared === undefined) return `status ${status} is not declared`;
  if (isAppRouteNoBody(declared)) return undefined;
  const expectedType = isAppRouteOtherResponse(declared)
    ? declared.contentType
    : 'application/json';
  const actualType = mediaType(res);
  if (actualType !== expectedType)
    return `content type ${actualType || '(none)'} instead of ${expectedType}`;
  if (method === 'HEAD' || body === undefined) return undefined;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string') return undefined;
  if (isAppRouteOtherResponse(declared)) return bodyProblem(declared.body, text);
  try {
    return bodyProblem(declared, JSON.parse(text));
  } catch {
    return 'body is not JSON';
  }
}

/**
 * Test-mode middleware: reports every answer on a contract path that the contract does not
 * declare. ts-rest's response validation covers what handlers return; this also covers what the
 * body gate, the 404/405 handler and the error handler send, so an undeclared 405, 413, 415 or
 * 500 cannot slip into the API unnoticed.
 */
export function contractAudit(
  router: AppRouter,
  report: (violation: ContractViolation) => void,
): RequestHandler {
  const routes = listRoutes(router).map((entry) => ({ entry, pattern: pathPattern(entry.path) }));
  return (req, res, next) => {
    const path = req.path;
    let body: unknown;
    const send = res.send.bind(res);
    res.send = ((chunk?: unknown) => {
      body ??= chunk;
      return send(chunk);
    }) as Response['send'];
    res.on('finish', () => {
      // The route ts-rest dispatched to, else the one whose path this is (as the 405 handler sees it).
      const dispatched = (req as { tsRestRoute?: AppRoute }).tsRestRoute;
      const owner = routes.find(({ entry, pattern }) =>
        dispatched === undefined
          ? pattern.test(path)
          : entry.method === dispatched.method && entry.path === dispatched.path,
      )?.entry;
      if (owner === undefined) return;
      const problem = problemWith(owner, req.method, res.statusCode, res, body);
      if (problem !== undefined)
        report({ method: req.method, path, route: owner.key, status: res.statusCode, problem });
    });
    next();
  };
}
