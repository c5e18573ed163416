// Checks that a webhook came from who it says: PagerDuty v1 signatures, our events HMAC, Alertmanager's bearer token.
import { createHmac, timingSafeEqual } from 'node:crypto';

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function hmacHex(secret: string, raw: Buffer): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/**
 * PagerDuty v3: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]`, several values while a secret rotates. `secrets`
 * may list several of ours (comma-separated in PAGERDUTY_WEBHOOK_SECRET) for the same reason.
 */
export function verifyPagerDutySignature(raw: Buffer, header: string | undefined, secrets: string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const given = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3).toLowerCase());
  let ok = false;
  for (const secret of secrets) {
    const expected = hmacHex(secret, raw);
    // Compare against every value rather than stopping early, so timing says nothing about which one matched.
    for (const g of given) ok = safeEqualHex(g, expected) || ok;
  }
  return ok;
}

/** Our events webhook: `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`. */
export function verifyEventsSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  return safeEqualHex(header.slice(7).toLowerCase(), hmacHex(secret, raw));
}

/** Alertmanager's `Authorization: Bearer <token>`. */
export function verifyBearer(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m !== null && safeEqualHex(m[1]!, token);
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/**
 * Whether a Host header names this machine by a loopback name or address (`localhost`, `127.x.x.x`, `[::1]`, with
 * or without a port). A page served from another name that resolves to 127.0.0.1 (DNS rebinding) sends its own.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Splits a secret setting that may hold several comma-separated values (rotation). */
export function splitSecrets(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Signs a body the way PagerDuty does (for tests, the bench and the local workspace). */
export function signPagerDuty(raw: Buffer | string, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Signs a body the way /webhooks/events expects. */
export function signEvents(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}
