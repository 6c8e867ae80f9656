// Other ways to write the same amount of memory or CPU: Compose's byte sizes
// (`256M` = `262144k` = `0.25g`, powers of 1024) and Kubernetes quantities
// (`250m` = `0.25`, `128Mi` = `134217728` = `131072Ki`). Worked out here, apart
// from deckhand's own parsers.
import type { Choices } from './choices.js';

/** An exact decimal `numerator / 10^scale`, as text; null when it needs more than `maxDecimals` digits. */
function decimal(numerator: bigint, divisor: bigint, maxDecimals = 6): string | null {
  for (let scale = 0; scale <= maxDecimals; scale++) {
    const scaled = numerator * 10n ** BigInt(scale);
    if (scaled % divisor !== 0n) continue;
    const digits = (scaled / divisor).toString().padStart(scale + 1, '0');
    return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return null;
}

/** Bytes of a Compose size (`256M`, `1.5g`, `1024`), with docker/go-units' powers of 1024; null when not one. */
export function composeBytes(value: unknown): bigint | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : null;
  if (typeof value !== 'string') return null;
  const match = /^(\d+)(?:\.(\d+))?([kmgt]?)(i?b?)$/i.exec(value.trim());
  if (!match) return null;
  const [, whole, fraction = '', unit] = match;
  const power = 1024n ** BigInt(' kmgt'.indexOf(unit!.toLowerCase() || ' '));
  const scale = 10n ** BigInt(fraction.length);
  const bytes = BigInt(`${whole}${fraction}`) * power;
  return bytes % scale === 0n ? bytes / scale : null;
}

export function composeSizeSpellings(bytes: bigint): Array<string | number> {
  const out: Array<string | number> = [`${bytes}`, `${bytes}b`];
  if (bytes <= BigInt(Number.MAX_SAFE_INTEGER)) out.push(Number(bytes));
  ['k', 'm', 'g'].forEach((unit, i) => {
    const text = decimal(bytes, 1024n ** BigInt(i + 1), 3);
    if (text && text !== '0') out.push(`${text}${unit}`, `${text}${unit.toUpperCase()}`, `${text}${unit}b`, `${text}${unit.toUpperCase()}iB`);
  });
  return [...new Set(out)];
}

/** A Kubernetes quantity as an exact fraction, or null (only the suffixes deckhand's examples use). */
export function kubernetesQuantity(value: unknown): { numerator: bigint; denominator: bigint } | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
  const match = text === null ? null : /^(\d+)(?:\.(\d+))?(m|k|M|G|Ki|Mi|Gi)?$/.exec(text);
  if (!match) return null;
  const [, whole, fraction = '', suffix = ''] = match;
  const multiplier: Record<string, [bigint, bigint]> = {
    '': [1n, 1n], m: [1n, 1000n], k: [1000n, 1n], M: [1_000_000n, 1n], G: [1_000_000_000n, 1n],
    Ki: [1024n, 1n], Mi: [1024n ** 2n, 1n], Gi: [1024n ** 3n, 1n],
  };
  const [times, over] = multiplier[suffix]!;
  return { numerator: BigInt(`${whole}${fraction}`) * times, denominator: over * 10n ** BigInt(fraction.length) };
}

/** Spellings of the same quantity: plain, milli, SI and binary suffixes, an exponent. */
export function kubernetesQuantitySpellings(q: { numerator: bigint; denominator: bigint }): Array<string | number> {
  const out: Array<string | number> = [];
  const plain = decimal(q.numerator, q.denominator);
  if (plain) {
    out.push(plain, `${plain}e0`);
    if (plain.replace('.', '').length <= 15) out.push(Number(plain));
  }
  const milli = decimal(q.numerator * 1000n, q.denominator, 0);
  if (milli) out.push(`${milli}m`);
  const units: Array<[string, bigint]> = [['k', 1000n], ['M', 1_000_000n], ['G', 1_000_000_000n], ['Ki', 1024n], ['Mi', 1024n ** 2n], ['Gi', 1024n ** 3n]];
  for (const [suffix, size] of units) {
    const text = decimal(q.numerator, q.denominator * size, 3);
    if (text && text !== '0') out.push(`${text}${suffix}`);
  }
  return [...new Set(out)];
}

export function pickOther<T>(spellings: T[], current: unknown, choices: Choices): T | null {
  const others = spellings.filter((s) => s !== current);
  return others.length ? choices.one(others) : null;
}
