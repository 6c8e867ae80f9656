// Nomad input variables and locals: `variable` blocks with defaults and types,
// overridden by NOMAD_VAR_<name>, then --var-file files, then --var flags (the
// order Nomad applies them), and `locals` that may refer to variables and each other.
import type { Diagnostic } from '../../model/index.js';
import { LineIndex } from '../line-index.js';
import type { RenderContext, SourceFile } from '../types.js';
import { EvalError, HclSyntaxError, LazyRoot, convert, isObject, parseHcl, parseHclExpression, typeFromExpr } from '../../hcl/index.js';
import type { Block, Body, Expr, RootValue, Span, TypeConstraint, Value } from '../../hcl/index.js';
import { literalEvaluator, nomadEvaluator } from './evaluator.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

interface Declaration {
  name: string;
  type: TypeConstraint;
  block: Block | null;
  nameSpan: Span;
  value?: Value;
}

/** Sets up `var` and `local` on the context's evaluator. */
export function bindVariables(ctx: NomadContext, file: Body, options: RenderContext): void {
  const declarations = declare(ctx, file);
  const literal = literalEvaluator(ctx.src);

  for (const decl of declarations.values()) {
    if (decl.block === null) continue;
    const reader = BlockReader.ofBlock(ctx, decl.block, 'variable', `variable.${decl.name}`);
    const typeAttr = reader.attribute('type');
    if (typeAttr) {
      try {
        decl.type = typeFromExpr(typeAttr.expr);
      } catch (error) {
        reader.reportEvalError(error, reader.field('type'));
      }
    }
    const defaultAttr = reader.attribute('default');
    if (defaultAttr) {
      try {
        const raw = literal.evaluateConcrete(defaultAttr.expr);
        decl.value = raw === null ? null : convert(raw, decl.type, defaultAttr.expr.span);
      } catch (error) {
        reader.reportEvalError(error, reader.field('default'));
      }
    }
  }

  const assign = (name: string, raw: Value, fromText: boolean, report: (message: string) => void) => {
    const decl = declarations.get(name);
    if (!decl) return report(`no variable "${name}" is declared in ${ctx.file}`);
    try {
      decl.value = fromText && typeof raw === 'string' ? convertText(raw, decl.type) : convert(raw, decl.type, decl.nameSpan);
    } catch (error) {
      report(`variable "${name}": ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const atFileStart = (source: string) => (message: string) => {
    ctx.diagnostics.push({ severity: 'warning', code: 'variable', file: ctx.file, line: 1, col: 1, field: source, message });
  };

  for (const [key, text] of Object.entries(options.env)) {
    if (!key.startsWith('NOMAD_VAR_')) continue;
    const name = key.slice('NOMAD_VAR_'.length);
    if (declarations.has(name)) assign(name, text, true, atFileStart(key));
  }
  for (const varFile of options.varFiles) {
    for (const entry of readVarFile(varFile, ctx.diagnostics)) {
      assign(entry.name, entry.value, false, (message) => {
        ctx.diagnostics.push({ severity: 'warning', code: 'variable', file: varFile.path, line: entry.line, col: entry.col, field: entry.name, message });
      });
    }
  }
  for (const [name, text] of Object.entries(options.vars)) assign(name, text, true, atFileStart(`--var ${name}`));

  for (const decl of declarations.values()) {
    if (decl.value !== undefined) continue;
    ctx.error(decl.nameSpan, `variable.${decl.name}`, `variable "${decl.name}" has no value`, `give it a default, or set it with --var ${decl.name}=... or NOMAD_VAR_${decl.name}`);
  }
  ctx.evaluator = nomadEvaluator(ctx.src, new Map<string, RootValue>([['var', variablesRoot(declarations)], ['local', localsRoot(ctx, file)]]));
}

/** `var.<name>`: an undeclared name is an error where it is used; a declared one without a value was reported at its declaration. */
function variablesRoot(declarations: Map<string, Declaration>): LazyRoot {
  return new LazyRoot((name, span) => {
    const decl = declarations.get(name);
    if (decl?.value !== undefined) return decl.value;
    if (decl) throw new EvalError(`variable "${name}" has no value`, span, undefined, true);
    const known = [...declarations.keys()];
    throw new EvalError(`there is no variable "${name}"`, span, known.length ? `declared: ${known.join(', ')}` : `declare it with variable "${name}" { }`);
  });
}

function declare(ctx: NomadContext, file: Body): Map<string, Declaration> {
  const declarations = new Map<string, Declaration>();
  const add = (decl: Declaration) => {
    if (declarations.has(decl.name)) {
      ctx.error(decl.nameSpan, `variable.${decl.name}`, `variable "${decl.name}" is declared more than once`);
      return;
    }
    declarations.set(decl.name, decl);
  };
  const literal = literalEvaluator(ctx.src);
  for (const item of file.items) {
    if (item.kind !== 'block') continue;
    if (item.type === 'variable') {
      if (item.labels.length !== 1) {
        ctx.error(item.typeSpan, 'variable', 'a variable block needs exactly one label: variable "name" { ... }');
        continue;
      }
      add({ name: item.labels[0]!, type: { kind: 'any' }, block: item, nameSpan: item.labelSpans[0]! });
    } else if (item.type === 'variables') {
      for (const attr of item.body.items) {
        if (attr.kind !== 'attribute') continue;
        try {
          add({ name: attr.name, type: { kind: 'any' }, block: null, nameSpan: attr.nameSpan, value: literal.evaluateConcrete(attr.expr) });
        } catch (error) {
          if (!(error instanceof EvalError)) throw error;
          ctx.error(error.span, `variables.${attr.name}`, error.message, error.hint);
        }
      }
    }
  }
  return declarations;
}

/** Locals are computed on first use, so they may refer to each other in any order. */
function localsRoot(ctx: NomadContext, file: Body): LazyRoot {
  const definitions = new Map<string, Expr>();
  for (const item of file.items) {
    if (item.kind !== 'block' || item.type !== 'locals') continue;
    for (const attr of item.body.items) {
      if (attr.kind !== 'attribute') continue;
      if (definitions.has(attr.name)) ctx.error(attr.nameSpan, `locals.${attr.name}`, `local "${attr.name}" is defined more than once`);
      else definitions.set(attr.name, attr.expr);
    }
  }
  const computed = new Map<string, Value>();
  const inProgress = new Set<string>();
  return new LazyRoot((name, span) => {
    if (computed.has(name)) return computed.get(name)!;
    const expr = definitions.get(name);
    if (!expr) {
      const known = [...definitions.keys()];
      throw new EvalError(`there is no local "${name}"`, span, known.length ? `locals: ${known.join(', ')}` : 'define it in a locals { } block');
    }
    if (inProgress.has(name)) throw new EvalError(`local "${name}" refers to itself`, span);
    inProgress.add(name);
    try {
      const value = ctx.evaluator.evaluate(expr);
      computed.set(name, value);
      return value;
    } finally {
      inProgress.delete(name);
    }
  });
}

interface VarFileEntry {
  name: string;
  value: Value;
  line: number;
  col: number;
}

/** A --var-file: HCL assignments, or a JSON object when the name ends in `.json`. */
function readVarFile(file: SourceFile, diagnostics: Diagnostic[]): VarFileEntry[] {
  const lines = new LineIndex(file.text);
  const fail = (offset: number, message: string, field = '') => {
    const { line, col } = lines.position(offset);
    diagnostics.push({ severity: 'error', code: 'syntax', file: file.path, line, col, field, message });
  };
  if (file.path.endsWith('.json')) {
    try {
      const parsed = JSON.parse(file.text) as Value;
      if (!isObject(parsed)) {
        fail(0, 'a JSON variable file must hold an object of variable values');
        return [];
      }
      return Object.entries(parsed).map(([name, value]) => ({ name, value, line: 1, col: 1 }));
    } catch (error) {
      fail(0, `invalid JSON: ${(error as Error).message}`);
      return [];
    }
  }
  let body: Body;
  try {
    body = parseHcl(file.text);
  } catch (error) {
    if (error instanceof HclSyntaxError) fail(error.offset, error.message);
    else throw error;
    return [];
  }
  const evaluator = literalEvaluator(file.text);
  const entries: VarFileEntry[] = [];
  for (const item of body.items) {
    if (item.kind !== 'attribute') {
      fail(item.typeSpan.start, 'a variable file holds only assignments such as name = "value"', item.type);
      continue;
    }
    try {
      const { line, col } = lines.position(item.nameSpan.start);
      entries.push({ name: item.name, value: evaluator.evaluateConcrete(item.expr), line, col });
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      fail(error.span.start, error.message, item.name);
    }
  }
  return entries;
}

/** A value given as text (--var, NOMAD_VAR_): primitives as they are, others as HCL expressions. */
function convertText(text: string, type: TypeConstraint): Value {
  const span = { start: 0, end: text.length };
  if (type.kind === 'string' || type.kind === 'any') return text;
  if (type.kind === 'number' || type.kind === 'bool') return convert(text, type, span);
  let expr: Expr;
  try {
    expr = parseHclExpression(text);
  } catch (error) {
    throw new EvalError(`"${text}" is not a valid value: ${(error as Error).message}`, span);
  }
  return convert(literalEvaluator(text).evaluateConcrete(expr), type, span);
}
