// IP network functions (Nomad's ipnet/ pages), as go-cty-funcs computes them with
// Go's net package and go-cidr: addresses are BigInts of 32 or 128 bits.
import type { Span } from '../ast.js';
import { EvalError } from '../value.js';
import type { FnSpec } from './args.js';
import { int, str } from './args.js';

interface Network {
  /** The network's first address (host bits cleared, as Go's ParseCIDR gives it). */
  ip: bigint;
  prefix: number;
  bits: 32 | 128;
}

export const ipnetFunctions: Record<string, FnSpec> = {
  cidrhost: {
    arity: [2, 2],
    fn: ([prefix, hostnum], at) => {
      const net = parseCidr(str(prefix!, at), at);
      const hostBits = net.bits - net.prefix;
      const max = (1n << BigInt(hostBits)) - 1n;
      let n = BigInt(int(hostnum!, at));
      // A negative number counts back from the end of the range, as in go-cidr.
      if (n < 0n) n += max + 1n;
      if (n < 0n || n > max) throw new EvalError(`cidrhost(): a prefix of ${net.prefix} bits does not hold a host numbered ${int(hostnum!, at)}`, at);
      return formatIp(net.ip + n, net.bits);
    },
  },
  cidrnetmask: {
    arity: [1, 1],
    fn: ([prefix], at) => {
      const net = parseCidr(str(prefix!, at), at);
      return formatIp(maskOf(net.prefix, net.bits), net.bits);
    },
  },
  cidrsubnet: {
    arity: [3, 3],
    fn: ([prefix, newbits, netnum], at) => {
      const net = parseCidr(str(prefix!, at), at);
      const extra = int(newbits!, at);
      const num = int(netnum!, at);
      if (extra > 32) throw new EvalError('cidrsubnet() may not extend the prefix by more than 32 bits', at);
      const length = net.prefix + extra;
      if (extra < 0 || length > net.bits) throw new EvalError(`cidrsubnet(): there is not enough address space to extend a prefix of ${net.prefix} bits by ${extra}`, at);
      if (num < 0 || BigInt(num) > (1n << BigInt(extra)) - 1n) throw new EvalError(`cidrsubnet(): extending the prefix by ${extra} bits does not make a subnet numbered ${num}`, at);
      return `${formatIp(net.ip | (BigInt(num) << BigInt(net.bits - length)), net.bits)}/${length}`;
    },
  },
  cidrsubnets: {
    arity: [1, Infinity],
    fn: ([prefix, ...newbits], at) => {
      const net = parseCidr(str(prefix!, at), at);
      if (newbits.length === 0) return [];
      const size = (bits: number) => 1n << BigInt(net.bits - bits);
      const all = (1n << BigInt(net.bits)) - 1n;
      const lengths = newbits.map((n) => int(n, at));
      // go-cidr: start just before the prefix, then each subnet is the next one of its size.
      let current = { ip: mask((net.ip - 1n) & all, net.prefix + lengths[0]!, net.bits), prefix: net.prefix + lengths[0]! };
      return lengths.map((extra) => {
        if (extra < 1) throw new EvalError('cidrsubnets() must extend the prefix by at least one bit', at);
        if (extra > 32) throw new EvalError('cidrsubnets() may not extend the prefix by more than 32 bits', at);
        const length = net.prefix + extra;
        if (length > net.bits) throw new EvalError(`cidrsubnets() would extend the prefix to ${length} bits, too long for an IPv${net.bits === 32 ? 4 : 6} address`, at);
        const currentLast = current.ip + size(current.prefix) - 1n;
        const after = mask(currentLast, length, net.bits) + size(length);
        const outside = after > all || mask(after, net.prefix, net.bits) !== net.ip;
        if (outside) throw new EvalError(`cidrsubnets(): not enough address space left for a subnet with a prefix of ${length} bits after ${formatIp(current.ip, net.bits)}/${current.prefix}`, at);
        current = { ip: after, prefix: length };
        return `${formatIp(after, net.bits)}/${length}`;
      });
    },
  },
};

function maskOf(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function mask(ip: bigint, prefix: number, bits: number): bigint {
  return ip & maskOf(prefix, bits);
}

function parseCidr(text: string, at: Span): Network {
  const slash = text.indexOf('/');
  const invalid = (): never => {
    throw new EvalError(`"${text}" is not a CIDR prefix`, at, 'as in 10.1.0.0/16 or fd00::/56');
  };
  if (slash < 0) return invalid();
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const parsed = address.includes(':') ? parseIpv6(address) : parseIpv4(address);
  if (parsed === null || !/^\d{1,3}$/.test(prefixText)) return invalid();
  const prefix = Number(prefixText);
  if (prefix > parsed.bits) return invalid();
  return { ip: mask(parsed.ip, prefix, parsed.bits), prefix, bits: parsed.bits };
}

function parseIpv4(text: string): { ip: bigint; bits: 32 } | null {
  const parts = text.split('.');
  // Go refuses leading zeros (they read as octal elsewhere).
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return null;
  return { ip: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
}

function parseIpv6(text: string): { ip: bigint; bits: 128 } | null {
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  let tail = split(halves[1] ?? '');
  let head = split(halves[0]!);
  // A trailing dotted IPv4 address fills the last two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = parseIpv4(last);
    if (!v4) return null;
    const pair = [(v4.ip >> 16n).toString(16), (v4.ip & 0xffffn).toString(16)];
    if (halves.length === 2) tail = [...tail.slice(0, -1), ...pair];
    else head = [...head.slice(0, -1), ...pair];
  }
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...Array<string>(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return { ip: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

/** Go's net.IP.String(): dotted IPv4; IPv6 in lower case with the longest run of two or more zero groups as `::`. */
function formatIp(ip: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((shift) => String((ip >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip >> BigInt(112 - i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
