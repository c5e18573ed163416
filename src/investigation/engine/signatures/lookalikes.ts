// Look-alikes of known failures that are not one: resolver failures, clock skew, a partition between zones. Their
// presence makes the investigator abstain unless a change is tied to the failure by its own text.
import type { LogTemplate } from '../../log-index.js';
import { MIN, type Context } from '../context.js';

/** A name lookup that failed, in the phrasings of Go, glibc, Node, Java, Python and curl. */
export const RESOLVER =
  /no such host|server misbehaving|NXDOMAIN|SERVFAIL|lookup [\w.-]+ on [\d.:]+|dns (lookup|resolution)|getaddrinfo|EAI_AGAIN|ENOTFOUND|UnknownHostException|UnresolvedAddressException|NameResolutionError|temporary failure in name resolution|(could not|failed to|unable to) resolve|name or service not known|nodename nor servname/i;

const KINDS: Array<{ kind: string; re: RegExp; minServices: number }> = [
  {
    kind: 'dns resolution failures',
    re: RESOLVER,
    // One service's resolver failing for a host it calls is as much a look-alike as several: the host was never reached.
    minServices: 1,
  },
  {
    kind: 'clock skew',
    re: /clock (skew|drift)|used before issued|not yet valid \(iat|issued in the future|iat .*in the future|nbf claim/i,
    minServices: 1,
  },
  {
    kind: 'zone partition',
    re: /network partition|no route to host|zone[- ]?[a-f]\b.*(unreachable|timed? ?out|partition)|cross-zone/i,
    minServices: 1,
  },
];

/** A line that a look-alike explains (it cannot tie a change or a vendor to the failure). */
export function isLookalikeLine(line: string): boolean {
  return KINDS.some((k) => k.re.test(line));
}

/** The look-alike kinds found in the new log lines since the onset, with a line of each. */
export function lookalikes(ctx: Context): Array<{ kind: string; services: string[]; line: LogTemplate }> {
  const since = ctx.t0 - 10 * MIN;
  const out: Array<{ kind: string; services: string[]; line: LogTemplate }> = [];
  for (const k of KINDS) {
    const hits = ctx.logs.templates.filter(
      (t) => t.firstTs >= since && (t.level === 'error' || t.level === 'warn') && k.re.test(t.first.line),
    );
    const services = [...new Set(hits.map((t) => t.service))];
    if (services.length >= k.minServices) out.push({ kind: k.kind, services, line: hits[0]! });
  }
  return out;
}
