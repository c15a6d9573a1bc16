/**
 * Reference 1: Express 5 answering a small constant JSON, with the same app settings the service
 * uses (no ETag, no X-Powered-By, simple query parser). Nothing a real route does can beat this on
 * the same machine, so it is the ceiling every ratio in the report is taken against.
 */
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.set('query parser', 'simple');
app.get('/json', (_req, res) => {
  res.json({ ok: true, service: 'bare-express' });
});
app.get('/healthz', (_req, res) => {
  res.type('text/plain').send('ok');
});

const server = app.listen(Number(process.env.PORT), '127.0.0.1');
server.keepAliveTimeout = 5_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));
