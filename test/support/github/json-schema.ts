// A validator for the subset of JSON Schema (OpenAPI 3.0 flavour) that GitHub's
// description uses for the operations in test/fixtures/github/openapi-subset.json.
// A keyword it does not know makes loading the fixture fail, so a regenerated
// fixture can never be validated more loosely than it says without anyone noticing.

export interface Schema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
}

export interface SchemaProblem {
  /** Where in the value, e.g. `body.state` or `query.per_page`. */
  at: string;
  message: string;
}

export interface ValidateOptions {
  /**
   * GitHub ignores properties it does not know, which hides a misspelt field
   * (`targetUrl`) forever; requests from deckhand are checked with this on.
   */
  rejectUnknownProperties?: boolean;
}

const SUPPORTED_KEYWORDS = new Set<string>([
  'type', 'nullable', 'enum', 'const', 'format', 'default', 'properties', 'required',
  'additionalProperties', 'items', 'oneOf', 'anyOf', 'allOf',
  'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
]);

/** Throws when a schema uses a keyword this validator would silently ignore. */
export function assertSupported(schema: Schema, at = '#'): void {
  for (const [keyword, value] of Object.entries(schema)) {
    if (!SUPPORTED_KEYWORDS.has(keyword)) throw new Error(`${at}: JSON-schema keyword "${keyword}" is not supported by the stand-in's validator`);
    if (keyword === 'properties') for (const [name, sub] of Object.entries(value as Record<string, Schema>)) assertSupported(sub, `${at}/properties/${name}`);
    if (keyword === 'items' || (keyword === 'additionalProperties' && typeof value === 'object')) assertSupported(value as Schema, `${at}/${keyword}`);
    if (keyword === 'oneOf' || keyword === 'anyOf' || keyword === 'allOf') (value as Schema[]).forEach((sub, i) => assertSupported(sub, `${at}/${keyword}/${i}`));
  }
}

export function validate(schema: Schema, value: unknown, at: string, options: ValidateOptions = {}): SchemaProblem[] {
  if (value === null) return schema.nullable || schema.type === undefined ? [] : [{ at, message: 'must not be null' }];
  if (schema.oneOf || schema.anyOf) {
    // GitHub's oneOf branches overlap (a null matches every nullable branch), so
    // "exactly one" would reject values GitHub itself sends: any match will do.
    const branches = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
    if (!branches.some((branch) => validate(branch, value, at, options).length === 0)) return [{ at, message: 'matches none of the allowed shapes' }];
  }
  const problems = (schema.allOf ?? []).flatMap((branch) => validate(branch, value, at, options));
  if (schema.enum && !schema.enum.includes(value)) return [...problems, { at, message: `must be one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}` }];
  if ('const' in schema && schema.const !== value) return [...problems, { at, message: `must be ${JSON.stringify(schema.const)}` }];
  if (schema.type && !hasType(value, schema.type)) return [...problems, { at, message: `must be ${schema.type}, got ${describeType(value)}` }];
  if (typeof value === 'string') problems.push(...validateString(schema, value, at));
  if (typeof value === 'number') problems.push(...validateNumber(schema, value, at));
  if (Array.isArray(value)) problems.push(...validateArray(schema, value, at, options));
  else if (typeof value === 'object') problems.push(...validateObject(schema, value as Record<string, unknown>, at, options));
  return problems;
}

function validateString(schema: Schema, value: string, at: string): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  // Characters as GitHub counts them (code points); counted only when a limit asks.
  const length = schema.minLength !== undefined || schema.maxLength !== undefined ? [...value].length : 0;
  if (schema.minLength !== undefined && length < schema.minLength) problems.push({ at, message: `must be at least ${schema.minLength} characters` });
  if (schema.maxLength !== undefined && length > schema.maxLength) problems.push({ at, message: `must be at most ${schema.maxLength} characters` });
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problems.push({ at, message: `must match ${schema.pattern}` });
  if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) problems.push({ at, message: 'must be an ISO 8601 date-time' });
  if (schema.format === 'uri' && !URL.canParse(value)) problems.push({ at, message: `must be a URI, got ${JSON.stringify(value)}` });
  return problems;
}

function validateNumber(schema: Schema, value: number, at: string): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (schema.minimum !== undefined && value < schema.minimum) problems.push({ at, message: `must be ≥ ${schema.minimum}` });
  if (schema.maximum !== undefined && value > schema.maximum) problems.push({ at, message: `must be ≤ ${schema.maximum}` });
  return problems;
}

function validateArray(schema: Schema, value: unknown[], at: string, options: ValidateOptions): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (schema.minItems !== undefined && value.length < schema.minItems) problems.push({ at, message: `must have at least ${schema.minItems} items` });
  if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push({ at, message: `must have at most ${schema.maxItems} items` });
  if (schema.items) value.forEach((item, i) => problems.push(...validate(schema.items!, item, `${at}[${i}]`, options)));
  return problems;
}

function validateObject(schema: Schema, value: Record<string, unknown>, at: string, options: ValidateOptions): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const name of schema.required ?? []) {
    if (!(name in value)) problems.push({ at: `${at}.${name}`, message: 'is required' });
  }
  for (const [name, property] of Object.entries(value)) {
    const known = schema.properties?.[name];
    if (known) problems.push(...validate(known, property, `${at}.${name}`, options));
    else if (typeof schema.additionalProperties === 'object') problems.push(...validate(schema.additionalProperties, property, `${at}.${name}`, options));
    else if (schema.additionalProperties === false || (options.rejectUnknownProperties && schema.additionalProperties === undefined && schema.properties)) {
      problems.push({ at: `${at}.${name}`, message: 'is not a known property' });
    }
  }
  return problems;
}

function hasType(value: unknown, type: NonNullable<Schema['type']>): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    default: return typeof value === type;
  }
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}
