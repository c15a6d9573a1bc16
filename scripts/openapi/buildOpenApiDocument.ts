/**
 * Builds the OpenAPI 3.1 document from the ts-rest contract. `@ts-rest/open-api` only understands
 * zod 3, so this walks the router itself and converts the zod 4 schemas with `z.toJSONSchema`.
 *
 * Everything the document says about a route comes from the contract: method, path, summary,
 * description, query, headers, body, responses, and its metadata (tag, extension, CORS, secret
 * key, caching), from which the documented response headers follow (`responseHeadersFor`).
 * Examples and curl samples are assembled from the schemas' field examples. The document-level
 * prose lives in `documentInfo.ts`.
 */
import { readFileSync } from 'node:fs';
import {
  ContractNoBody,
  isAppRouteNoBody,
  isAppRouteOtherResponse,
  type AppRouter,
} from '@ts-rest/core';
import {
  OpenApiBuilder,
  type MediaTypeObject,
  type OpenAPIObject,
  type OperationObject,
  type ParameterLocation,
  type ParameterObject,
  type PathItemObject,
  type ReferenceObject,
  type RequestBodyObject,
  type ResponseObject,
  type SchemaObject,
} from 'openapi3-ts/oas31';
import * as z from 'zod';
import {
  answeredMethods,
  apiErrorOf,
  contract,
  errorCodesOfBody,
  reportedCode,
  type ApiErrorCode,
  listRoutes,
  responseHeadersFor,
  type ContractRoute,
  type RouteMeta,
} from '../../contract/index.js';
import { documentDescription, SERVERS, TAGS, TITLE } from './documentInfo.js';
import { HeaderComponents } from './headerComponents.js';
import { isJsonObject, toJson, type JsonObject } from './json.js';
import { liftRepeatedSchemas } from './liftRepeatedSchemas.js';
import { addOperationExamples } from './operationExamples.js';
import { isZodSchema, SchemaCollector } from './schemaCollector.js';

// ---------------------------------------------------------------------------------------------
// Document-level facts the contract does not carry
// ---------------------------------------------------------------------------------------------

type TagName = (typeof TAGS)[number]['name'];

const SECRET_KEY_SCHEME = 'secretKey';

/**
 * Header parameters OpenAPI says to ignore (3.1 §4.8.12.1): they are described by the request
 * body's media type and by the security scheme instead.
 */
const RESERVED_HEADER_PARAMETERS: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'authorization',
]);

const REASON_PHRASES: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};


function asSchema(json: JsonObject): SchemaObject | ReferenceObject {
  return json;
}

// ---------------------------------------------------------------------------------------------
// Router walk
// ---------------------------------------------------------------------------------------------

/** ts-rest `/posts/:id` → OpenAPI `/posts/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] ?? '');
}

/** The route's own tag; routes declared without metadata are placed by their path. */
function tagOf(operationId: string, path: string, meta: RouteMeta | undefined): TagName {
  if (meta !== undefined) return meta.tag;
  if (path.startsWith('/api/v1/widget/auth/')) return 'auth';
  if (path.startsWith('/api/v1/widget/')) return 'widget';
  throw new Error(
    `Route "${operationId}" (${path}) has no tag: give it metadata: routeMeta({ tag }) in the contract`,
  );
}

/** `if-none-match` → `If-None-Match`: how header names are written in the reference. */
function headerCase(name: string): string {
  return name
    .split('-')
    .map((word) => (word[0]?.toUpperCase() ?? '') + word.slice(1))
    .join('-');
}

