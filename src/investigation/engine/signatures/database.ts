// Signature: a database's connections exhausted by slow queries; or by a lowered connection limit (a config change).
import { firstOf, fmt, hhmm } from '../../signals.js';
import {
  CHANGE_WINDOW,
  hyp,
  logRef,
  metricRef,
  MIN,
  newLogs,
  pastRefs,
  poolFull,
  type Candidate,
  type Context,
  type Root,
} from '../context.js';
import { overlap } from './change.js';

const EXHAUSTED =
  /remaining connection slots are reserved|too many (connections|clients)|connection limit exceeded|sorry, too many/i;
const LIMIT_CHANGE = /max_connections|connection.?limit|pool_size|max_pool|connections?\b/i;

export function databaseSignature(ctx: Context, root: Root): Candidate[] {
  const { service } = root;
  const svc = ctx.services.get(service);
  const sig = ctx.signals.get(service);
  const conns = firstOf(sig, 'db_connections');
  const ql = firstOf(sig, 'db_query_latency_p99');
  const saturated = poolFull(conns);
  const logs = newLogs(ctx, service, EXHAUSTED);
  const callerLogs = (ctx.callers.get(service) ?? []).flatMap((c) =>
    ctx.logs
      .newSince(c, ctx.t0 - 10 * MIN)
      .filter((t) => /acquir\w* connection|connection pool|too many connections/i.test(t.first.line)),
  );
  // A database that exports nothing: its own lines (slots exhausted, or statements running for tens of seconds while callers
  // wait for the pool) carry the diagnosis.
  const slowStatements = newLogs(ctx, service, /duration: \d{4,} ms\s+statement/i);
  const silentEvidence = !conns && (logs.length > 0 || (slowStatements.length > 0 && callerLogs.length > 0));
  if (!saturated && !silentEvidence) return [];
  const slowQueries = !!ql?.significant;
  const onset = conns?.departure?.onset ?? ctx.t0;
  // A lowered limit saturates the pool without slow queries: the change is the cause, not the load.
  const limitChanges = ctx.changes.filter(
    (c) =>
      c.service === service &&
      Date.parse(c.ts) >= onset - CHANGE_WINDOW &&
      Date.parse(c.ts) <= onset + 4 * MIN &&
      LIMIT_CHANGE.test(c.summary),
  );
  const out: Candidate[] = [];
  for (const c of limitChanges) {
    const quoted = overlap(c.summary, [...ctx.logs.newSince(service, onset - 5 * MIN), ...callerLogs]) > 0;
    out.push({
      hypothesis: hyp(
        'config_change',
        service,
        c.id,
        `${service} connections saturated right after ${c.id} (${c.summary}) with queries no slower: the limit was lowered`,
        [
          {
            kind: 'change',
            ref: c.id,
            detail: `${c.kind} change at ${hhmm(Date.parse(c.ts), ctx.zone)}: ${c.summary}`,
          },
          ...(conns ? [metricRef(conns, ctx)] : []),
          ...logs.slice(0, 1).map((t) => logRef(t, ctx)),
        ],
      ),
      score: slowQueries ? 5 : 8.5 + (quoted ? 1 : 0),
      signals: [
        'change_in_window',
        'connections_saturated',
        ...(slowQueries ? [] : ['queries_not_slow']),
        ...(quoted ? ['logs_name_change'] : []),
      ],
      primary: true,
    });
  }
  const signals = [
    ...(saturated ? ['connections_saturated'] : []),
    ...(slowQueries ? ['slow_queries'] : []),
    ...(logs.length ? ['exhaustion_logs'] : []),
    ...(slowStatements.length ? ['slow_statements_logged'] : []),
    ...(callerLogs.length ? ['callers_wait_for_pool'] : []),
  ];
  out.push({
    hypothesis: hyp(
      'db_saturation',
      service,
      null,
      `${service} connections saturated${conns ? ` (${fmt('db_connections', Math.max(conns.departure?.after ?? conns.last, conns.last))})` : ''} by slow queries`,
      [
        ...(conns ? [metricRef(conns, ctx)] : []),
        ...(slowQueries ? [metricRef(ql!, ctx)] : []),
        ...[...logs, ...slowStatements, ...ctx.logs.newSince(service, ctx.t0 - 10 * MIN)]
          .slice(0, 2)
          .map((t) => logRef(t, ctx)),
        ...pastRefs(ctx, service, 'db_saturation'),
      ],
    ),
    score: (svc?.kind === 'database' ? 6 : 4.5) + signals.length * (slowQueries || !conns ? 0.9 : 0.3),
    signals,
    primary: true,
  });
  return out;
}
