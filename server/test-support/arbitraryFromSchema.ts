/**
 * fast-check arbitraries derived from the contract's zod schemas, through their JSON Schema
 * (`z.toJSONSchema`): objects with their required and optional properties, strings within their
 * length bounds and patterns (email included), records within `maxProperties`, unions, numbers,
 * booleans, literals and enums. Every value is finally checked with the zod schema itself, so
 * refinements JSON Schema cannot express hold too.
 */
import fc from 'fast-check';
import * as z from 'zod';

interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

/** Strings stay short unless the schema demands otherwise: long values are the mutator's job. */
const DEFAULT_MAX_LENGTH = 40;

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(
    minLength,
    Math.min(schema.maxLength ?? DEFAULT_MAX_LENGTH, DEFAULT_MAX_LENGTH),
  );
  const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity);
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  if (schema.pattern === undefined) return fc.string({ unit: 'grapheme', minLength, maxLength });
  const pattern = new RegExp(schema.pattern, 'u');
  try {
    return fc.stringMatching(pattern).filter(fits);
  } catch {
    // fast-check cannot generate from negated Unicode property classes (`[^\p{Cc}\p{Cs}]`).
    return fc.string({ unit: 'grapheme', minLength, maxLength }).filter((s) => pattern.test(s));
  }
}

function objectArbitrary(
  schema: JsonSchema,
  root: JsonSchema,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length > 0) {
    const model = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [name, fromSchema(property, root)]),
    );
    return fc.record(model, { requiredKeys: schema.required ?? [] });
  }
  const valueSchema =
    typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {};
  return fc.dictionary(
    stringArbitrary(schema.propertyNames ?? { maxLength: 20 }),
    fromSchema(valueSchema, root),
    {
      maxKeys: Math.min(schema.maxProperties ?? 5, 5),
    },
  );
}

function fromSchema(schema: JsonSchema, root: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace('#/$defs/', '');
    const target = root.$defs?.[name];
    if (target === undefined) throw new Error(`unresolved ${schema.$ref}`);
    return fromSchema(target, root);
  }
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined)
    return fc.oneof(...alternatives.map((alternative) => fromSchema(alternative, root)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return objectArbitrary(schema, root);
    case 'string':
      return stringArbitrary(schema);
    case 'number':
      return fc.double({
        noNaN: true,
        noDefaultInfinity: true,
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
      });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9 });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values that the zod schema accepts, generated from its JSON Schema. */
export function arbitraryFromSchema<T>(schema: z.ZodType<T>): fc.Arbitrary<T> {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return fromSchema(root, root)
    .filter((value) => schema.safeParse(value).success)
    .map((value) => value as T);
}
