// Projects our HCL syntax tree onto the JSON shape of the reference parser
// (@cdktn/hcl2json, HashiCorp's Go parser compiled to WebAssembly), so the two can
// be compared: blocks nest by type then label, expressions that are not plain
// values come back as their `${...}` source text.
import type { Body, Expr, TemplatePart } from '../../src/hcl/index.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function projectBody(body: Body, src: string): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      Object.defineProperty(out, item.name, { value: projectExpr(item.expr, src), enumerable: true, writable: true, configurable: true });
      continue;
    }
    // The reference keeps an attribute over a block of the same name (JSON cannot hold both).
    if (body.items.some((other) => other.kind === 'attribute' && other.name === item.type)) continue;
    let container = out as { [key: string]: Json };
    const path = [item.type, ...item.labels];
    path.forEach((key, i) => {
      if (i === path.length - 1) {
        if (!Object.hasOwn(container, key)) Object.defineProperty(container, key, { value: [], enumerable: true, writable: true, configurable: true });
        (container[key] as Json[]).push(projectBody(item.body, src));
      } else {
        if (!Object.hasOwn(container, key)) Object.defineProperty(container, key, { value: {}, enumerable: true, writable: true, configurable: true });
        container = container[key] as { [key: string]: Json };
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
        // The reference writes a traversal key (`a.b = 1`) as its source text.
        const raw = src.slice(item.key.span.start, item.key.span.end);
        const traversal = item.key.kind === 'variable' || item.key.kind === 'getattr';
        const key = item.key.kind === 'literal' ? String(item.key.value) : traversal ? raw : `\${${raw}}`;
        Object.defineProperty(out, key, { value: projectExpr(item.value, src), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'template': {
      // The reference folds literal interpolations, and `"${x}"` alone is x itself (HCL's unwrapping).
      const only = expr.parts.length === 1 ? expr.parts[0] : undefined;
      if (only?.kind === 'interpolation' && !expr.heredoc && isConstant(only.expr, true)) return projectExpr(only.expr, src);
      return projectParts(expr.parts, src);
    }
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
        case 'interpolation': {
          const folded = isConstant(part.expr, false) ? projectExpr(part.expr, src) : undefined;
          if (folded !== undefined && (folded === null || typeof folded !== 'object')) return String(folded);
          return `\${${text(part.expr)}}`;
        }
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

/**
 * For generated documents: the reference re-prints template expressions in its own
 * way (`${c ? a : b}` becomes `%{if c}...`), so only their presence is compared.
 */
export function withTemplatesMasked(value: unknown): unknown {
  if (typeof value === 'string') return /(^|[^$%])[$%]\{/.test(value) ? '<template>' : value;
  if (Array.isArray(value)) return value.map(withTemplatesMasked);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTemplatesMasked(v)]));
  return value;
}

/** Expressions the reference folds into values: literals, templates of them, and a negated literal standing alone. */
function isConstant(expr: Expr, alone: boolean): boolean {
  if (expr.kind === 'literal') return true;
  if (expr.kind === 'unary') return alone && expr.op === '-' && expr.operand.kind === 'literal';
  if (expr.kind === 'template') return !expr.heredoc && expr.parts.every((p) => p.kind === 'text' || (p.kind === 'interpolation' && isConstant(p.expr, false)));
  return false;
}
