import type { ErrorRequestHandler, IRouter, NextFunction, Request, RequestHandler, Response } from 'express';

type Handler = RequestHandler | ErrorRequestHandler;

export interface ExactRoutes {
  /** Handed to `createExpressEndpoints` in place of the Express app: it records the routes. */
  registrar: IRouter;
  /** Serves the recorded routes: one Map lookup on the exact method and path. */
  dispatch: RequestHandler;
  /** What the registrar was asked to `use` (ts-rest's validation error handler), in order. */
  middleware: Handler[];
}

/**
 * The contract's routes served by exact path. Every contract path is a constant (no parameters),
 * and the app already routes strictly and case-sensitively, so Express's general router — a
 * Route and Layer per path, a regular expression tried per layer, closures per hop — buys nothing
 * here. @ts-rest/express still builds every handler chain (validation, route middleware,
 * response writing): this only stands in for `app.get/post(...)` and runs the chain. HEAD is
 * served by the GET chain, as Express does; anything else falls through to the 404/405 handler.
 *
 * Kept for its measured gain (docs/performance.md, "Exact-path routes") although it relies on
 * ts-rest calling only `get`/`post`/`use`: any other call fails at start-up, in every HTTP suite.
 */
export function exactRoutes(): ExactRoutes {
  const chains = new Map<string, RequestHandler[]>();
  const middleware: Handler[] = [];
  const record =
    (method: string) =>
    (path: string, ...handlers: unknown[]) => {
      chains.set(`${method} ${path}`, handlers.flat(Infinity) as RequestHandler[]);
      return registrar;
    };
  const registrar = {
    get: record('GET'),
    post: record('POST'),
    put: record('PUT'),
    patch: record('PATCH'),
    delete: record('DELETE'),
    use: (...handlers: unknown[]) => {
      middleware.push(...(handlers.flat(Infinity) as Handler[]));
      return registrar;
    },
  } as unknown as IRouter;

  const dispatch: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const chain = chains.get(`${req.method === 'HEAD' ? 'GET' : req.method} ${req.path}`);
    if (chain === undefined) {
      next();
      return;
    }
    req.params = {};
    let index = 0;
    const step = (error?: unknown) => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const handler = chain[index++];
      if (handler === undefined) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        // Express 5 passes a rejected handler promise to `next`; so does this.
        if (result instanceof Promise) result.catch((rejection: unknown) => next(rejection ?? new Error('handler rejected')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };

  return { registrar, dispatch, middleware };
}
