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
import { liftRepeatedSchemas } from './liftRepeatedSchemas.js';
import { addOperationExamples } from './operationExamples.js';

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


// ---------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-only deep copy (drops zod's non-enumerable `~standard` and anything non-JSON). */
function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** JSON text with object keys sorted, for structural comparison. */
function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Calls `visit` on every object nested in `value` (itself included). */
function forEachObject(value: Json, visit: (object: JsonObject) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachObject(item, visit);
  } else if (isJsonObject(value)) {
    visit(value);
    for (const key of Object.keys(value)) forEachObject(value[key] ?? null, visit);
  }
}

function asSchema(json: JsonObject): SchemaObject | ReferenceObject {
  return json;
}

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema, with `.meta({ id })` schemas lifted into components/schemas
// ---------------------------------------------------------------------------------------------

type Io = 'input' | 'output';

const COMPONENT_PREFIX = '#/components/schemas/';
const DEFS_PREFIX = '#/$defs/';
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

function isZodSchema(value: unknown): value is z.core.$ZodType {
  return value instanceof z.core.$ZodType;
}

/**
 * Per-schema adjustments, applied by zod while it converts:
 * - `example` (deprecated in OpenAPI 3.1) becomes JSON Schema's `examples` array;
 * - a plain `z.object()` response is not declared closed. Zod strips unknown keys, so in `output`
 *   mode it writes `additionalProperties: false`; publishing that would make adding a response
 *   field a breaking change for clients generated from this document. Strict objects
 *   (`z.strictObject`) keep theirs, because there it is part of the contract.
 */
function override(io: Io) {
  return (ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: z.core.JSONSchema.BaseSchema }): void => {
    const json = ctx.jsonSchema;
    if ('example' in json) {
      if (!('examples' in json)) json.examples = [json.example];
      delete json.example;
    }
    const def = ctx.zodSchema._zod.def;
    if (io === 'output' && def.type === 'object' && def.catchall === undefined) {
      if (json.additionalProperties === false) delete json.additionalProperties;
    }
  };
}

/**
 * Collects the component schemas (`.meta({ id })`) met while converting route schemas. Request
 * schemas are converted as zod's `input` type and responses as its `output` type; if one id comes
 * out differently in the two (a `.default()`, a transform), the request variant is published as
 * `<id>Input` and request schemas are pointed at it.
 */
class SchemaCollector {
  private readonly defs: Record<Io, Map<string, JsonObject>> = {
    input: new Map(),
    output: new Map(),
  };
  /** Every request-side (`input`) schema handed out, so its `$ref`s can be renamed at the end. */
  private readonly inputRoots: JsonObject[] = [];

  constructor(private readonly routeName: (where: string) => string) {}

  /** Converts one route schema; the result's `$ref`s point at `#/components/schemas/<id>`. */
  convert(schema: unknown, io: Io, where: string): JsonObject {
    const { root, defs } = this.convertRaw(schema, io, where);
    for (const [id, def] of defs) this.addDef(id, def, io, where);
    if (io === 'input') this.inputRoots.push(root);
    return root;
  }

