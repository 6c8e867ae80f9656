// Projects our HCL syntax tree onto the JSON shape of the reference parser
// (@cdktn/hcl2json, HashiCorp's Go parser compiled to WebAssembly), so the two can
// be compared: blocks nest by type then label, expressions that are not plain
// values come back as their `${...}` source text.
import type { Body, Expr, TemplatePart } from '../../../src/render/nomad/hcl/ast.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function projectBody(body: Body, src: string): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      out[item.name] = projectExpr(item.expr, src);
      continue;
    }
    let container = out as { [key: string]: Json };
    const path = [item.type, ...item.labels];
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        const list = (container[key] ??= []) as Json[];
        list.push(projectBody(item.body, src));
      } else {
        container = (container[key] ??= {}) as { [key: string]: Json };
      }
    });
  }
  return out;
}

export function projectExpr(expr: Expr, src: string): Json {
  switch (expr.kind) {
    case 'literal':
      // The reference keeps template escapes in plain strings, so its JSON stays a valid template.
      return typeof expr.value === 'string' ? expr.value.replace(/([$%])\{/g, '$1$1{') : expr.value;
    case 'unary':
      if (expr.op === '-' && expr.operand.kind === 'literal' && typeof expr.operand.value === 'number') return -expr.operand.value;
      return `\${${src.slice(expr.span.start, expr.span.end)}}`;
    case 'tuple':
      return expr.items.map((item) => projectExpr(item, src));
    case 'object': {
      const out: { [key: string]: Json } = {};
      for (const item of expr.items) {
        const key = item.key.kind === 'literal' ? String(item.key.value) : `\${${src.slice(item.key.span.start, item.key.span.end)}}`;
        out[key] = projectExpr(item.value, src);
      }
      return out;
    }
    case 'template':
      return projectParts(expr.parts, src);
    default:
      return `\${${src.slice(expr.span.start, expr.span.end)}}`;
  }
}

/** Templates as the reference writes them back: escapes kept, directives without inner spaces. */
function projectParts(parts: TemplatePart[], src: string): string {
  const text = (e: Expr) => src.slice(e.span.start, e.span.end);
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return part.text.replace(/([$%])\{/g, '$1$1{');
        case 'interpolation':
          return `\${${text(part.expr)}}`;
        case 'if': {
          const otherwise = part.else.length ? `%{else}${projectParts(part.else, src)}` : '';
          return `%{if ${text(part.condition)}}${projectParts(part.then, src)}${otherwise}%{endif}`;
        }
        case 'for': {
          const vars = part.keyVar ? `${part.keyVar}, ${part.valueVar}` : part.valueVar;
          return `%{for ${vars} in ${text(part.collection)}}${projectParts(part.body, src)}%{endfor}`;
        }
      }
    })
    .join('');
}
