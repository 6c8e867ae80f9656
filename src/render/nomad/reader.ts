// Typed, positioned reads of one Nomad block's attributes. A bad value becomes a
// diagnostic at its position and reads as absent, so one walk finds every error.
import { parseDuration, setPlainKey } from '../../util/index.js';
import { closestName, unknownKeyHint } from '../suggest.js';
import { EvalError, formatNumber, isObject, typeName, unknown } from '../../hcl/index.js';
import type { Attribute, Block, Body, Span, Value } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { isPlacementName } from './evaluator.js';
import { nomadSchema } from './schema.js';

export interface Read<T> {
  value: T;
  span: Span;
  field: string;
}

export class BlockReader {
  private readonly attributes = new Map<string, Attribute>();

  constructor(
    readonly ctx: NomadContext,
    readonly body: Body,
    readonly schemaName: string,
    /** The field path in the file's own terms, e.g. `update` or `service.check`. */
    readonly fieldPrefix: string,
    /** Where the block starts: missing attributes are reported here. */
    readonly span: Span,
  ) {
    for (const item of body.items) if (item.kind === 'attribute') this.attributes.set(item.name, item);
    this.checkKeys();
  }

  static ofBlock(ctx: NomadContext, block: Block, schemaName: string, fieldPrefix: string): BlockReader {
    return new BlockReader(ctx, block.body, schemaName, fieldPrefix, block.typeSpan);
  }

  field(name: string): string {
    return this.fieldPrefix ? `${this.fieldPrefix}.${name}` : name;
  }

  has(name: string): boolean {
    return this.attributes.has(name) || this.body.items.some((i) => i.kind === 'block' && i.type === name);
  }

  attribute(name: string): Attribute | undefined {
    return this.attributes.get(name);
  }

  blocks(type: string): Block[] {
    return this.body.items.filter((i): i is Block => i.kind === 'block' && i.type === type);
  }

  /** The evaluated value; placement-time references come back as their `${...}` text. */
  value(name: string): Read<Value> | undefined {
    const attr = this.attributes.get(name);
    if (!attr) return undefined;
    try {
      const value = this.ctx.evaluator.evaluateConcrete(attr.expr);
      this.warnRuntimeReferences(value, attr.expr.span, this.field(name));
      return { value, span: attr.expr.span, field: this.field(name) };
    } catch (error) {
      this.reportEvalError(error, this.field(name));
      return undefined;
    }
  }

  string(name: string): Read<string> | undefined {
    const read = this.value(name);
    if (!read) return undefined;
    const text = primitiveText(read.value);
    if (text === undefined) return this.mismatch(read, 'a string');
    return { ...read, value: text };
  }

  number(name: string, options: { integer?: boolean; min?: number } = {}): Read<number> | undefined {
    const read = this.value(name);
    if (!read) return undefined;
    const value = read.value;
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    const what = options.integer ? 'a whole number' : 'a number';
    if (!Number.isFinite(n) || (options.integer && !Number.isInteger(n))) return this.mismatch(read, what);
    if (options.min !== undefined && n < options.min) {
      this.ctx.error(read.span, read.field, `must be at least ${options.min}, got ${formatNumber(n)}`);
      return undefined;
    }
    return { ...read, value: n };
  }

  bool(name: string): Read<boolean> | undefined {
    const read = this.value(name);
    if (!read) return undefined;
    if (typeof read.value === 'boolean') return { ...read, value: read.value };
    if (read.value === 'true' || read.value === 'false') return { ...read, value: read.value === 'true' };
    return this.mismatch(read, 'true or false');
  }

