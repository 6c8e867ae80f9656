// Whether an address never leaves the machine: the agent's listen address and a
// repository's host are judged by the same rule.

/** `localhost` (and `*.localhost`), 127.0.0.0/8 and ::1, with or without IPv6 brackets. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
