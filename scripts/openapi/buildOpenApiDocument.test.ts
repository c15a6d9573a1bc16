import { readFileSync } from 'node:fs';
import {
  initContract,
  isAppRoute,
  isAppRouteNoBody,
  isAppRouteOtherResponse,
  type AppRoute,
  type AppRouter,
} from '@ts-rest/core';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ResponseObject,
} from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { contract } from '../../contract/index.js';
import { buildOpenApiDocument, renderOpenApiJson } from './buildOpenApiDocument.js';

/** The server-to-server routes, authenticated with the account's secret key. */
const SECRET_KEY_ROUTES = ['userToken', 'revokeUser'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The contract's routes, walked independently of the generator. */
function contractRoutes(router: AppRouter, prefix = ''): { key: string; route: AppRoute }[] {
  return Object.entries(router).flatMap(([key, value]) =>
    isAppRoute(value)
      ? [{ key: prefix + key, route: value }]
      : contractRoutes(value, `${prefix}${key}.`),
  );
}

function operations(doc: OpenAPIObject): { path: string; method: string; op: OperationObject }[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]: [string, PathItemObject]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op === undefined ? [] : [{ path, method, op }];
    }),
  );
}

function operation(doc: OpenAPIObject, operationId: string): OperationObject {
  const found = operations(doc).find(({ op }) => op.operationId === operationId);
  if (found === undefined) throw new Error(`no operation ${operationId}`);
  return found.op;
}

function response(op: OperationObject, status: number): ResponseObject {
  const value: unknown = op.responses?.[String(status)];
  if (value === undefined) throw new Error(`no ${status} on ${op.operationId ?? '?'}`);
  return value as ResponseObject;
}

/** A schema, or the component schema it references. */
function resolved(doc: OpenAPIObject, schema: unknown): unknown {
  if (
    typeof schema === 'object' &&
    schema !== null &&
    '$ref' in schema &&
    typeof schema.$ref === 'string'
  ) {
    return doc.components?.schemas?.[schema.$ref.slice('#/components/schemas/'.length)];
  }
  return schema;
}

