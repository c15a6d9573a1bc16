/**
 * Response bodies declared inline in several operations (the shared `text/plain` errors: 405,
 * 413, 415, 429, 500, …) become one `components/schemas` entry each, referenced everywhere.
 * An error body is named after the catalogue codes it stands for, so names are stable and readable.
 */
import type { OperationObject, PathItemObject, ResponseObject } from 'openapi3-ts/oas31';

type JsonObject = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const object = value as JsonObject;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => (word[0]?.toUpperCase() ?? '') + word.slice(1))
    .join('');

/** The error codes a generated response schema stands for; `undefined` for other bodies. */
export type ErrorCodesOfSchema = (schema: object) => readonly string[] | undefined;

/** `RateLimitedMessage`, `UnsupportedMediaTypeOrUnsupportedEncodingMessage`, `OkText`. */
function componentName(schema: JsonObject, codesOf: ErrorCodesOfSchema): string | undefined {
  const codes = codesOf(schema);
  if (codes !== undefined) return `${codes.map(pascal).join('Or')}Message`;
  const values = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : [];
  return values.length === 1 && typeof values[0] === 'string' ? `${pascal(values[0])}Text` : undefined;
}

function mediaSchemas(
  paths: ReadonlyMap<string, PathItemObject>,
): { holder: JsonObject; schema: JsonObject }[] {
  const found: { holder: JsonObject; schema: JsonObject }[] = [];
  for (const item of paths.values()) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      for (const response of Object.values(operation?.responses ?? {}) as ResponseObject[]) {
        for (const media of Object.values(response.content ?? {})) {
          const holder = media as JsonObject;
          const schema = holder.schema as JsonObject | undefined;
          if (schema !== undefined && typeof schema.$ref !== 'string')
            found.push({ holder, schema });
        }
      }
    }
  }
  return found;
}

/** Replaces repeated inline response schemas by references; returns the new components. */
export function liftRepeatedSchemas(
  paths: ReadonlyMap<string, PathItemObject>,
  taken: ReadonlySet<string>,
  codesOf: ErrorCodesOfSchema,
): Record<string, JsonObject> {
  const groups = new Map<string, { holder: JsonObject; schema: JsonObject }[]>();
  for (const entry of mediaSchemas(paths)) {
    const key = canonical(entry.schema);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const lifted: Record<string, JsonObject> = {};
  for (const group of groups.values()) {
    const first = group[0];
    if (group.length < 2 || first === undefined) continue;
    const name = componentName(first.schema, codesOf);
    if (name === undefined) continue;
    if (taken.has(name) || name in lifted)
      throw new Error(`Component name "${name}" is taken twice`);
    lifted[name] = first.schema;
    for (const { holder } of group) holder.schema = { $ref: `#/components/schemas/${name}` };
  }
  return lifted;
}
