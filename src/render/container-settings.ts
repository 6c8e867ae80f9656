// Forms of container settings that every format writes the same way (capability
// names, stop signals, ulimits, `name:address` host lines): each format's mapping
// checks them where it reads them, so an error points at the file's own field
// rather than surfacing as Docker's refusal when a container is created.
import { isIP } from 'node:net';
import type { Ulimit } from '../model/index.js';

/** Linux capabilities Docker knows (moby's list, kernel 6.x), without the `CAP_` prefix. */
const capabilities = new Set([
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYSLOG', 'SYS_ADMIN', 'SYS_BOOT',
  'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE', 'SYS_TIME',
  'SYS_TTY_CONFIG', 'WAKE_ALARM',
]);

/**
 * A capability as Docker and Compose write it (`NET_ADMIN`, `ALL`), from Nomad's
 * `net_admin`, Kubernetes' `NET_ADMIN` or `CAP_NET_ADMIN`: writing it another way
 * is no change. Undefined: not a capability.
 */
export function capabilityName(text: string): string | undefined {
  const name = text.trim().toUpperCase().replace(/^CAP_/, '');
  return name === 'ALL' || capabilities.has(name) ? name : undefined;
}

/** Signal names Docker's stop signal accepts on Linux, without `SIG`. */
const signals = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL',
  'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1',
  'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ', 'RTMIN', 'RTMAX',
]);

/** `SIGINT`, `INT`, `sigint`, `RTMIN+3` or a number from 1 to 64, as Docker reads a stop signal. */
export function isStopSignal(text: string): boolean {
  if (/^\d+$/.test(text)) return Number(text) >= 1 && Number(text) <= 64;
  const name = text.toUpperCase().replace(/^SIG/, '');
  const realtime = /^RTM(IN\+([1-9]|1[0-5])|AX-([1-9]|1[0-4]))$/.test(name);
  return realtime || signals.has(name);
}

export const stopSignalRule = 'a signal name such as "SIGINT" or "SIGQUIT", or its number';

/** Nomad's and Docker's `soft:hard` (or one number for both); -1 is unlimited. Undefined: not that form. */
export function parseUlimit(name: string, text: string): Ulimit | undefined {
  const parts = text.trim().split(':');
  if (parts.length > 2 || !parts.every((p) => /^-?\d+$/.test(p))) return undefined;
  const [soft, hard] = parts.map(Number);
  return { name, soft: soft!, hard: hard ?? soft! };
}

/** A line of /etc/hosts as Docker takes it: `name:address`, the address IPv4, IPv6 or `host-gateway`. */
export function isExtraHost(text: string): boolean {
  const cut = text.indexOf(':');
  if (cut <= 0 || /\s/.test(text)) return false;
  const address = text.slice(cut + 1);
  return address === 'host-gateway' || isIP(address) !== 0;
}

export const extraHostRule = 'a "name:address" line, e.g. "db.internal:10.0.0.5"';
