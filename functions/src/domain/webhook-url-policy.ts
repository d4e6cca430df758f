import { BlockList, isIP } from 'node:net';

export class UnsafeWebhookUrlError extends Error {
  override name = 'UnsafeWebhookUrlError';
}

export interface WebhookUrlRules {
  allowLoopback: boolean;
  blockedPorts: readonly number[];
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Private, link-local (includes the 169.254.169.254 metadata service), shared, multicast and reserved ranges.
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv6');
}

function unmapIpv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** Decides whether we may connect to one resolved address. */
export function checkAddress(rawAddress: string, rules: WebhookUrlRules): void {
  const address = unmapIpv4(rawAddress.replace(/^\[|\]$/g, ''));
  const family = isIP(address);
  if (family === 0) throw new UnsafeWebhookUrlError(`"${rawAddress}" is not an IP address`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (loopback.check(address, type)) {
    if (!rules.allowLoopback) throw new UnsafeWebhookUrlError('loopback addresses are not allowed');
    return;
  }
  if (forbidden.check(address, type)) {
    throw new UnsafeWebhookUrlError('private, link-local and reserved addresses are not allowed');
  }
}

export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

const isLoopbackName = (hostname: string): boolean =>
  hostname === 'localhost' || hostname.endsWith('.localhost');

/** Checks what can be checked without DNS: scheme, credentials, port, and literal addresses. */
export function checkWebhookUrl(text: string, rules: WebhookUrlRules): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new UnsafeWebhookUrlError('not a valid absolute URL', { cause });
  }
  if (url.username !== '' || url.password !== '')
    throw new UnsafeWebhookUrlError('credentials in the URL are not allowed');
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname) !== 0;
  const isLoopback =
    isLoopbackName(hostname) ||
    (literal && loopback.check(unmapIpv4(hostname), isIP(unmapIpv4(hostname)) === 4 ? 'ipv4' : 'ipv6'));
  if (url.protocol === 'http:') {
    if (!(rules.allowLoopback && isLoopback))
      throw new UnsafeWebhookUrlError('the webhook URL must use https');
  } else if (url.protocol !== 'https:') {
    throw new UnsafeWebhookUrlError('the webhook URL must use https');
  }
  if (isLoopback && !rules.allowLoopback)
    throw new UnsafeWebhookUrlError('loopback addresses are not allowed');
  // The local cloud's own ports are refused whatever the host, since any name may resolve to loopback.
  if (rules.blockedPorts.includes(effectivePort(url))) {
    throw new UnsafeWebhookUrlError(`port ${effectivePort(url)} is reserved`);
  }
  if (literal) checkAddress(hostname, rules);
  return url;
}
