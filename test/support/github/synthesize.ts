// Builds responses the way GitHub shapes them: the stand-in supplies the fields it
// has meaning for (ids, bodies, states, URLs) and every other field the response
// schema requires gets a plain value of the right type. A client written against
// the stand-in therefore sees every field it would see from GitHub.
import type { Schema } from './json-schema.js';

/** A fixed instant for timestamps nobody cares about. */
const PLACEHOLDER_TIME = '2024-01-01T00:00:00Z';
const PLACEHOLDER_URL = 'https://api.github.com/stand-in';

export function synthesize(schema: Schema, known?: unknown): unknown {
  const branch = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (branch) return synthesize({ ...branch, ...withoutBranches(schema) }, known);
  if (known !== undefined) return fill(schema, known);
  if (schema.nullable) return null;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'string': return schema.format === 'uri' ? PLACEHOLDER_URL : schema.format === 'date-time' ? PLACEHOLDER_TIME : '';
    case 'integer':
    case 'number': return schema.minimum ?? 0;
    case 'boolean': return false;
    case 'array': return [];
    case 'object': return fill(schema, {});
    default: return null;
  }
}

function fill(schema: Schema, known: unknown): unknown {
  if (Array.isArray(known)) return known.map((item) => (schema.items ? synthesize(schema.items, item) : item));
  if (known === null || typeof known !== 'object' || schema.type !== 'object') return known;
  const given = known as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties?.[name] ?? {};
    result[name] = synthesize(property, given[name]);
  }
  for (const [name, value] of Object.entries(given)) {
    if (name in result) continue;
    const property = schema.properties?.[name];
    result[name] = property ? synthesize(property, value) : value;
  }
  return result;
}

function withoutBranches(schema: Schema): Schema {
  const { oneOf: _oneOf, anyOf: _anyOf, ...rest } = schema;
  return rest;
}
