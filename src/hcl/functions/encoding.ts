// Encoding functions (Nomad's encoding/ pages): base64, JSON, URLs, CSV and YAML,
// each as Nomad's implementation writes and reads them (cty, go-cty-funcs, go-cty-yaml).
import { Document, isMap, isPair, isScalar, parseDocument, visit } from 'yaml';
import type { Span } from '../ast.js';
import { setPlainKey } from '../../util/index.js';
import { EvalError, isObject } from '../value.js';
import type { Value, ValueObject } from '../value.js';
import type { FnSpec } from './args.js';
import { str } from './args.js';
import { goJson } from './json.js';

export const encodingFunctions: Record<string, FnSpec> = {
  base64encode: { arity: [1, 1], fn: ([s], at) => Buffer.from(str(s!, at), 'utf8').toString('base64') },
  base64decode: { arity: [1, 1], fn: ([s], at) => base64Decode(str(s!, at), at) },
  jsonencode: { arity: [1, 1], fn: ([v]) => goJson(v!) },
  jsondecode: {
    arity: [1, 1],
    fn: ([s], at) => {
      try {
        return JSON.parse(str(s!, at)) as Value;
      } catch (error) {
        throw new EvalError(`jsondecode() got invalid JSON: ${(error as Error).message}`, at);
      }
    },
  },
  urlencode: { arity: [1, 1], fn: ([s], at) => queryEscape(str(s!, at)) },
  csvdecode: { arity: [1, 1], fn: ([s], at) => csvDecode(str(s!, at), at) },
  yamldecode: { arity: [1, 1], fn: ([s], at) => yamlDecode(str(s!, at), at) },
  yamlencode: { arity: [1, 1], fn: ([v]) => yamlEncode(v!) },
};

/** The standard alphabet with padding, strictly; the bytes must be UTF-8 (a string is text). */
function base64Decode(text: string, at: Span): string {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new EvalError(`base64decode() got data that is not base64: "${text.slice(0, 40)}"`, at);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
  } catch {
    throw new EvalError('base64decode(): the decoded bytes are not UTF-8 text', at);
  }
}

/** Go's url.QueryEscape: every byte but letters, digits and `-_.~` percent-encoded, a space as `+`. */
function queryEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** RFC 4180 as Go's encoding/csv reads it: a header line, then records of as many fields, each an object of strings. */
function csvDecode(text: string, at: Span): Value[] {
  const records = csvRecords(text, at);
  if (records.length === 0) throw new EvalError('csvdecode() needs at least a header line', at);
  const [header, ...rows] = records;
  return rows.map((row, i) => {
    if (row.length !== header!.length) throw new EvalError(`csvdecode(): record ${i + 2} has ${row.length} fields, the header ${header!.length}`, at);
    const out: ValueObject = {};
    header!.forEach((name, j) => setPlainKey(out, name, row[j]!));
    return out;
  });
}

function csvRecords(text: string, at: Span): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    // Go's reader skips empty lines.
    if (!(fields.length === 1 && fields[0] === '')) records.push(fields);
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' && field === '') {
      let j = i + 1;
      for (;;) {
        const end = text.indexOf('"', j);
        if (end < 0) throw new EvalError('csvdecode(): a quoted field is never closed', at);
        if (text[end + 1] === '"') {
          j = end + 2;
          continue;
        }
        field = text.slice(i + 1, end).replace(/""/g, '"');
        i = end + 1;
        break;
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') throw new EvalError('csvdecode(): extraneous text after a quoted field', at);
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || (ch === '\r' && text[i + 1] === '\n')) {
      if (ch === '\r') i++;
      endRecord();
    } else if (ch === '"') {
      throw new EvalError('csvdecode(): a bare " in a field that is not quoted', at);
    } else {
      field += ch;
    }
    i++;
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** One YAML document, read as go-cty-yaml reads it: YAML 1.1 scalars, merge keys, string keys, no custom tags. */
function yamlDecode(text: string, at: Span): Value {
  const doc = parseDocument(text, { schema: 'yaml-1.1', merge: true, uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) throw new EvalError(`yamldecode(): ${problem.message.split('\n')[0]}`, at);
  visit(doc, {
    Pair: (_key, pair) => {
      if (isPair(pair) && isScalar(pair.key) && typeof pair.key.value !== 'string' && pair.key.source !== '<<') {
        throw new EvalError(`yamldecode(): only strings are allowed as mapping keys, got ${String(pair.key.value)}`, at);
      }
    },
    Alias: (_key, alias, path) => {
      if (path.some((node) => (node as { anchor?: string }).anchor === alias.source)) {
        throw new EvalError(`yamldecode(): cannot refer to anchor "${alias.source}" from inside its own definition`, at);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 1000 }) as Value;
  } catch (error) {
    throw new EvalError(`yamldecode(): ${(error as Error).message}`, at);
  }
}

/** YAML as go-cty-yaml writes it: strings and keys double-quoted, multi-line strings as literal blocks, keys sorted. */
function yamlEncode(value: Value): string {
  const doc = new Document(sortKeys(value));
  visit(doc, {
    Scalar: (_key, node) => {
      if (typeof node.value === 'string') node.type = node.value.includes('\n') ? 'BLOCK_LITERAL' : 'QUOTE_DOUBLE';
    },
  });
  if (isMap(doc.contents) && doc.contents.items.length === 0) return '{}\n';
  return doc.toString({ indentSeq: false, lineWidth: 80, minContentWidth: 0 });
}

function sortKeys(value: Value): Value {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: ValueObject = {};
  for (const key of Object.keys(value).sort()) setPlainKey(out, key, sortKeys(value[key]!));
  return out;
}
