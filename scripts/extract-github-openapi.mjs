#!/usr/bin/env node
// Extracts the few GitHub REST operations deckhand calls from GitHub's published
// OpenAPI description into test/fixtures/github/openapi-subset.json, with every
// $ref resolved, so the GitHub stand-in can check requests against what GitHub
// documents. The full description ships in @octokit/openapi (385 MB), far too
// big for the project's dependencies; install it aside and point this script at it:
//
//   npm install --prefix /tmp/octokit-openapi @octokit/openapi
//   node scripts/extract-github-openapi.mjs \
//     /tmp/octokit-openapi/node_modules/@octokit/openapi/generated/api.github.com.json
//
// Use the file without `.deref` in its name: it is five times smaller and this
// script resolves the references it needs itself.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operations deckhand uses, as [method, path] in GitHub's own spelling. */
const OPERATIONS = [
  ['post', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['get', '/repos/{owner}/{repo}/commits/{ref}/status'],
  ['get', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['post', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['patch', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['delete', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['get', '/repos/{owner}/{repo}/pulls'],
  ['get', '/repos/{owner}/{repo}/pulls/{pull_number}'],
];

/**
 * JSON-schema keywords kept in the fixture. Prose (description, examples) is dropped
 * to keep the fixture small and readable; nothing a validator needs is lost.
 */
const SCHEMA_KEYWORDS = new Set([
  'type', 'nullable', 'enum', 'const', 'format', 'default',
  'properties', 'required', 'additionalProperties', 'items',
  'oneOf', 'anyOf', 'allOf', 'not',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems',
  'minProperties', 'maxProperties',
]);

const here = dirname(fileURLToPath(import.meta.url));
const defaultOutput = join(here, '..', 'test', 'fixtures', 'github', 'openapi-subset.json');

function main(argv) {
  const [inputPath, outputPath = defaultOutput] = argv;
  if (!inputPath) {
    console.error('usage: extract-github-openapi.mjs <path to api.github.com.json> [output]');
    process.exit(2);
  }
  const document = JSON.parse(readFileSync(inputPath, 'utf8'));
  const subset = {
    source: {
      package: '@octokit/openapi',
      packageVersion: readPackageVersion(inputPath),
      file: basename(inputPath),
      openapi: document.openapi,
      extractedBy: 'scripts/extract-github-openapi.mjs',
    },
    operations: OPERATIONS.map(([method, path]) => extractOperation(document, method, path)),
  };
  mkdirSync(dirname(resolve(outputPath)), { recursive: true });
  writeFileSync(outputPath, `${JSON.stringify(subset, null, 1)}\n`);
  console.log(`wrote ${subset.operations.length} operations to ${outputPath}`);
}

function extractOperation(document, method, path) {
  const operation = document.paths[path]?.[method];
  if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the description`);
  const parameters = (operation.parameters ?? []).map((p) => {
    const parameter = resolveRef(document, p);
    return {
      name: parameter.name,
      in: parameter.in,
      required: parameter.required === true,
      // GitHub marks parameters that may hold a `/`, such as a ref, as multi-segment.
      ...(parameter['x-multi-segment'] ? { multiSegment: true } : {}),
      schema: cleanSchema(document, parameter.schema ?? {}, []),
    };
  });
  const body = operation.requestBody ? resolveRef(document, operation.requestBody) : null;
  const bodySchema = body?.content?.['application/json']?.schema;
  return {
    operationId: operation.operationId,
    method: method.toUpperCase(),
    path,
    parameters,
    ...(body ? { requestBody: { required: body.required === true, schema: cleanSchema(document, bodySchema, []) } } : {}),
    responses: extractResponses(document, operation.responses ?? {}),
  };
}

function extractResponses(document, responses) {
  const result = {};
  for (const [status, raw] of Object.entries(responses)) {
    const response = resolveRef(document, raw);
    const schema = response.content?.['application/json']?.schema;
    result[status] = schema ? { schema: cleanSchema(document, schema, []) } : {};
  }
  return result;
}

/** Resolves $refs (following chains) and keeps only validation keywords, recursively. */
function cleanSchema(document, schema, refTrail) {
  if (schema.$ref) {
    if (refTrail.includes(schema.$ref)) throw new Error(`recursive schema: ${[...refTrail, schema.$ref].join(' -> ')}`);
    return cleanSchema(document, lookup(document, schema.$ref), [...refTrail, schema.$ref]);
  }
  const clean = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (!SCHEMA_KEYWORDS.has(keyword)) continue;
    if (keyword === 'properties') {
      clean.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, cleanSchema(document, sub, refTrail)]));
    } else if (keyword === 'items' || keyword === 'not' || (keyword === 'additionalProperties' && typeof value === 'object')) {
      clean[keyword] = cleanSchema(document, value, refTrail);
    } else if (keyword === 'oneOf' || keyword === 'anyOf' || keyword === 'allOf') {
      clean[keyword] = value.map((sub) => cleanSchema(document, sub, refTrail));
    } else {
      clean[keyword] = value;
    }
  }
  return clean;
}

function resolveRef(document, value) {
  return value?.$ref ? resolveRef(document, lookup(document, value.$ref)) : value;
}

function lookup(document, ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported, got ${ref}`);
  let node = document;
  for (const segment of ref.slice(2).split('/')) {
    node = node?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (node === undefined) throw new Error(`unresolved reference ${ref}`);
  return node;
}

function readPackageVersion(inputPath) {
  // generated/<file>.json sits one folder below the package's package.json.
  try {
    return JSON.parse(readFileSync(join(dirname(resolve(inputPath)), '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

main(process.argv.slice(2));
