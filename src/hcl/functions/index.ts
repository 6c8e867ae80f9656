// The function library: Nomad's HCL2 functions (jobspec2/functions.go) but those
// that read files, the clock or randomness, plus a few of Terraform's. README.md
// lists each with its signature and why the others are left out.
import type { CallExpr } from '../ast.js';
import { EvalError } from '../value.js';
import type { Value } from '../value.js';
import type { FnSpec } from './args.js';
import { collectionFunctions } from './collections.js';
import { conversionFunctions } from './conversions.js';
import { cryptoFunctions } from './crypto.js';
import { datetimeFunctions } from './datetime.js';
import { encodingFunctions } from './encoding.js';
import { ipnetFunctions } from './ipnet.js';
import { numericFunctions } from './numeric.js';
import { pathFunctions } from './paths.js';
import { regexFunctions } from './regex.js';
import { stringFunctions } from './strings.js';

const functions: Record<string, FnSpec> = {
  ...numericFunctions,
  ...stringFunctions,
  ...regexFunctions,
  ...collectionFunctions,
  ...conversionFunctions,
  ...encodingFunctions,
  ...cryptoFunctions,
  ...datetimeFunctions,
  ...ipnetFunctions,
  ...pathFunctions,
};

/** Functions whose arguments are expressions, not values: the evaluator runs them itself. */
export const specialForms: ReadonlySet<string> = new Set(['can', 'try', 'convert']);

export const functionNames: ReadonlySet<string> = new Set([...Object.keys(functions), ...specialForms]);

const readsFiles = 'deckhand renders a job file from the revision alone, without reading other files';
const changesEveryRender = 'its value would change on every render, and with it the job: every sync would replace every allocation';

/** Functions of Nomad's (or Terraform's) left out on purpose, and why (README.md, "Deliberate omissions"). */
const omitted: Record<string, string> = {
  file: readsFiles,
  filebase64: readsFiles,
  fileexists: readsFiles,
  fileset: readsFiles,
  templatefile: readsFiles,
  abspath: "its value depends on the renderer's working directory, not on the job file",
  pathexpand: "its value depends on the renderer's home directory, not on the job file",
  timestamp: changesEveryRender,
  uuid: changesEveryRender,
  uuidv4: changesEveryRender,
  bcrypt: `it salts at random: ${changesEveryRender}`,
  rsadecrypt: 'Nomad deprecates it, and it needs a private key in the repository',
};

/** Refuses a name that is not a function before its arguments are evaluated, as HCL does. */
export function checkFunction(call: CallExpr): void {
  if (functionNames.has(call.name)) return;
  throw new EvalError(`unknown function "${call.name}"`, call.span, omitted[call.name], false, true);
}

export function callFunction(name: string, args: Value[], call: CallExpr): Value {
  const spec = functions[name];
  if (!spec) throw new EvalError(`unknown function "${name}"`, call.span, omitted[name]);
  checkArity(name, spec.arity, args.length, call);
  return spec.fn(args, call.span);
}

export function checkArity(name: string, [least, most]: [number, number], count: number, call: CallExpr): void {
  if (count >= least && count <= most) return;
  const expected = least === most ? `${least}` : most === Infinity ? `at least ${least}` : `${least} to ${most}`;
  throw new EvalError(`${name}() takes ${expected} argument${expected === '1' ? '' : 's'}, got ${count}`, call.span);
}
