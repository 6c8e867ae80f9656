// The operations of test/fixtures/github/openapi-subset.json (written by
// scripts/extract-github-openapi.mjs), matched against incoming requests.
import { existsSync, readFileSync } from 'node:fs';
import { assertSupported, validate } from './json-schema.js';
import type { Schema, SchemaProblem } from './json-schema.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  /** GitHub lets these hold a `/` (a ref such as `heads/main`). */
  multiSegment?: boolean;
  schema: Schema;
}

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; schema: Schema };
  responses: Record<string, { schema?: Schema }>;
}

export interface MatchedOperation {
  operation: Operation;
  /** Path parameters, still as strings. */
  pathParams: Record<string, string>;
}

interface CompiledOperation {
  operation: Operation;
  pattern: RegExp;
  names: string[];
}

// Beside the sources (ts-jest), or from dist/test/support/github/ back to the sources (`npm run chaos` runs compiled code; tsc copies no JSON).
const fixturePath = [new URL('../../fixtures/github/openapi-subset.json', import.meta.url), new URL('../../../../test/fixtures/github/openapi-subset.json', import.meta.url)].find((url) => existsSync(url)) ?? new URL('../../fixtures/github/openapi-subset.json', import.meta.url);

export class OpenApiSubset {
  private readonly compiled: CompiledOperation[];

  constructor(readonly operations: Operation[]) {
    for (const operation of operations) {
      for (const parameter of operation.parameters) assertSupported(parameter.schema, `${operation.operationId}/${parameter.name}`);
      if (operation.requestBody) assertSupported(operation.requestBody.schema, `${operation.operationId}/body`);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (response.schema) assertSupported(response.schema, `${operation.operationId}/${status}`);
      }
    }
    this.compiled = operations.map(compile);
  }

  static load(): OpenApiSubset {
    const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as { operations: Operation[] };
    return new OpenApiSubset(fixture.operations);
  }

  byId(operationId: string): Operation {
    const found = this.operations.find((o) => o.operationId === operationId);
    if (!found) throw new Error(`operation ${operationId} is not in the fixture`);
    return found;
  }

  /** The operation for a method and a path (already percent-decoded per segment), or null. */
  match(method: string, pathname: string): MatchedOperation | null {
    for (const { operation, pattern, names } of this.compiled) {
      if (operation.method !== method) continue;
      const found = pattern.exec(pathname);
      if (!found) continue;
      const pathParams = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
      return { operation, pathParams };
    }
    return null;
  }

  /** True when some operation has this path with another method: GitHub answers 404 either way, but the message differs. */
  knowsPath(pathname: string): boolean {
    return this.compiled.some(({ pattern }) => pattern.test(pathname));
  }
}

/**
 * Checks path and query parameters: unknown query parameters are reported (GitHub
 * ignores them, which would hide a misspelt `per_page`), values are checked against
 * their schema after the string-to-type conversion GitHub applies.
 */
export function checkParameters(operation: Operation, pathParams: Record<string, string>, query: URLSearchParams): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in === 'header') continue;
    const raw = parameter.in === 'path' ? pathParams[parameter.name] : query.get(parameter.name) ?? undefined;
    const at = `${parameter.in}.${parameter.name}`;
    if (raw === undefined) {
      if (parameter.required) problems.push({ at, message: 'is required' });
      continue;
    }
    problems.push(...validate(parameter.schema, fromQueryString(raw, parameter.schema), at));
  }
  const known = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(query.keys())) {
    if (!known.has(name)) problems.push({ at: `query.${name}`, message: 'is not a parameter of this operation' });
  }
  return problems;
}

function fromQueryString(raw: string, schema: Schema): unknown {
  if (schema.type === 'integer' || schema.type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

function compile(operation: Operation): CompiledOperation {
  const names: string[] = [];
  const source = operation.path
    .split(/(\{[^}]+\})/)
    .map((piece) => {
      const name = /^\{([^}]+)\}$/.exec(piece)?.[1];
      if (!name) return piece.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name);
      const multiSegment = operation.parameters.find((p) => p.name === name)?.multiSegment;
      return multiSegment ? '(.+)' : '([^/]+)';
    })
    .join('');
  return { operation, pattern: new RegExp(`^${source}$`), names };
}
