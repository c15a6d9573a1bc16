import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { describe, expect, it } from 'vitest';
import { request } from '../test-support/http.js';
import { createPresetPrototypes, presetExpressPrototypes, presetsPayOff, type PresetPrototypes } from './presetPrototypes.js';
import { createLimitedServer } from './serverLimits.js';

interface Seen {
  requestHadAppPrototype: boolean;
  responseHadAppPrototype: boolean;
}

/** An Express app behind a server created with the presets, and what each request looked like before Express saw it. */
async function serve(app: Express, prototypes: PresetPrototypes) {
  const seen: Seen[] = [];
  const server = createLimitedServer(
    (req, res) => {
      seen.push({
        requestHadAppPrototype: Object.getPrototypeOf(req) === app.request,
        responseHadAppPrototype: Object.getPrototypeOf(res) === app.response,
      });
      app(req, res);
    },
    {},
    prototypes,
  );
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('presetExpressPrototypes', () => {
  it('presets on V8 before 13 (Node 20 and 22) only, where they save more than they cost', () => {
    expect(['11.3.244.8-node.38', '12.4.254.21-node.33', '13.6.233.17-node.63', '14.1.0'].map(presetsPayOff)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(presetExpressPrototypes() !== undefined).toBe(presetsPayOff(process.versions.v8));
  });

  it("creates each request and response with the app's own prototypes, so Express's per-request change finds them in place", async () => {
    const prototypes = createPresetPrototypes();
    const app = express();
    prototypes.adopt(app);
    app.get('/x', (req, res) => {
      res.json({ sameApp: req.app === app && res.app === app, query: req.query, ip: req.ip });
    });
    const server = await serve(app, prototypes);
    try {
      const answer = await request(server.baseUrl, '/x?a=1');
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ sameApp: true, query: { a: '1' }, ip: '127.0.0.1' });
      expect(server.seen).toEqual([{ requestHadAppPrototype: true, responseHadAppPrototype: true }]);
    } finally {
      await server.close();
    }
  });

  it('serves requests that arrived before the app adopted the prototypes, with the app methods after', async () => {
    const prototypes = createPresetPrototypes();
    const app = express();
    app.get('/x', (_req, res) => {
      res.status(201).json({ ok: true });
    });
    const server = await serve(app, prototypes);
    try {
      const before = await request(server.baseUrl, '/x');
      prototypes.adopt(app);
      const after = await request(server.baseUrl, '/x');
      expect([before.status, after.status]).toEqual([201, 201]);
      expect(server.seen.map((s) => s.requestHadAppPrototype)).toEqual([false, true]);
    } finally {
      await server.close();
    }
  });

  it('refuses to give the same prototypes to a second app', () => {
    const prototypes = createPresetPrototypes();
    prototypes.adopt(express());
    expect(() => prototypes.adopt(express())).toThrow('these prototypes already belong to an app');
  });
});