function parametersFromObject(object: JsonObject, location: ParameterLocation): ParameterObject[] {
  const properties = isJsonObject(object.properties) ? object.properties : {};
  const required = Array.isArray(object.required) ? object.required : [];
  const parameters: ParameterObject[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (location === 'header' && RESERVED_HEADER_PARAMETERS.has(name.toLowerCase())) continue;
    if (!isJsonObject(property)) continue;
    const { description, ...schema } = property;
    const parameter: ParameterObject = {
      name: location === 'header' ? headerCase(name) : name,
      in: location,
    };
    if (typeof description === 'string') parameter.description = description;
    parameter.required = location === 'path' || required.includes(name);
    parameter.schema = asSchema(schema);
    parameters.push(parameter);
  }
  return parameters;
}

/** A record-form `headers` (`{ name: schema }`) as one zod object. */
function headersSchema(headers: unknown, where: string): unknown {
  if (headers === undefined || headers === null) return undefined;
  if (isZodSchema(headers)) return headers;
  if (typeof headers !== 'object') throw new Error(`${where}: unsupported headers`);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(headers)) {
    if (schema === null) continue;
    if (!(schema instanceof z.ZodType))
      throw new Error(`${where}: header "${name}" is not a zod 4 schema`);
    shape[name] = schema;
  }
  return z.object(shape);
}

function describeResponse(
  status: number,
  media: JsonObject | undefined,
  isText: boolean,
  schemaDescription?: string,
): string {
  const reason = REASON_PHRASES[status] ?? `HTTP ${status}`;
  if (media === undefined) return `${reason}. No body.`;
  if (isText) {
    if (Array.isArray(media.enum)) {
      const messages = media.enum
        .map((message) => `\`${typeof message === 'string' ? message : JSON.stringify(message)}\``)
        .join(' · ');
      return `${reason}. The body is exactly one of: ${messages}.`;
    }
    if (typeof media.const === 'string') return `${reason}. The body is \`${media.const}\`.`;
    if (typeof media.description === 'string') return `${reason}. ${media.description}`;
    return `${reason}.`;
  }
  return schemaDescription === undefined ? `${reason}.` : `${reason}. ${schemaDescription}`;
}

/** The catalogue codes of each generated error body schema, for naming its component. */
const errorCodesOfMedia = new WeakMap<object, readonly ApiErrorCode[]>();

const exampleKey = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'body';

/**
 * Media-type examples for an error body, one per code it stands for (field reasons: one per
 * listed reason), each with the `KatavenError.code` the typed clients report for it.
 */
function errorExamples(codes: readonly ApiErrorCode[]): MediaTypeObject['examples'] {
  const examples: NonNullable<MediaTypeObject['examples']> = {};
  const exact = codes.filter((code) => apiErrorOf(code).fieldReasons === undefined);
  const open = codes.filter((code) => apiErrorOf(code).fieldReasons !== undefined);
  for (const code of exact) {
    examples[code] = { summary: `KatavenError.code: ${reportedCode(code)}`, value: apiErrorOf(code).message };
  }
  for (const code of open) {
    for (const reason of apiErrorOf(code).fieldReasons ?? []) {
      examples[exampleKey(reason)] = { summary: `KatavenError.code: ${reportedCode(code)}`, value: reason };
    }
  }
  return examples;
}

/** Media-type examples for another text body: its fixed texts (`ok`), else its listed examples. */
function textExamples(media: JsonObject): MediaTypeObject['examples'] {
  const listed = Array.isArray(media.enum) ? media.enum : Array.isArray(media.examples) ? media.examples : [];
  const texts = [...listed, media.const].filter((value): value is string => typeof value === 'string');
  if (texts.length === 0) return undefined;
  return Object.fromEntries(texts.map((text) => [exampleKey(text), { value: text }]));
}

