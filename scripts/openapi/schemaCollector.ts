/**
 * zod 4 → JSON Schema (draft 2020-12) for the OpenAPI document, with the schemas that carry
 * `.meta({ id })` lifted into `components/schemas`.
 */
import * as z from 'zod';
import { canonicalJson, forEachObject, isJsonObject, toJson, type JsonObject } from './json.js';

export type Io = 'input' | 'output';

export const COMPONENT_PREFIX = '#/components/schemas/';
const DEFS_PREFIX = '#/$defs/';
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

export function isZodSchema(value: unknown): value is z.core.$ZodType {
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
export class SchemaCollector {
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
