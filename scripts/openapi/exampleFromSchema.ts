/**
 * Builds an example value from a JSON Schema out of the examples its parts carry, so request and
 * response examples are assembled from the contract's field examples instead of being written a
 * second time. A part with nothing to go on is an error: every documented field needs an example.
 */

import type { Json } from './json.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const COMPONENT_PREFIX = '#/components/schemas/';

export function exampleFromSchema(
  schema: unknown,
  components: Readonly<Record<string, unknown>>,
  where: string,
): Json {
  if (!isObject(schema)) throw new Error(`${where}: not a schema`);
  if (Array.isArray(schema.examples) && schema.examples.length > 0)
    return schema.examples[0] as Json;
  if ('const' in schema) return schema.const as Json;
  if ('default' in schema) return schema.default as Json;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as Json;
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith(COMPONENT_PREFIX))
      throw new Error(`${where}: cannot follow ${schema.$ref}`);
    const name = schema.$ref.slice(COMPONENT_PREFIX.length);
    return exampleFromSchema(components[name], components, `${where} → ${name}`);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches: unknown = schema[key];
    if (Array.isArray(branches) && branches.length > 0) {
      const list = branches as unknown[];
      const usable =
        list.find((branch) => !(isObject(branch) && branch.type === 'null')) ?? list[0];
      return exampleFromSchema(usable, components, `${where}.${key}`);
    }
  }
  if (schema.type === 'object') {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const example: Record<string, Json> = {};
    for (const [name, property] of Object.entries(properties)) {
      example[name] = exampleFromSchema(property, components, `${where}.${name}`);
    }
    return example;
  }
  if (schema.type === 'array') return [exampleFromSchema(schema.items, components, `${where}[]`)];
  throw new Error(`${where}: give this schema an example (.meta({ example }))`);
}