  /** Milliseconds. Strings are Go durations; bare numbers are nanoseconds, as in Nomad's API. */
  duration(name: string): Read<number> | undefined {
    const read = this.value(name);
    if (!read) return undefined;
    if (typeof read.value === 'number' && read.value >= 0) return { ...read, value: Math.round(read.value / 1e6) };
    const ms = typeof read.value === 'string' ? parseDuration(read.value) : null;
    if (ms === null || ms < 0) return this.mismatch(read, 'a duration such as "30s" or "1m30s"');
    return { ...read, value: ms };
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): Read<T> | undefined {
    const read = this.string(name);
    if (!read) return undefined;
    if ((allowed as readonly string[]).includes(read.value)) return read as Read<T>;
    this.ctx.error(read.span, read.field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${read.value}"`);
    return undefined;
  }

  stringList(name: string): Read<string[]> | undefined {
    const read = this.value(name);
    if (!read) return undefined;
    if (!Array.isArray(read.value)) return this.mismatch(read, 'a list of strings');
    const out: string[] = [];
    for (const item of read.value) {
      const text = primitiveText(item);
      if (text === undefined) return this.mismatch({ ...read, value: item }, 'a list of strings');
      out.push(text);
    }
    return { ...read, value: out };
  }

  /**
   * A map of strings written either as a block (`env { A = "1" }`) or as an
   * attribute (`env = { "A.B" = "1" }`); several blocks merge, later keys winning.
   */
  stringMap(name: string): Read<Record<string, string>> | undefined {
    const attr = this.attributes.get(name);
    const blocks = this.blocks(name);
    const out: Record<string, string> = {};
    if (attr && blocks.length) {
      this.ctx.error(blocks[0]!.typeSpan, this.field(name), `"${name}" is set both as an attribute and as a block; use one`);
    }
    let span: Span | undefined;
    if (attr) {
      const read = this.value(name);
      if (!read) return undefined;
      if (!isObject(read.value)) return this.mismatch(read, 'a map of strings');
      for (const [key, value] of Object.entries(read.value)) {
        const text = primitiveText(value);
        if (text === undefined) return this.mismatch({ ...read, value }, `a string for "${key}"`);
        setPlainKey(out, key, text);
      }
      span = read.span;
    }
    for (const block of blocks) {
      const reader = BlockReader.ofBlock(this.ctx, block, name, this.field(name));
      for (const item of block.body.items) {
        if (item.kind === 'block') continue;
        const read = reader.string(item.name);
        if (read) setPlainKey(out, item.name, read.value);
      }
      span ??= block.typeSpan;
    }
    if (!span) return undefined;
    return { value: out, span, field: this.field(name) };
  }

  /** Reports a required attribute that is missing, at the block. */
  missing(name: string, hint?: string): void {
    this.ctx.error(this.span, this.field(name), `"${name}" is required here`, hint);
  }

  reportEvalError(error: unknown, field: string): void {
    if (error instanceof EvalError) {
      if (!error.silent) this.ctx.error(error.span, field, error.message, error.hint);
      return;
    }
    throw error;
  }

  private mismatch<T>(read: Read<Value>, expected: string): undefined & Read<T> {
    const got = read.value;
    const shown = typeof got === 'string' ? `"${got}"` : got !== unknown && typeof got !== 'object' ? String(got) : typeName(got);
    // An unknown name is kept as written for runtime (as Nomad does), which a number or a bool cannot hold.
    const deferred = typeof got === 'string' && /\$\{/.test(got);
    this.ctx.error(read.span, read.field, `expected ${expected}, got ${shown}`, deferred ? runtimeReferenceHint : undefined);
    return undefined as undefined & Read<T>;
  }

  /**
   * References kept for runtime that will stay as written: Consul Connect's upstream
   * variables, never set (`connect` is refused), and `${lcoal.x}`-like misspellings of
   * var and local, which Nomad would keep as text too.
   */
  private warnRuntimeReferences(value: Value, span: Span, field: string): void {
    const upstreams = new Set<string>();
    const misspelt = new Map<string, string>();
    const visit = (v: Value): void => {
      if (typeof v === 'string') {
        for (const match of v.matchAll(/\$\{\s*(NOMAD_UPSTREAM_\w+)/g)) upstreams.add(match[1]!);
        for (const match of v.matchAll(/\$\{\s*([a-z_][\w-]*)\./g)) {
          const root = match[1]!;
          const close = isPlacementName(root) ? undefined : closestName(root, ['var', 'local']);
          if (close) misspelt.set(root, close);
        }
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (isObject(v)) Object.values(v).forEach(visit);
    };
    visit(value);
    for (const name of upstreams) {
      this.ctx.report('warning', 'unsupported', span, field, `${name} is never set: deckhand runs no Consul Connect upstreams, so the task receives "\${${name}}" as written`, 'reach the other job through its published port or deckhand\'s edge, and pass that address');
    }
    for (const [root, close] of misspelt) {
      this.ctx.report('warning', 'unknown-variable', span, field, `"${root}" is no variable root: the reference is kept as written for runtime interpolation, as Nomad does`, `did you mean "${close}"?`);
    }
  }

  /** Whether an attribute's value asks for nothing; a value that does not evaluate is reported where it is read, or refused here. */
  private isHarmless(attr: Attribute, harmless: (value: unknown) => boolean): boolean {
    try {
      return harmless(this.ctx.evaluator.evaluateConcrete(attr.expr));
    } catch {
      return false;
    }
  }

  private checkKeys(): void {
    const schema = nomadSchema[this.schemaName];
    if (!schema || schema.freeform) return;
    const explained = schema.explainedByMapping ?? [];
    const known = [...schema.used, ...explained, ...Object.keys(schema.accepted), ...Object.keys(schema.refused ?? {}), ...Object.keys(schema.deprecated ?? {})];
    for (const item of this.body.items) {
      const name = item.kind === 'attribute' ? item.name : item.type;
      const span = item.kind === 'attribute' ? item.nameSpan : item.typeSpan;
      if (explained.includes(name)) continue;
      if (schema.used.includes(name)) {
        this.ctx.use(span, this.field(name), 'carried-out');
        continue;
      }
      if (Object.hasOwn(schema.accepted, name)) {
        this.ctx.use(span, this.field(name), 'no-effect', schema.accepted[name]);
        continue;
      }
      const refusal = Object.hasOwn(schema.refused ?? {}, name) ? schema.refused![name] : undefined;
      if (refusal) {
        const harmless = item.kind === 'attribute' && refusal.harmless !== undefined && this.isHarmless(item, refusal.harmless);
        // A harmless value asks for what deckhand does anyway (privileged = false).
        if (harmless) this.ctx.use(span, this.field(name), 'carried-out');
        else this.ctx.report('error', 'unsupported', span, this.field(name), `${name} is not supported: ${refusal.why}`, refusal.hint);
        continue;
      }
      const deprecation = Object.hasOwn(schema.deprecated ?? {}, name) ? schema.deprecated![name] : undefined;
      if (deprecation) {
        this.ctx.report('warning', 'deprecated', span, this.field(name), `${name} is deprecated: ${deprecation}`);
        if (schema.readDeprecated?.includes(name)) this.ctx.use(span, this.field(name), 'carried-out');
        else this.ctx.use(span, this.field(name), 'no-effect', deprecation);
        continue;
      }
      // As Nomad's "Unsupported argument": a misspelt field must not run as if it were absent.
      const kind = item.kind === 'attribute' ? 'attribute' : 'block';
      const where = this.schemaName === 'file' ? 'at the top of a job file' : `in ${/^[aeiou]/.test(this.schemaName) ? 'an' : 'a'} ${this.schemaName} block`;
      this.ctx.report('error', 'unknown-field', span, this.field(name), `unknown ${kind} "${name}": Nomad has no such ${kind === 'attribute' ? 'argument' : 'block'} ${where}`, unknownKeyHint(name, known));
    }
  }
}

const runtimeReferenceHint = 'a ${...} that is not var.<name> or local.<name> is kept as written for runtime interpolation; variables are read as var.<name>, locals as local.<name>';

/** Strings, and numbers or bools written where Nomad expects a string. */
function primitiveText(value: Value): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}
