import { readFileSync } from 'node:fs';
import type { OpenAPIObject, OperationObject, PathItemObject, ResponseObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics/createMetrics.js';
import { startTestServer, type TestServer } from '../test-support/startTestServer.js';

const committed = JSON.parse(
  readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8'),
) as OpenAPIObject;

const PROBED = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const OPERATION_KEYS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace']);

const paths = Object.entries<PathItemObject>(committed.paths ?? {});

function declaredMethods(item: PathItemObject): string[] {
  return Object.keys(item)
    .filter((key) => OPERATION_KEYS.has(key))
    .map((key) => key.toUpperCase());
}

/** The document marks a path cross-origin by its answers' `Access-Control-Allow-Origin` header. */
function isCrossOrigin(item: PathItemObject): boolean {
  return Object.entries(item)
    .filter(([key]) => OPERATION_KEYS.has(key))
    .some(([, op]) =>
      Object.values((op as OperationObject).responses as Record<string, ResponseObject>).some(
        (response) => response.headers?.['Access-Control-Allow-Origin'] !== undefined,
      ),
    );
}

let server: TestServer;
beforeAll(async () => {
  // With a metrics token, so `/metrics` is a route here rather than the 404 of an unconfigured one.
  server = await startTestServer({ env: { KATAVEN_METRICS_TOKEN: 'declared-methods-token' }, metrics: createMetrics() });
});
afterAll(() => server.close());

/**
 * A validating proxy in front of the service passes only what openapi.json declares, so the
 * document must declare every method the server answers on a contract path, and the server must
 * answer every method the document declares. The CORS preflight (`OPTIONS`) is the browser's own
 * request, answered on the paths the document marks cross-origin and described in its CORS
 * section rather than as an operation.
 */
describe('openapi.json declares exactly the methods the server answers', () => {
  it.each(paths.map(([path, item]) => ({ path, item })))('$path', async ({ path, item }) => {
    const answered: string[] = [];
    let allow: string | null = null;
    for (const method of PROBED) {
      const headers: Record<string, string> = {};
      if (method === 'POST') headers['content-type'] = 'application/json';
      if (method === 'OPTIONS') {
        headers.origin = 'https://shop.example.com';
        headers['access-control-request-method'] = 'POST';
      }
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers,
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      const text = await res.text();
      expect(text, `${method} ${path}`).not.toBe('Not found');
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      if (res.status === 405) allow = res.headers.get('allow');
      else answered.push(method);
    }
    const expected = [...declaredMethods(item), ...(isCrossOrigin(item) ? ['OPTIONS'] : [])];
    expect(answered.sort()).toEqual([...expected].sort());
    expect(allow?.split(', ').sort()).toEqual([...expected].sort());
  });

  it('declares HEAD wherever it declares GET, with the same statuses and headers and no body', () => {
    for (const [path, item] of paths) {
      if (item.get === undefined) continue;
      const head = item.head;
      expect(head, path).toBeDefined();
      const get = item.get.responses as Record<string, ResponseObject>;
      const heads = head?.responses as Record<string, ResponseObject>;
      expect(Object.keys(heads), path).toEqual(Object.keys(get));
      for (const [status, response] of Object.entries(heads)) {
        expect(response.content, `${path} HEAD ${status}`).toBeUndefined();
        expect(response.headers, `${path} HEAD ${status}`).toEqual(get[status]?.headers);
      }
      expect(head?.parameters).toEqual(item.get.parameters);
    }
  });
});
