import { initContract, isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
} from 'openapi3-ts/oas31';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { contract, responseHeadersFor, routeMetaOf } from '../../contract/index.js';
import { buildOpenApiDocument } from './buildOpenApiDocument.js';

/** The server-to-server routes, authenticated with the account's secret key. */
const SECRET_KEY_ROUTES = ['userToken', 'revokeUser'];

const doc = buildOpenApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

const routes: { key: string; route: AppRoute }[] = Object.entries(contract as AppRouter).flatMap(
  ([key, route]) => (isAppRoute(route) ? [{ key, route }] : []),
);

function operation(id: string): OperationObject {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = (item as Record<string, OperationObject | undefined>)[method];
      if (op?.operationId === id) return op;
    }
  }
  throw new Error(`no operation ${id}`);
}

function deref<T>(value: T | ReferenceObject, kind: 'schemas' | 'headers'): T {
  if (typeof value === 'object' && value !== null && '$ref' in value) {
    const name = value.$ref.slice(`#/components/${kind}/`.length);
    return (doc.components?.[kind] as Record<string, T>)[name] as T;
  }
  return value;
}

function responses(op: OperationObject): [number, ResponseObject][] {
  return Object.entries(op.responses ?? {}).map(([status, res]) => [
    Number(status),
    res as ResponseObject,
  ]);
}

