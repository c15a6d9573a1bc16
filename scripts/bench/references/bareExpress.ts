/**
 * Reference 1: Express 5 answering a small constant JSON, with the service's own Express settings
 * (`applyExpressSettings`). Nothing a real route does can beat this on the same machine, so it is
 * the ceiling every ratio in the report is taken against.
 */
import express from 'express';
import { applyExpressSettings } from '../../../server/http/expressSettings.js';
import { serveReference } from './serveReference.js';

const app = express();
applyExpressSettings(app, { trustProxyHops: 0 });
app.get('/json', (_req, res) => {
  res.json({ ok: true, service: 'bare-express' });
});
app.get('/healthz', (_req, res) => {
  res.type('text/plain').send('ok');
});

serveReference(app, Number(process.env.PORT));
