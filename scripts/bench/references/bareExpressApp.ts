import express, { type Express } from 'express';
import { applyExpressSettings } from '../../../server/http/expressSettings.js';

/** Express 5 answering a small constant JSON at `/json`, with the service's own Express settings. */
export function bareExpressApp(): Express {
  const app = express();
  applyExpressSettings(app, { trustProxyHops: 0 });
  app.get('/json', (_req, res) => {
    res.json({ ok: true, service: 'bare-express' });
  });
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  return app;
}
