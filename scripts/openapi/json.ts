/** JSON values as the OpenAPI generator handles them: type, copy, canonical text, walk. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-only deep copy (drops zod's non-enumerable `~standard` and anything non-JSON). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** JSON text with object keys sorted, for structural comparison. */
export function canonicalJson(value: Json): string {
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
export function forEachObject(value: Json, visit: (object: JsonObject) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachObject(item, visit);
  } else if (isJsonObject(value)) {
    visit(value);
    for (const key of Object.keys(value)) forEachObject(value[key] ?? null, visit);
  }
}
