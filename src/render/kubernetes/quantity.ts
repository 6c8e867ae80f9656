// Kubernetes resource quantities: `500m`, `0.5`, `128Mi`, `1Gi`, `500M`, `1e9`.
// Kept as an exact fraction of big integers, because rounding up a float such as
// 1.1 × 1000 would turn `1.1` cores into 1101 millicores.
import { mebibytesRoundedUp } from '../yaml/values.js';

export interface Quantity {
  numerator: bigint;
  denominator: bigint;
  negative: boolean;
}

const quantityPattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;

const decimalExponents: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binaryExponents: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

/** Beyond this many powers of ten a quantity means nothing for a container; refusing it also keeps BigInt work small. */
const maxDecimalExponent = 40;

export const quantityExamples = 'a quantity such as "500m", "2", "128Mi" or "1G"';

/** A quantity from YAML (a number or a string); undefined when it is not one. */
export function parseQuantity(value: unknown): Quantity | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const match = quantityPattern.exec(String(value).trim());
  if (!match) return undefined;
  const [, sign = '', mantissa = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = mantissa.split('.');
  let exponent = -fraction.length;
  let binaryShift = 0n;
  if (/^[eE][+-]?\d/.test(suffix)) exponent += Number(suffix.slice(1));
  else if (suffix in binaryExponents) binaryShift = binaryExponents[suffix]!;
  else if (suffix) exponent += decimalExponents[suffix]!;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  if (digits.length > maxDecimalExponent || Math.abs(exponent) > maxDecimalExponent) return undefined;
  let numerator = BigInt(digits) << binaryShift;
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  return { numerator, denominator, negative: sign === '-' && numerator !== 0n };
}

/** CPU cores, rounded up to whole millicores as the API server does (`1.0001` → 1.001). */
export function toCores(quantity: Quantity): number {
  return Number(ceilDivide(quantity.numerator * 1000n, quantity.denominator)) / 1000;
}

/** Memory in whole MiB (deckhand's `memoryMB`), rounded up so a limit is never tightened. */
export function toMebibytes(quantity: Quantity): number {
  return mebibytesRoundedUp(quantity.numerator, quantity.denominator);
}

function ceilDivide(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
