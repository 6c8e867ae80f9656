// The syntax tree of HCL's native syntax, as far as job files use it. Every node
// keeps its source range so errors and "kept as written" values can point back.

export interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface Body {
  items: Array<Attribute | Block>;
  span: Span;
}

export interface Attribute {
  kind: 'attribute';
  name: string;
  nameSpan: Span;
  expr: Expr;
}

export interface Block {
  kind: 'block';
  type: string;
  typeSpan: Span;
  labels: string[];
  labelSpans: Span[];
  body: Body;
  span: Span;
}

export type Expr =
  | LiteralExpr
  | TemplateExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | SplatExpr
  | CallExpr
  | TupleExpr
  | ObjectExpr
  | UnaryExpr
  | BinaryExpr
  | ConditionalExpr
  | ForExpr
  | ParenExpr;

export interface LiteralExpr { kind: 'literal'; value: string | number | boolean | null; span: Span }
export interface TemplateExpr { kind: 'template'; parts: TemplatePart[]; heredoc: boolean; span: Span }
export interface VariableExpr { kind: 'variable'; name: string; span: Span }
export interface GetAttrExpr { kind: 'getattr'; object: Expr; name: string; span: Span }
export interface IndexExpr { kind: 'index'; object: Expr; key: Expr; span: Span }
/** `list[*].name` / `list.*.name`: `each` is applied to every element, reading the element as `item`. */
export interface SplatExpr { kind: 'splat'; source: Expr; each: Expr; item: SplatItemExpr; span: Span }
export interface SplatItemExpr { kind: 'variable'; name: '\u0000splat'; span: Span }
export interface CallExpr { kind: 'call'; name: string; args: Expr[]; expandFinal: boolean; span: Span }
export interface TupleExpr { kind: 'tuple'; items: Expr[]; span: Span }
export interface ObjectItem { key: Expr; value: Expr }
export interface ObjectExpr { kind: 'object'; items: ObjectItem[]; span: Span }
export interface UnaryExpr { kind: 'unary'; op: '!' | '-'; operand: Expr; span: Span }
export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';
export interface BinaryExpr { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
export interface ConditionalExpr { kind: 'conditional'; condition: Expr; whenTrue: Expr; whenFalse: Expr; span: Span }
export interface ForExpr {
  kind: 'for';
  keyVar: string | null;
  valueVar: string;
  collection: Expr;
  /** Set for object results: `{for k, v in x : keyExpr => valueExpr}`. */
  keyExpr: Expr | null;
  valueExpr: Expr;
  condition: Expr | null;
  /** `...` after the value: values with the same key are grouped into lists. */
  grouping: boolean;
  span: Span;
}
export interface ParenExpr { kind: 'paren'; inner: Expr; span: Span }

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'interpolation'; expr: Expr; span: Span }
  | { kind: 'if'; condition: Expr; then: TemplatePart[]; else: TemplatePart[]; span: Span }
  | { kind: 'for'; keyVar: string | null; valueVar: string; collection: Expr; body: TemplatePart[]; span: Span };
