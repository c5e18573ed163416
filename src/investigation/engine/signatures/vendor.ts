// Signature: an external vendor failing; or a vendor rate-limiting us because of our own change (429 + Retry-After).
import type { SeriesFinding } from '../../signals.js';
import { hhmm } from '../../signals.js';
import { hyp, logRef, metricRef, MIN, pastRefs, type Candidate, type Context, type Root } from '../context.js';
import { changeCandidates } from './change.js';
import { isLookalikeLine, RESOLVER } from './lookalikes.js';

const RATE_LIMITED = /\b429\b|too many requests|rate.?limit|retry-after|quota/i;
const OUTAGE = /\b50[234]\b|unavailable|timed out|timeout|deadline|connection refused/i;
/** The vendor itself answered with a failure (we reached it): a timeout could be the lookup's own. */
const VENDOR_ANSWERED =
  /\b5\d\d\b|unavailable|internal server error|bad gateway|connection refused|reset by peer|ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/i;

export function vendorSignature(
  ctx: Context,
  root: Root,
  opts: { lookalike: boolean } = { lookalike: false },
): Candidate[] {
  const { service } = root;
  if (ctx.services.get(service)?.kind !== 'external') return [];
  const callers = ctx.callers.get(service) ?? [];
  const edges = callers
    .map((c) => ctx.signals.get(c)?.edges.get(service))
    .filter((f): f is SeriesFinding => !!f?.significant);
  const logs = callers.flatMap((c) => ctx.logs.mentioning(c, service, ctx.t0 - 5 * MIN));
  // The vendor's trouble began where its callers' calls to it began failing; the incident's onset only when no edge moved
  // (another service's earlier noise says nothing of when the vendor started answering differently).
  const onset = edges.length ? Math.min(...edges.map((e) => e.departure!.onset)) : ctx.t0;
  const limited = logs.filter((t) => RATE_LIMITED.test(t.first.line));
  const outage = logs.filter((t) => OUTAGE.test(t.first.line) && !RATE_LIMITED.test(t.first.line));
  const out: Candidate[] = [];
  const ev = [...edges.slice(0, 2).map((f) => metricRef(f, ctx)), ...logs.slice(0, 2).map((t) => logRef(t, ctx))];
  if (ev.length === 0) ev.push(...root.trail.slice(-3));
  const rateLimitedByUs =
    limited.length > 0 && limited.reduce((n, t) => n + t.count, 0) >= outage.reduce((n, t) => n + t.count, 0);
  if (rateLimitedByUs) {
    // The vendor is throttling us: the cause is whatever we changed that made us call it harder.
    for (const caller of callers) {
      const own = ctx.logs.newSince(caller, onset - 5 * MIN);
      const changes = changeCandidates(ctx, caller, onset, own);
      changes.slice(0, 2).forEach((c, i) => {
        const isDeploy = c.kind === 'deploy';
        out.push({
          hypothesis: hyp(
            isDeploy ? 'bad_deploy' : 'config_change',
            caller,
            c.item.id,
            `${service} started rate-limiting ${caller} (429) ${Math.round((onset - c.ts) / MIN)} min after ${caller}'s ${c.item.id}; the vendor is up, we call it harder`,
            [
              {
                kind: isDeploy ? 'deploy' : 'change',
                ref: c.item.id,
                detail: `${c.kind} of ${caller} at ${hhmm(c.ts, ctx.zone)}`,
              },
              ...limited.slice(0, 2).map((t) => logRef(t, ctx)),
              ...edges.slice(0, 1).map((f) => metricRef(f, ctx)),
            ],
          ),
          score: 7 + (c.overlap > 0 ? 1 : 0) - i * 1.5,
          signals: [
            'rate_limited',
            'change_in_window',
            ...(edges.length ? ['caller_edge'] : []),
            ...(c.overlap > 0 ? ['logs_name_change'] : []),
          ],
          primary: true,
        });
      });
    }
  }
  // Calls that fail with no route, no DNS answer or skewed clocks are our network's trouble, not the vendor's outage.
  // So are failing calls with no error of the vendor's own logged while a look-alike (resolver, clock skew,
  // partition) is in the logs: only the edge's metric moved, which a look-alike explains as well.
  // And failing lookups of the vendor's host with nothing the vendor itself answered: the timeouts beside them are as
  // likely the lookups' own, unless they far outnumber the lookups (a couple of failed lookups explain no timeouts).
  const count = (ts: typeof logs) => ts.reduce((n, t) => n + t.count, 0);
  const lookups = count(logs.filter((t) => RESOLVER.test(t.first.line)));
  const unresolved = lookups > 0 && lookups >= count(outage.filter((t) => !RESOLVER.test(t.first.line))) / 2;
  const answered = logs.some((t) => VENDOR_ANSWERED.test(t.first.line) && !RESOLVER.test(t.first.line));
  const ours =
    (logs.length > 0 && logs.every((t) => isLookalikeLine(t.first.line))) ||
    (unresolved && !answered) ||
    (opts.lookalike && outage.length === 0);
  const signals = [
    ...(edges.length ? ['caller_edge'] : []),
    ...(edges.length > 1 ? ['several_callers'] : []),
    ...(outage.length ? ['vendor_errors_logged'] : []),
  ];
  out.push({
    hypothesis: hyp(
      'third_party_outage',
      service,
      null,
      `calls to vendor ${service} started failing at ${hhmm(onset, ctx.zone)}; its callers' errors follow`,
      [...ev, ...pastRefs(ctx, service, 'third_party_outage')],
    ),
    score: ours ? 1 : rateLimitedByUs && out.length ? 3 : 4 + signals.length * 1.5,
    signals,
    primary: !ours,
  });
  return out;
}
