// formatdate() and timeadd() (Nomad's datetime/ pages): pure functions of the
// timestamps they are given. timestamp(), which reads the clock, does not exist here.
import type { Span } from '../ast.js';
import { parseDuration } from '../../util/index.js';
import { EvalError } from '../value.js';
import type { FnSpec } from './args.js';
import { str } from './args.js';

/** A timestamp as written: its wall-clock fields in its own UTC offset. */
interface Timestamp {
  /** Milliseconds since the epoch. */
  epochMs: number;
  offsetMinutes: number;
}

export const datetimeFunctions: Record<string, FnSpec> = {
  formatdate: { arity: [2, 2], fn: ([format, time], at) => formatDate(str(format!, at), parseTimestamp(str(time!, at), at), at) },
  timeadd: {
    arity: [2, 2],
    fn: ([time, duration], at) => {
      const start = parseTimestamp(str(time!, at), at);
      const text = str(duration!, at);
      const ms = parseDuration(text);
      if (ms === null || text.trim() !== text) throw new EvalError(`timeadd(): "${text}" is not a duration`, at, 'a duration is a number and a unit: 10m, 1h30m, -2.5h');
      return rfc3339({ epochMs: start.epochMs + ms, offsetMinutes: start.offsetMinutes });
    },
  },
};

const rfc3339Pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

function parseTimestamp(text: string, at: Span): Timestamp {
  const m = rfc3339Pattern.exec(text);
  const [year, month, day, hour, minute, second] = (m?.slice(1, 7) ?? []).map(Number) as number[];
  const invalid = (why: string): never => {
    throw new EvalError(`"${text}" is not a valid RFC 3339 timestamp: ${why}`, at, 'as in 2018-01-02T23:12:01Z or 2018-01-02T23:12:01-08:00');
  };
  if (!m) return invalid('expected YYYY-MM-DDThh:mm:ss, then Z or an offset like +02:00');
  if (month! < 1 || month! > 12) invalid('the month must be between 01 and 12');
  if (day! < 1 || day! > new Date(Date.UTC(year!, month!, 0)).getUTCDate()) invalid('the day is not in that month');
  if (hour! > 23 || minute! > 59 || second! > 59) invalid('the time of day is out of range');
  const offsetMinutes = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) invalid('the UTC offset is out of range');
  const fractionMs = m[7] ? Number(`0${m[7]}`) * 1000 : 0;
  const wallMs = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) + fractionMs;
  return { epochMs: wallMs - offsetMinutes * 60_000, offsetMinutes };
}

/** The wall-clock fields of a timestamp in its own offset (read through a UTC Date). */
function wall(time: Timestamp): Date {
  return new Date(time.epochMs + time.offsetMinutes * 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

/** Go's time.RFC3339: whole seconds, and Z for UTC. */
function rfc3339(time: Timestamp): string {
  const w = wall(time);
  const date = `${pad(w.getUTCFullYear(), 4)}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())}`;
  const clock = `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())}`;
  return `${date}T${clock}${time.offsetMinutes === 0 ? 'Z' : offsetText(time.offsetMinutes, true)}`;
}

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const weekdays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** cty's date format: runs of one letter are fields (YYYY, MMM, hh...), 'quoted' text is literal, '' a quote. */
function formatDate(format: string, time: Timestamp, at: Span): string {
  const w = wall(time);
  const hour12 = w.getUTCHours() % 12 || 12;
  const fields: Record<string, Record<number, () => string>> = {
    Y: { 2: () => pad(w.getUTCFullYear() % 100), 4: () => pad(w.getUTCFullYear(), 4) },
    M: { 1: () => String(w.getUTCMonth() + 1), 2: () => pad(w.getUTCMonth() + 1), 3: () => months[w.getUTCMonth()]!.slice(0, 3), 4: () => months[w.getUTCMonth()]! },
    D: { 1: () => String(w.getUTCDate()), 2: () => pad(w.getUTCDate()) },
    E: { 3: () => weekdays[w.getUTCDay()]!.slice(0, 3), 4: () => weekdays[w.getUTCDay()]! },
    h: { 1: () => String(w.getUTCHours()), 2: () => pad(w.getUTCHours()) },
    H: { 1: () => String(hour12), 2: () => pad(hour12) },
    A: { 2: () => (w.getUTCHours() < 12 ? 'AM' : 'PM') },
    a: { 2: () => (w.getUTCHours() < 12 ? 'am' : 'pm') },
    m: { 1: () => String(w.getUTCMinutes()), 2: () => pad(w.getUTCMinutes()) },
    s: { 1: () => String(w.getUTCSeconds()), 2: () => pad(w.getUTCSeconds()) },
    Z: {
      1: () => (time.offsetMinutes === 0 ? 'Z' : offsetText(time.offsetMinutes, true)),
      3: () => (time.offsetMinutes === 0 ? 'UTC' : offsetText(time.offsetMinutes, false)),
      4: () => offsetText(time.offsetMinutes, false),
      5: () => offsetText(time.offsetMinutes, true),
    },
  };
  let out = '';
  const tokens = /'(?:[^']|'')*'?|''|([A-Za-z])\1*|[^'A-Za-z]+/g;
  for (const [token] of format.matchAll(tokens)) {
    if (token.startsWith("'")) {
      if (token === "''") out += "'";
      else if (token.length < 2 || !token.endsWith("'")) throw new EvalError("formatdate(): a literal opened with ' is never closed", at);
      else out += token.slice(1, -1).replace(/''/g, "'");
    } else if (/^[A-Za-z]/.test(token)) {
      const field = fields[token[0]!]?.[token.length];
      if (!field) throw new EvalError(`formatdate() does not know the field "${token}"`, at, 'fields are YY YYYY M MM MMM MMMM D DD EEE EEEE h hh H HH AA aa m mm s ss Z ZZZ ZZZZ ZZZZZ');
      out += field();
    } else {
      out += token;
    }
  }
  return out;
}