function buildOperation(
  { key: operationId, route, meta }: ContractRoute,
  schemas: SchemaCollector,
  headerComponents: HeaderComponents,
): OperationObject {
  const tag = tagOf(operationId, route.path, meta);
  const operation: OperationObject = { operationId, tags: [tag] };
  if (route.summary !== undefined) operation.summary = route.summary;
  if (route.description !== undefined) operation.description = route.description;
  if (route.deprecated === true) operation.deprecated = true;
  // An empty list says "no authentication" explicitly, rather than leaving it unsaid.
  operation.security = meta?.secretKey === true ? [{ [SECRET_KEY_SCHEME]: [] }] : [];

  const parameters: ParameterObject[] = [];
  const pathNames = pathParameterNames(route.path);
  if (route.pathParams !== undefined && route.pathParams !== null) {
    parameters.push(
      ...parametersFromObject(schemas.convertParameters(route.pathParams, 'pathParams'), 'path'),
    );
  }
  for (const name of pathNames) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name)) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  if (route.query !== undefined && route.query !== null) {
    parameters.push(
      ...parametersFromObject(schemas.convertParameters(route.query, 'query'), 'query'),
    );
  }
  const headers = headersSchema(route.headers, operationId);
  if (headers !== undefined) {
    parameters.push(
      ...parametersFromObject(schemas.convertParameters(headers, 'headers'), 'header'),
    );
  }
  if (parameters.length > 0) operation.parameters = parameters;

  if (route.method !== 'GET' && 'body' in route) {
    const body: unknown = route.body;
    if (body !== undefined && body !== null && body !== ContractNoBody) {
      const contentType =
        'contentType' in route && route.contentType !== undefined
          ? route.contentType
          : 'application/json';
      const requestBody: RequestBodyObject = {
        required: true,
        content: { [contentType]: { schema: asSchema(schemas.convert(body, 'input', 'body')) } },
      };
      operation.requestBody = requestBody;
    }
  }

  const responses: Record<string, ResponseObject> = {};
  const statuses = Object.keys(route.responses)
    .map(Number)
    .sort((a, b) => a - b);
  for (const status of statuses) {
    const declared = route.responses[status];
    if (declared === undefined) continue;
    let response: ResponseObject;
    if (isAppRouteNoBody(declared)) {
      response = { description: describeResponse(status, undefined, false) };
    } else if (isAppRouteOtherResponse(declared)) {
      const media = schemas.convert(declared.body, 'output', `responses.${status}`);
      const isText = declared.contentType.startsWith('text/');
      const mediaType: MediaTypeObject = { schema: asSchema(media) };
      const codes = errorCodesOfBody(declared.body);
      if (codes !== undefined) errorCodesOfMedia.set(media, codes);
      const examples = codes !== undefined ? errorExamples(codes) : isText ? textExamples(media) : undefined;
      if (examples !== undefined) mediaType.examples = examples;
      response = {
        description: describeResponse(status, media, isText),
        content: { [declared.contentType]: mediaType },
      };
    } else {
      const media = schemas.convert(declared, 'output', `responses.${status}`);
      const described: unknown = isZodSchema(declared)
        ? z.globalRegistry.get(declared)?.description
        : undefined;
      response = {
        description: describeResponse(
          status,
          media,
          false,
          typeof described === 'string' ? described : undefined,
        ),
        content: { 'application/json': { schema: asSchema(media) } },
      };
    }
    const headers = responseHeadersFor(meta, status);
    if (headers.length > 0) {
      response.headers = Object.fromEntries(
        headers.map(({ key, header }) => [header.name, headerComponents.ref(key, header)]),
      );
    }
    responses[String(status)] = response;
  }
  operation.responses = responses;

  if (meta?.extension === true) {
    operation['x-extension'] = true;
    // Scalar and Redoc show badges next to the operation's title.
    operation['x-badges'] = [{ name: 'Extension' }];
  }
  return operation;
}

/**
 * The `HEAD` twin of a `GET` operation: same parameters, statuses and response headers, no body
 * (RFC 9110 §9.3.2). Declared so validating proxies and generated clients accept the HEAD
 * requests the server answers; kept out of the human reference (`x-scalar-ignore`), where the GET
 * operation stands for both.
 */