/** Every property schema reachable from `schema`, with its path, following component refs. */
function properties(
  schema: unknown,
  path: string,
  seen = new Set<string>(),
): { path: string; schema: Record<string, unknown> }[] {
  const resolved = deref(schema as Record<string, unknown>, 'schemas');
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (seen.has(ref)) return [];
    seen.add(ref);
  }
  const props = (resolved.properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(props).flatMap(([name, property]) => [
    { path: `${path}.${name}`, schema: property },
    ...properties(property, `${path}.${name}`, seen),
  ]);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('the OpenAPI document describes every operation completely', () => {
  it('has a summary, a description, a tag, a curl sample and an explicit security list on every operation', () => {
    for (const { key } of routes) {
      const op = operation(key);
      expect(op.summary, key).toMatch(/\S/);
      expect((op.description ?? '').length, key).toBeGreaterThan(40);
      expect(op.tags, key).toHaveLength(1);
      expect(Array.isArray(op.security), key).toBe(true);
      expect(op['x-codeSamples'], key).toEqual([
        { lang: 'Shell', label: 'curl', source: expect.stringMatching(/^curl /) as unknown },
      ]);
    }
  });

  it('keeps the original summaries of the five core operations word for word', () => {
    expect(operation('getConfig').summary).toBe('Get the widget bootstrap config for a client_key');
    expect(operation('guest').summary).toBe('Mint a guest visitor JWT for the embeddable widget');
    expect(operation('userToken').summary).toBe('Mint a logged-in visitor JWT (server-to-server)');
    expect(operation('exchange').summary).toBe(
      'Exchange a server-minted visitor token for a widget session JWT',
    );
    expect(operation('refresh').summary).toBe('Refresh a widget session JWT');
  });

  it('describes every request field and gives every request body an example the contract accepts', () => {
    for (const { key, route } of routes) {
      if (!('body' in route)) continue;
      const body = (operation(key).requestBody as RequestBodyObject).content['application/json'];
      expect(body, key).toBeDefined();
      for (const { path, schema } of properties(body?.schema, key)) {
        const described = deref(schema, 'schemas');
        expect(described.description, path).toMatch(/\S/);
      }
      expect(z.safeParse(route.body as z.ZodType, body?.example).success, key).toBe(true);
    }
  });

  it("states the contract's constraints on request fields", () => {
    const userToken = doc.components?.schemas?.UserTokenRequest as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    expect(userToken.required).toEqual(['client_key', 'user_id']);
    expect(userToken.properties.client_key).toMatchObject({
      pattern: '^pk_(live|test)_[0-9A-Za-z]{8,64}$',
    });
    expect(userToken.properties.user_id).toMatchObject({ minLength: 1, maxLength: 256 });
    expect(userToken.properties.name).toMatchObject({ maxLength: 128 });
    expect(userToken.properties.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(doc.components?.schemas?.UserMetadata).toMatchObject({
      maxProperties: 20,
      propertyNames: { maxLength: 40 },
    });
    expect(doc.components?.schemas?.ExchangeRequest).toMatchObject({
      properties: { token: { minLength: 1, maxLength: 8192 } },
    });
  });

  it('gives every response with a body an example the contract accepts', () => {
    for (const { key, route } of routes) {
      for (const [status, res] of responses(operation(key))) {
        for (const [type, media] of Object.entries(res.content ?? {})) {
          const where = `${key} ${status} ${type}`;
          const declared = route.responses[status] as unknown;
          const schema = (
            typeof declared === 'object' && declared !== null && 'body' in declared
              ? declared.body
              : declared
          ) as z.ZodType;
          const values =
            media.examples === undefined
              ? [media.example as unknown]
              : Object.values(media.examples).map(
                  (example) => (example as { value: unknown }).value,
                );
          expect(values.length, where).toBeGreaterThan(0);
          for (const value of values)
            expect(z.safeParse(schema, value).success, `${where}: ${JSON.stringify(value)}`).toBe(
              true,
            );
        }
      }
    }
  });

  it('documents the response headers the contract lists for each route and status, as shared components', () => {
    for (const { key, route } of routes) {
      const meta = routeMetaOf(route);
      for (const [status, res] of responses(operation(key))) {
        const expected = responseHeadersFor(meta, status).map(({ header }) => header.name);
        expect(Object.keys(res.headers ?? {}), `${key} ${status}`).toEqual(expected);
        for (const header of Object.values(res.headers ?? {})) {
          expect(header, `${key} ${status}`).toHaveProperty('$ref');
          expect(deref<HeaderObject>(header, 'headers').description).toMatch(/\S/);
        }
      }
    }
    const headerNames = (id: string, status: number) =>
      Object.keys((operation(id).responses?.[status] as ResponseObject).headers ?? {});
    expect(headerNames('getConfig', 200)).toEqual(
      expect.arrayContaining([
        'ETag',
        'Cache-Control',
        'Vary',
        'Access-Control-Allow-Origin',
        'X-Request-Id',
      ]),
    );
    expect(headerNames('userToken', 401)).toContain('WWW-Authenticate');
    expect(headerNames('guest', 429)).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit', 'RateLimit-Policy']),
    );
    expect(headerNames('userToken', 200)).not.toContain('Access-Control-Allow-Origin');
    expect(headerNames('apiReference', 200)).toContain('Content-Security-Policy');
  });

  it('never repeats a schema inline: shared bodies are components', () => {
    const seen = new Map<string, string>();
    for (const { key } of routes) {
      const op = operation(key);
      const media = [
        ...Object.values((op.requestBody as RequestBodyObject | undefined)?.content ?? {}).map(
          (m) => ['request', m] as const,
        ),
        ...responses(op).flatMap(([status, res]) =>
          Object.values(res.content ?? {}).map((m) => [String(status), m] as const),
        ),
      ];
      for (const [where, { schema }] of media) {
        if (schema === undefined || '$ref' in schema) continue;
        const text = canonical(schema);
        expect(seen.get(text), `${key} ${where} repeats ${text}`).toBeUndefined();
        seen.set(text, `${key} ${where}`);
      }
    }
    expect(doc.components?.schemas).toHaveProperty('ServerErrorMessage');
    expect(doc.components?.schemas).toHaveProperty('MethodNotAllowedMessage');
  });

  it("lists the exact error messages, including user-token's field reasons", () => {
    const res = operation('userToken').responses?.[400] as ResponseObject;
    const values = Object.values(res.content?.['text/plain']?.examples ?? {}).map(
      (e) => (e as { value: string }).value,
    );
    expect(values).toEqual(
      expect.arrayContaining([
        'Missing client_key or user_id',
        'email must be a valid email address',
      ]),
    );
  });

  it('writes curl samples with the real path, Origin only where the route reads it and the secret key only on user-token and revoke', () => {
    for (const { key, route } of routes) {
      const source = (operation(key)['x-codeSamples'] as { source: string }[])[0]?.source ?? '';
      expect(source, key).toContain(`http://localhost:8787${route.path}`);
      const readsOrigin = ((operation(key).parameters ?? []) as ParameterObject[]).some(
        (p) => p.name === 'Origin',
      );
      expect(source.includes("-H 'Origin: http://localhost:3000'"), key).toBe(readsOrigin);
      expect(source.includes('Authorization'), key).toBe(SECRET_KEY_ROUTES.includes(key));
      expect(source.includes("-d '"), key).toBe(route.method === 'POST');
    }
    for (const id of ['guest', 'exchange', 'refresh', 'getConfig']) {
      expect((operation(id)['x-codeSamples'] as { source: string }[])[0]?.source).toContain(
        'Origin:',
      );
    }
    expect((operation('userToken')['x-codeSamples'] as { source: string }[])[0]?.source).toContain(
      '-H "Authorization: Bearer $KATAVEN_SECRET_KEY"',
    );
  });

  it('secures user-token and revoke with the secret key and says "none" on every other operation', () => {
    for (const { key } of routes) {
      expect(operation(key).security, key).toEqual(SECRET_KEY_ROUTES.includes(key) ? [{ secretKey: [] }] : []);
    }
  });

  it('explains the handshake, the lifetimes and the limits of the Origin check', () => {
    const text = doc.info.description ?? '';
    for (const phrase of [
      'guest flow',
      'signed-in flow',
      'Token lifetimes',
      '120 s',
      '900 s',
      '7 days',
      '30 days',
      'not authentication',
      'CORS',
      'Rate limits',
    ]) {
      expect(text, phrase).toContain(phrase);
    }
  });

  it('describes the OpenAPI document it is served as (3.1, relative server first)', () => {
    const typed: OpenAPIObject = doc;
    expect(typed.openapi).toBe('3.1.0');
    expect(typed.servers?.[0]?.url).toBe('/');
  });
});

describe('buildOpenApiDocument on an incomplete contract', () => {
  it('refuses a documented field without an example, naming it', () => {
    const c = initContract();
    const router = c.router({
      thing: {
        method: 'POST',
        path: '/api/v1/widget/thing',
        body: z.object({ size: z.int() }),
        responses: { 204: c.noBody() },
      },
    });
    expect(() => buildOpenApiDocument(router)).toThrow(
      /thing request body\.size: give this schema an example/,
    );
  });
});