/** Every value of a `$ref` key anywhere in the document. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refs(inner),
  );
}

function keysNamed(value: unknown, name: string): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + keysNamed(v, name), 0);
  if (typeof value !== 'object' || value === null) return 0;
  return Object.entries(value).reduce<number>(
    (n, [key, inner]) => n + (key === name ? 1 : 0) + keysNamed(inner, name),
    0,
  );
}

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument();
  const routes = contractRoutes(contract);

  it('is an OpenAPI 3.1.0 document with info, servers and tags', () => {
    const pkg = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Kataven widget auth API');
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.info.description).toMatch(/120 s/);
    expect(doc.info.description).toMatch(/900 s/);
    expect(doc.servers?.map((server) => server.url)).toEqual(['/', '{origin}']);
    expect(doc.servers?.[1]?.variables?.origin?.default).toBe('http://localhost:8787');
    expect(doc.tags?.map((tag) => tag.name)).toEqual(['widget', 'auth', 'keys', 'service']);
  });

  it('has one operation per contract route, at its method and path', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(operations(doc)).toHaveLength(routes.length);
    for (const { key, route } of routes) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const item = doc.paths?.[path];
      const op = item?.[route.method.toLowerCase() as (typeof METHODS)[number]];
      expect(op, `${route.method} ${path}`).toBeDefined();
      expect(op?.operationId).toBe(key);
      expect(op?.summary).toBe(route.summary);
      expect(op?.description).toBe(route.description);
    }
  });

  it('has unique operationIds', () => {
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every contract status with a description and the right content', () => {
    for (const { key, route } of routes) {
      const op = operation(doc, key);
      const declared = Object.keys(route.responses).map(Number);
      expect(Object.keys(op.responses ?? {}).map(Number), key).toEqual(declared);
      for (const status of declared) {
        const contractResponse = route.responses[status];
        if (contractResponse === undefined) continue;
        const res = response(op, status);
        expect(res.description, `${key} ${status}`).toMatch(/\S/);
        if (isAppRouteNoBody(contractResponse)) {
          expect(res.content, `${key} ${status}`).toBeUndefined();
        } else if (isAppRouteOtherResponse(contractResponse)) {
          expect(Object.keys(res.content ?? {}), `${key} ${status}`).toEqual([
            contractResponse.contentType,
          ]);
        } else {
          expect(Object.keys(res.content ?? {}), `${key} ${status}`).toEqual(['application/json']);
        }
      }
    }
  });

  it('documents text errors as text/plain with their exact messages', () => {
    let textErrors = 0;
    for (const { key, route } of routes) {
      for (const [status, declared] of Object.entries(route.responses)) {
        if (Number(status) < 400 || !isAppRouteOtherResponse(declared)) continue;
        textErrors++;
        expect(declared.contentType).toBe('text/plain');
        const res = response(operation(doc, key), Number(status));
        const media = res.content?.['text/plain'];
        const schema = resolved(doc, media?.schema);
        expect(schema, `${key} ${status}`).toMatchObject({ type: 'string' });
        if (declared.body instanceof z.ZodEnum) {
          const messages = declared.body.options.map(String);
          expect(schema).toMatchObject({ enum: messages });
          for (const message of messages) expect(res.description).toContain(`\`${message}\``);
          expect(
            Object.values(media?.examples ?? {}).map((e) => (e as { value: unknown }).value),
          ).toEqual(messages);
        }
      }
    }
    expect(textErrors).toBeGreaterThan(10);

    const config400 = response(operation(doc, 'getConfig'), 400);
    expect(config400.content?.['text/plain']?.schema).toMatchObject({
      enum: ['Missing client_key', 'Invalid client_key'],
    });
    expect(response(operation(doc, 'userToken'), 400).description).toContain(
      '`Missing client_key or user_id`',
    );
    expect(
      resolved(doc, response(operation(doc, 'healthz'), 200).content?.['text/plain']?.schema),
    ).toMatchObject({ type: 'string', const: 'ok' });
  });

  it('has no-body responses without content', () => {
    expect(response(operation(doc, 'getConfig'), 304).content).toBeUndefined();
    expect(response(operation(doc, 'logout'), 204).content).toBeUndefined();
  });

  it('publishes .meta({ id }) schemas as components referenced with $ref', () => {
    const schemas = doc.components?.schemas ?? {};
    for (const name of [
      'WidgetConfig',
      'WidgetAgent',
      'WidgetBranding',
      'WidgetCopy',
      'GuestRequest',
      'VisitorTokenResponse',
      'UserTokenRequest',
      'UserMetadata',
      'UserVisitorTokenResponse',
      'ExchangeRequest',
      'SessionTokenResponse',
      'Visitor',
      'RefreshRequest',
      'LogoutRequest',
      'JwkSet',
      'PublicJwk',
    ]) {
      expect(schemas, name).toHaveProperty(name);
    }
    expect(Object.keys(schemas)).toEqual(Object.keys(schemas).sort());

    const json = (id: string, status = 200) =>
      response(operation(doc, id), status).content?.['application/json']?.schema;
    const body = (id: string) => {
      const requestBody = operation(doc, id).requestBody;
      return requestBody !== undefined && 'content' in requestBody
        ? requestBody.content['application/json']?.schema
        : undefined;
    };
    expect(json('getConfig')).toEqual({ $ref: '#/components/schemas/WidgetConfig' });
    expect(json('guest')).toEqual({ $ref: '#/components/schemas/VisitorTokenResponse' });
    expect(json('userToken')).toEqual({ $ref: '#/components/schemas/UserVisitorTokenResponse' });
    expect(json('exchange')).toEqual({ $ref: '#/components/schemas/SessionTokenResponse' });
    expect(json('refresh')).toEqual({ $ref: '#/components/schemas/SessionTokenResponse' });
    expect(json('jwks')).toEqual({ $ref: '#/components/schemas/JwkSet' });
    expect(body('guest')).toEqual({ $ref: '#/components/schemas/GuestRequest' });
    expect(body('userToken')).toEqual({ $ref: '#/components/schemas/UserTokenRequest' });
    expect(body('exchange')).toEqual({ $ref: '#/components/schemas/ExchangeRequest' });
    expect(body('refresh')).toEqual({ $ref: '#/components/schemas/RefreshRequest' });
    expect(body('logout')).toEqual({ $ref: '#/components/schemas/LogoutRequest' });
    expect(schemas.SessionTokenResponse).toMatchObject({
      properties: { visitor: { $ref: '#/components/schemas/Visitor' } },
    });
    expect(operation(doc, 'guest').requestBody).toMatchObject({ required: true });
  });

  it('resolves every $ref to a component and uses every component', () => {
    const components = {
      schemas: doc.components?.schemas ?? {},
      headers: doc.components?.headers ?? {},
    };
    const all = refs(doc);
    for (const ref of all) {
      const [, kind, name] = /^#\/components\/(schemas|headers)\/(.+)$/.exec(ref) ?? [];
      expect(kind, ref).toBeDefined();
      expect(components[kind as 'schemas' | 'headers'], ref).toHaveProperty(name ?? '');
    }
    for (const kind of ['schemas', 'headers'] as const) {
      for (const name of Object.keys(components[kind]))
        expect(all).toContain(`#/components/${kind}/${name}`);
    }
  });

  it('strips $schema, $defs and zod ids', () => {
    expect(keysNamed(doc, '$schema')).toBe(0);
    expect(keysNamed(doc, '$defs')).toBe(0);
    const text = JSON.stringify(doc);
    for (const name of Object.keys(doc.components?.schemas ?? {})) {
      expect(text).not.toContain(`"id":${JSON.stringify(name)}`);
    }
  });

  it('turns the query and the headers into parameters', () => {
    const params = operation(doc, 'getConfig').parameters as ParameterObject[];
    expect(params).toEqual([
      expect.objectContaining({
        name: 'client_key',
        in: 'query',
        required: true,
        schema: expect.objectContaining({ type: 'string' }) as unknown,
      }),
      expect.objectContaining({ name: 'Origin', in: 'header', required: false }),
      expect.objectContaining({ name: 'If-None-Match', in: 'header', required: false }),
    ]);
  });

  it('secures user-token and revoke with the secret key and nothing else', () => {
    expect(doc.components?.securitySchemes?.secretKey).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'sk_live_kt_… / sk_test_kt_…',
    });
    for (const { op } of operations(doc)) {
      expect(op.security, op.operationId).toEqual(
        SECRET_KEY_ROUTES.includes(op.operationId ?? '') ? [{ secretKey: [] }] : [],
      );
    }
    for (const id of SECRET_KEY_ROUTES) {
      // Authorization is the security scheme's job, not a header parameter (OpenAPI 3.1 §4.8.12.1).
      const params = (operation(doc, id).parameters ?? []) as ParameterObject[];
      expect(params.some((p) => p.name.toLowerCase() === 'authorization')).toBe(false);
      expect(response(operation(doc, id), 401).headers).toHaveProperty('WWW-Authenticate');
    }
  });

  it('tags the operations and marks extensions', () => {
    const tagOf = (id: string) => operation(doc, id).tags;
    expect(tagOf('getConfig')).toEqual(['widget']);
    expect(operation(doc, 'getConfig')['x-extension']).toBeUndefined();
    for (const id of ['guest', 'userToken', 'exchange', 'refresh']) {
      expect(tagOf(id), id).toEqual(['auth']);
      expect(operation(doc, id)['x-extension'], id).toBeUndefined();
    }
    const extensions = {
      logout: 'auth',
      jwks: 'keys',
      healthz: 'service',
      readyz: 'service',
      openApiDocument: 'service',
      apiReference: 'service',
      apiReferenceScript: 'service',
    };
    for (const [id, tag] of Object.entries(extensions)) {
      expect(tagOf(id), id).toEqual([tag]);
      expect(operation(doc, id)['x-extension'], id).toBe(true);
      expect(operation(doc, id)['x-badges'], id).toEqual([{ name: 'Extension' }]);
      expect(operation(doc, id).summary, id).toMatch(/\(extension\)$/);
    }
  });

  it('is deterministic and JSON-serialisable', () => {
    const text = renderOpenApiJson(doc);
    expect(JSON.parse(text)).toEqual(doc);
    expect(renderOpenApiJson(buildOpenApiDocument())).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('matches the committed openapi.json (run `npm run openapi` if this fails)', () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApiJson());
  });
});

describe('buildOpenApiDocument on other routers', () => {
  const c = initContract();

  it('names nested routes by their key path and converts path parameters', () => {
    const router = c.router({
      things: {
        get: {
          method: 'GET',
          path: '/api/v1/widget/things/:thingId',
          responses: { 200: z.object({ ok: z.boolean().meta({ example: true }) }) },
        },
      },
    });
    const doc = buildOpenApiDocument(router);
    const op = doc.paths?.['/api/v1/widget/things/{thingId}']?.get;
    expect(op?.operationId).toBe('things.get');
    expect(op?.tags).toEqual(['widget']);
    expect(op?.parameters).toEqual([
      { name: 'thingId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('publishes a request variant when a component differs between input and output', () => {
    const Shared = z.object({ size: z.int().default(1) }).meta({ id: 'OpenApiTestShared' });
    const router = c.router({
      put: {
        method: 'POST',
        path: '/api/v1/widget/shared',
        body: z.object({ shared: Shared }).meta({ id: 'OpenApiTestWrapper' }),
        responses: { 200: Shared },
      },
    });
    const doc = buildOpenApiDocument(router);
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual([
      'OpenApiTestShared',
      'OpenApiTestSharedInput',
      'OpenApiTestWrapper',
    ]);
    expect(schemas.OpenApiTestShared).toMatchObject({ required: ['size'] });
    expect(schemas.OpenApiTestSharedInput).not.toHaveProperty('required');
    expect(schemas.OpenApiTestWrapper).toMatchObject({
      properties: { shared: { $ref: '#/components/schemas/OpenApiTestSharedInput' } },
    });
  });

  it('refuses a route it cannot tag', () => {
    const router = c.router({
      other: { method: 'GET', path: '/elsewhere', responses: { 200: z.string() } },
    });
    expect(() => buildOpenApiDocument(router)).toThrow(/no tag/);
  });
});