function headOperation(get: OperationObject): OperationObject {
  const responses: Record<string, ResponseObject> = {};
  for (const [status, declared] of Object.entries(get.responses as Record<string, ResponseObject>)) {
    const response: ResponseObject = { description: describeResponse(Number(status), undefined, false) };
    if (declared.headers !== undefined) response.headers = structuredClone(declared.headers);
    responses[status] = response;
  }
  const head: OperationObject = {
    ...structuredClone(get),
    operationId: `${get.operationId ?? 'get'}Head`,
    summary: `${get.summary ?? 'GET'} (HEAD)`,
    description: `The \`GET\` answer without its body: the same status and headers (RFC 9110 §9.3.2).`,
    responses,
  };
  // The GET operation's curl sample would send a GET.
  delete head['x-codeSamples'];
  head['x-scalar-ignore'] = true;
  return head;
}

function packageVersion(): string {
  const raw: unknown = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  return z.object({ version: z.string().min(1) }).parse(raw).version;
}

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** Builds the OpenAPI 3.1 document for a ts-rest router (by default, the API's `contract`). */
export function buildOpenApiDocument(router: AppRouter = contract): OpenAPIObject {
  const routes = listRoutes(router);
  let current = '';
  const schemas = new SchemaCollector((where) => `Route "${current}" ${where}`);

  const seenIds = new Set<string>();
  const paths = new Map<string, PathItemObject>();
  const headerComponents = new HeaderComponents();
  for (const entry of routes) {
    current = entry.key;
    if (seenIds.has(entry.key)) throw new Error(`Duplicate operationId "${entry.key}"`);
    seenIds.add(entry.key);
    const path = toOpenApiPath(entry.path);
    const method = entry.method.toLowerCase() as HttpMethod;
    const item = paths.get(path) ?? {};
    if (item[method] !== undefined) throw new Error(`Two routes for ${entry.method} ${path}`);
    item[method] = buildOperation(entry, schemas, headerComponents);
    paths.set(path, item);
  }

  const components: Record<string, JsonObject> = schemas.finish();
  Object.assign(components, liftRepeatedSchemas(paths, new Set(Object.keys(components)), (schema) => errorCodesOfMedia.get(schema)));
  for (const [path, item] of paths) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation !== undefined) addOperationExamples(operation, method, path, components);
    }
  }
  for (const route of routes) {
    const item = paths.get(toOpenApiPath(route.path));
    if (item?.get !== undefined && answeredMethods(route).includes('HEAD')) {
      item.head = headOperation(item.get);
    }
  }

  const builder = OpenApiBuilder.create({
    openapi: '3.1.0',
    info: { title: TITLE, version: packageVersion(), description: documentDescription() },
    paths: {},
    components: {},
  });
  for (const server of SERVERS) builder.addServer(structuredClone(server));
  const usedTags = new Set(
    [...paths.values()].flatMap((item) =>
      Object.values(item).flatMap((op: OperationObject) => op.tags ?? []),
    ),
  );
  for (const tag of TAGS) if (usedTags.has(tag.name)) builder.addTag({ ...tag });
  for (const [path, item] of paths) builder.addPath(path, item);
  for (const name of Object.keys(components).sort()) {
    const schema = components[name];
    if (schema !== undefined) builder.addSchema(name, asSchema(schema));
  }
  for (const [name, header] of Object.entries(headerComponents.components()))
    builder.addHeader(name, header);
  builder.addSecurityScheme(SECRET_KEY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sk_live_kt_… / sk_test_kt_…',
    description:
      "The account's secret key in `Authorization: Bearer …`, server-to-server only: never send it from a browser. `sk_live_kt_` keys serve `pk_live_` widgets, `sk_test_kt_` keys `pk_test_` widgets. Accepted only in this header, never in a query or body.",
  });

  return toJson(builder.getSpec()) as unknown as OpenAPIObject;
}

/** The document as committed at the repo root: 2-space JSON with a trailing newline. */
export function renderOpenApiJson(document: OpenAPIObject = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