  /**
   * Converts an object schema whose properties become parameters. The object itself is never a
   * component (if it has an id, it is unwrapped); schemas nested in its properties still are.
   */
  convertParameters(schema: unknown, where: string): JsonObject {
    const { root, defs } = this.convertRaw(schema, 'input', where);
    let object = root;
    const ref = root.$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENT_PREFIX)) {
      const id = ref.slice(COMPONENT_PREFIX.length);
      const def = defs.get(id);
      if (def === undefined) throw new Error(`${this.routeName(where)}: unresolved ${ref}`);
      defs.delete(id);
      object = {
        ...def,
        ...Object.fromEntries(Object.entries(root).filter(([k]) => k !== '$ref')),
      };
    }
    if (object.type !== 'object' || !isJsonObject(object.properties)) {
      throw new Error(`${this.routeName(where)}: must be a z.object() to become parameters`);
    }
    for (const [id, def] of defs) this.addDef(id, def, 'input', where);
    this.inputRoots.push(object);
    return object;
  }

  /** The components/schemas map (sorted by name); renames request-only variants in place. */
  finish(): Record<string, JsonObject> {
    const { input, output } = this.defs;
    const differing = new Set<string>();
    for (const [id, def] of input) {
      const other = output.get(id);
      if (other !== undefined && canonicalJson(other) !== canonicalJson(def)) differing.add(id);
    }
    // A request schema that references a renamed one differs too (its `$ref` changes).
    for (let grew = true; grew;) {
      grew = false;
      for (const [id, def] of input) {
        if (differing.has(id) || !output.has(id)) continue;
        if (referencedIds(def).some((ref) => differing.has(ref))) {
          differing.add(id);
          grew = true;
        }
      }
    }
    const inputName = (id: string) => (differing.has(id) ? `${id}Input` : id);
    for (const id of differing) {
      if (input.has(`${id}Input`) || output.has(`${id}Input`)) {
        throw new Error(
          `Schema id "${id}Input" is taken; cannot publish the request variant of "${id}"`,
        );
      }
    }
    const renameRefs = (json: JsonObject) => {
      forEachObject(json, (object) => {
        const ref = object.$ref;
        if (typeof ref === 'string' && ref.startsWith(COMPONENT_PREFIX)) {
          object.$ref = COMPONENT_PREFIX + inputName(ref.slice(COMPONENT_PREFIX.length));
        }
      });
    };
    if (differing.size > 0) {
      for (const root of this.inputRoots) renameRefs(root);
      for (const def of input.values()) renameRefs(def);
    }

    const all = new Map<string, JsonObject>(output);
    for (const [id, def] of input) all.set(inputName(id), def);
    const sorted: Record<string, JsonObject> = {};
    for (const name of [...all.keys()].sort()) {
      const def = all.get(name);
      if (def !== undefined) sorted[name] = def;
    }
    return sorted;
  }

  private convertRaw(
    schema: unknown,
    io: Io,
    where: string,
  ): { root: JsonObject; defs: Map<string, JsonObject> } {
    if (!isZodSchema(schema)) {
      throw new Error(
        `${this.routeName(where)}: not a zod 4 schema; the generator only reads zod 4`,
      );
    }
    const converted = toJson(
      z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        io,
        unrepresentable: 'any',
        override: override(io),
      }),
    );
    if (!isJsonObject(converted))
      throw new Error(`${this.routeName(where)}: unexpected JSON Schema`);
    const { $defs, ...root } = converted;
    const defs = new Map<string, JsonObject>();
    if (isJsonObject($defs)) {
      for (const [id, def] of Object.entries($defs)) {
        if (!isJsonObject(def)) throw new Error(`${this.routeName(where)}: unexpected $defs.${id}`);
        if (id.startsWith('__schema')) {
          throw new Error(
            `${this.routeName(where)}: a recursive schema needs .meta({ id }) to become a component`,
          );
        }
        if (!COMPONENT_NAME.test(id)) {
          throw new Error(
            `${this.routeName(where)}: schema id "${id}" is not a valid component name`,
          );
        }
        defs.set(id, def);
      }
    }
    for (const json of [root, ...defs.values()]) {
      forEachObject(json, (object) => {
        delete object.$schema;
        const ref = object.$ref;
        if (typeof ref !== 'string') return;
        if (ref.startsWith(DEFS_PREFIX)) {
          object.$ref = COMPONENT_PREFIX + decodePointerSegment(ref.slice(DEFS_PREFIX.length));
        } else if (ref === '#') {
          throw new Error(`${this.routeName(where)}: a recursive root schema needs .meta({ id })`);
        }
      });
    }
    return { root, defs };
  }

  private addDef(id: string, def: JsonObject, io: Io, where: string): void {
    const known = this.defs[io].get(id);
    if (known === undefined) {
      this.defs[io].set(id, def);
    } else if (canonicalJson(known) !== canonicalJson(def)) {
      throw new Error(
        `${this.routeName(where)}: two different schemas share the id "${id}"; give each its own .meta({ id })`,
      );
    }
  }
}

function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function referencedIds(json: JsonObject): string[] {
  const ids: string[] = [];
  forEachObject(json, (object) => {
    const ref = object.$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENT_PREFIX)) {
      ids.push(ref.slice(COMPONENT_PREFIX.length));
    }
  });
  return ids;
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
