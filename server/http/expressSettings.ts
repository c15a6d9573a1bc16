import type { Express } from 'express';

/** The Express settings the service runs with (the bench's stack-only reference applies them too). */
export function applyExpressSettings(app: Express, { trustProxyHops }: { trustProxyHops: number }): void {
  app.disable('x-powered-by');
  // Paths match exactly as the contract spells them: `/Guest` or `/guest/` must not reach a
  // route while skipping the CORS and body checks keyed on the exact path.
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  // Automatic ETags would hash every token response; config computes its own once per change.
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Hop count, not `true`: only the named proxies' X-Forwarded-For entries are believed.
  app.set('trust proxy', trustProxyHops);
}
