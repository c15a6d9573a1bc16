/**
 * The documented response headers as `components/headers`, each defined once and referenced by
 * every response that carries it.
 */
import type { HeaderObject, ReferenceObject, SchemaObject } from 'openapi3-ts/oas31';
import * as z from 'zod';
import type { ResponseHeader } from '../../contract/index.js';

function headerSchema(header: ResponseHeader): SchemaObject {
  const schema = z.toJSONSchema(header.value, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  delete schema.$schema;
  // `example` is deprecated in OpenAPI 3.1 schemas: JSON Schema's `examples` replaces it.
  if ('example' in schema) {
    schema.examples ??= [schema.example];
    delete schema.example;
  }
  return JSON.parse(JSON.stringify(schema)) as SchemaObject;
}

export class HeaderComponents {
  private readonly used = new Map<string, HeaderObject>();

  /** A reference to the header's component, defining the component on first use. */
  ref(key: string, header: ResponseHeader): ReferenceObject {
    const defined = this.used.get(key);
    const object: HeaderObject = {
      description: header.description,
      required: header.required,
      schema: headerSchema(header),
    };
    if (defined === undefined) this.used.set(key, object);
    else if (JSON.stringify(defined) !== JSON.stringify(object)) {
      throw new Error(`Two different response headers share the component name "${key}"`);
    }
    return { $ref: `#/components/headers/${key}` };
  }

  /** Every header component used, by name. */
  components(): Record<string, HeaderObject> {
    return Object.fromEntries([...this.used.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
