// Other ways to write the same Go duration (`10s` = `10000ms` = `0h10s` =
// `5s5000ms`), worked out here rather than with deckhand's own duration code, so
// a bug there cannot hide itself.
import type { Choices } from './choices.js';

const units: Record<string, bigint> = { ns: 1n, us: 1_000n, '\u00b5s': 1_000n, '\u03bcs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Nanoseconds of a Go duration (whole numbers of each unit only), or null. */
export function goDurationNanos(text: string): bigint | null {
  if (text === '0') return 0n;
  const parts = /^(?:\d+(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g) : null;
  if (!parts) return null;
  let total = 0n;
  for (const part of parts) {
    const [, digits, unit] = /^(\d+)(.+)$/.exec(part)!;
    total += BigInt(digits!) * units[unit!]!;
  }
  return total;
}

export interface DurationStyle {
  /** Nanoseconds may be written as a bare number (Nomad); null: only strings. */
  bareNanoseconds: boolean;
  /** A bare 0 is allowed for a zero duration (Compose). */
  bareZero: boolean;
}

export type DurationText = { kind: 'string'; text: string } | { kind: 'number'; text: string };

/** The ways to write `nanos` that Go's time.ParseDuration reads as the same duration. */
export function durationSpellings(nanos: bigint, style: DurationStyle): DurationText[] {
  const out: string[] = [];
  const whole = (unit: string) => (nanos % units[unit]! === 0n ? `${nanos / units[unit]!}${unit}` : null);
  for (const unit of ['ms', 's', 'm', 'h', 'us', '\u00b5s', '\u03bcs', 'ns']) {
    const text = whole(unit);
    if (text) out.push(text);
  }
  // Compound: `1m30s`, and with a leading zero unit (`0h1m30s`) or a split unit (`1m29s1000ms`).
  out.push(compound(nanos));
  out.push(`0h${compound(nanos)}`);
  if (nanos >= units.s! && nanos % units.ms! === 0n) {
    const second = units.s!;
    out.push(`${(nanos - second) / units.ms!}ms1s`);
    if ((nanos - second) % second === 0n) out.push(`${(nanos - second) / second}s1000ms`);
  }
  // A decimal fraction Go reads exactly: 90s = 1.5m.
  for (const unit of ['s', 'm', 'h']) {
    const size = units[unit]!;
    if (nanos % size === 0n || nanos < size / 1000n) continue;
    for (const decimals of [1, 2, 3]) {
      const scale = 10n ** BigInt(decimals);
      if ((nanos * scale) % size !== 0n) continue;
      const scaled = (nanos * scale) / size;
      const digits = scaled.toString().padStart(decimals + 1, '0');
      out.push(`${digits.slice(0, -decimals)}.${digits.slice(-decimals)}${unit}`);
      break;
    }
  }
  const spellings: DurationText[] = [...new Set(out)].map((text) => ({ kind: 'string', text }));
  if (style.bareNanoseconds) spellings.push({ kind: 'number', text: nanos.toString() });
  if (style.bareZero && nanos === 0n) spellings.push({ kind: 'number', text: '0' });
  return spellings;
}

function compound(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  let rest = nanos;
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms', 'us', 'ns']) {
    const size = units[unit]!;
    if (rest >= size) {
      out += `${rest / size}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** Another spelling of a duration, or null when the text is not one this module reads. */
export function respellDuration(text: string, choices: Choices, style: DurationStyle): DurationText | null {
  const nanos = goDurationNanos(text);
  if (nanos === null) return null;
  const spellings = durationSpellings(nanos, style).filter((s) => s.text !== text);
  return spellings.length ? choices.one(spellings) : null;
}
