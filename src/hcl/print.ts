// One canonical text for an expression, for values kept as written until placement:
// `${ NOMAD_PORT_http }` and `${NOMAD_PORT_http}` must be the same value, or a
// reformatted file would replace every allocation.
import type { Expr } from './ast.js';

export function printExpr(expr: Expr, src: string): string {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'string' ? JSON.stringify(expr.value) : String(expr.value);
    case 'variable':
      return expr.name;
    case 'getattr':
      return `${printExpr(expr.object, src)}.${expr.name}`;
    case 'index':
      return `${printExpr(expr.object, src)}[${printExpr(expr.key, src)}]`;
    case 'call':
      return `${expr.name}(${expr.args.map((a) => printExpr(a, src)).join(', ')}${expr.expandFinal ? '...' : ''})`;
    case 'tuple':
      return `[${expr.items.map((i) => printExpr(i, src)).join(', ')}]`;
    case 'object':
      return `{${expr.items.map((i) => `${printExpr(i.key, src)} = ${printExpr(i.value, src)}`).join(', ')}}`;
    case 'unary':
      return `${expr.op}${printExpr(expr.operand, src)}`;
    case 'binary':
      return `${printExpr(expr.left, src)} ${expr.op} ${printExpr(expr.right, src)}`;
    case 'conditional':
      return `${printExpr(expr.condition, src)} ? ${printExpr(expr.whenTrue, src)} : ${printExpr(expr.whenFalse, src)}`;
    case 'paren':
      return `(${printExpr(expr.inner, src)})`;
    default:
      // Templates, for expressions and splats inside a placement-time value are rare: kept as written.
      return src.slice(expr.span.start, expr.span.end);
  }
}
