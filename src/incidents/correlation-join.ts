// Storm correlation inside the ingest transaction: gathers what the pure decision needs (the service graph, the open
// incidents that paged within the window, the services that changed), decides, and records why a page joined.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import { changedServicesBetween } from '../intake/change-events-source.js';
import { saveSpans, type StoredSpan } from '../investigation/spans-repository.js';
import { decideCorrelation, inGraph, mergeGraphs, relatedServices, type CorrelationDecision } from './correlation.js';
import { correlationCandidates, lockCorrelation } from './correlation-repository.js';
import { findIncident, type Incident } from './repository.js';
import type { TimelineEventInput } from './timeline-repository.js';
import type { InvestigationTrigger } from './investigate-incident.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';

/** Re-investigations asked by joins within one bucket share one job: a storm is investigated a few times, not per page. */
export const JOIN_INVESTIGATION_BUCKET_MS = 10_000;

export type Joined = Extract<CorrelationDecision, { join: true }>;

/** How long intake waits for the evidence graph before correlating on the config's graph alone. */
const EVIDENCE_GRAPH_WAIT_MS = 500;

/** The service graph: config `services[].dependsOn` and the evidence graph's (the world's, in the local workspace). */
export async function serviceGraph(ctx: AppContext): Promise<Map<string, string[]>> {
  const fromConfig = ctx.config.file.services.map((s) => ({ name: s.name, dependsOn: s.dependsOn }));
  // Opening an incident must never wait on an evidence source: a graph that does not answer within a moment (or
  // fails) leaves correlation to the config's graph.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), EVIDENCE_GRAPH_WAIT_MS)));
  const fromEvidence = await Promise.race([ctx.services.evidence.graph.services(), late])
    .catch((err: unknown) => {
      ctx.logger.warn({ err }, 'could not read the evidence service graph; correlating on the config graph only');
      return [];
    })
    .finally(() => clearTimeout(timer));
  if (fromEvidence === 'late') {
    ctx.logger.warn('the evidence service graph did not answer in time; correlating on the config graph only');
    return mergeGraphs(fromConfig, []);
  }
  return mergeGraphs(fromConfig, fromEvidence);
}

/**
 * For a new alert group that has no open incident: the open incident its page joins (storm correlation), with the
 * `alert.correlated` timeline entry saying why; undefined when it opens its own. A page of a service in the graph
 * takes the correlation lock first, so concurrent pages of one outage are decided one after the other.
 */
export async function joinCorrelatedIncident(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  firing: Alert,
  now: Date,
  /** The service graph, when the caller read it already. */
  known?: Map<string, string[]>,
): Promise<{ incident: Incident; event: TimelineEventInput; spans: StoredSpan[] } | undefined> {
  const { correlateWindow: windowMs, correlateHops: maxHops } = ctx.config.file.incidents;
  if (windowMs <= 0 || !firing.service) return undefined;
  const started = Date.now();
  const graph = known ?? (await serviceGraph(ctx));
  if (!inGraph(graph, firing.service)) return undefined;
  await lockCorrelation(trx);
  const since = new Date(now.getTime() - windowMs);
  const candidates = await correlationCandidates(trx, since, relatedServices(graph, firing.service, maxHops));
  const changed = candidates.length ? await changedServicesBetween(trx, since, now) : [];
  const decision = decideCorrelation({
    service: firing.service,
    at: now,
    candidates,
    graph,
    changed,
    windowMs,
    maxHops,
  });
  if (!decision.join) {
    ctx.logger.debug({ groupKey, service: firing.service, reason: decision.reason }, 'page not correlated');
    return undefined;
  }
  const incident = await findIncident(trx, decision.incidentId);
  if (!incident) return undefined;
  const data = {
    groupKey,
    service: decision.service,
    alertname: firing.alertname,
    fingerprint: firing.fingerprint,
    to: decision.to,
    relation: decision.relation,
    hops: decision.hops,
    path: decision.path,
    ...(decision.changed ? { changed: decision.changed } : {}),
    afterMs: decision.afterMs,
    reason: decision.reason,
  };
  // The decision's trace, beside the investigation's spans (the console's decision trace shows it).
  const spans = await saveSpans(trx, incident.id, `correlation-${incident.id}`, [
    {
      name: 'correlation.join',
      kind: 'decision',
      startedAt: started,
      durationMs: Date.now() - started,
      attributes: { ...data, candidates: candidates.length, changedServices: changed.map((c) => c.service) },
    },
  ]);
  // Exported by the caller once the ingest transaction has committed (`spans`): exported here, a rollback would leave
  // the collector holding a decision the database does not (the page is then redelivered and decided again).
  ctx.logger.info({ incidentId: incident.id, ...data }, 'page joined an open incident (storm correlation)');
  return {
    incident,
    spans,
    event: {
      incidentId: incident.id,
      type: 'alert.correlated',
      actor: firing.source,
      at: now,
      // Once per alert group and incident: later deliveries of the group find it by fingerprint or join again silently.
      dedupeKey: `correlated:${incident.id}:${groupKey}`,
      data,
    },
  };
}

/**
 * Asks for the joined incident to be investigated again, debounced: every join within one JOIN_INVESTIGATION_BUCKET_MS
 * bucket (wall time, as the briefing's coalescing: it protects the workers) shares one job, run at the bucket's end.
 */
export async function investigateAfterJoin(
  ctx: AppContext,
  trx: Knex.Transaction,
  incidentId: number,
  firing: Alert,
): Promise<void> {
  const now = Date.now();
  const bucket = Math.floor(now / JOIN_INVESTIGATION_BUCKET_MS);
  const trigger: InvestigationTrigger = { reason: 'new_alert', source: firing.source, fingerprint: firing.fingerprint };
  await ctx.queue.enqueue(
    InvestigateIncident.name,
    { incidentId, trigger },
    {
      jobId: investigateJobId(incidentId, `join-${bucket}`),
      delayMs: (bucket + 1) * JOIN_INVESTIGATION_BUCKET_MS - now,
      trx,
    },
  );
}
