// Reopening from alerts: an alert of a recently resolved incident fires again (called by ingest-alerts.ts inside its
// transaction).
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import { requestPresentation } from '../jobs/presentations.js';
import { StartEscalation } from '../oncall/jobs/start-escalation.js';
import type { InvestigationTrigger } from './investigate-incident.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import { reopenResolvedIncident, type ReopenCandidate } from './opening-repository.js';
import { PostIncidentNote } from './presentations.js';
import { minutesAfterResolve } from './reopen.js';
import { findOpenIncidentByGroupKey, type Incident } from './repository.js';
import { appendEvents, reopenCount } from './timeline-repository.js';

/**
 * Reopens the group's incident resolved less than `incidents.regroupWindow` ago when one of the firing alerts is one
 * of its own (same source and fingerprint) firing again (`candidate`, as the ingestion's lookup found it): back to
 * triggered with its stale diagnosis cleared, with an `incident.reopened` timeline entry, the channel note, a fresh
 * investigation and the escalation queued in the same transaction. A different alert of the group is a different failure and opens a new incident instead. The update
 * only applies to a row still resolved, so of two replicas only one reopens; the other, and a replica that meets an
 * incident of the group opened meanwhile (the partial unique index on open group keys refuses a second one), joins
 * the open incident.
 */
export async function reopenRecentIncident(
  ctx: AppContext,
  trx: Knex.Transaction,
  groupKey: string,
  firing: Alert[],
  now: Date,
  candidate: ReopenCandidate,
): Promise<{ incident: Incident; reopened?: number } | undefined> {
  const alert = firing.find((a) => a.fingerprint === candidate.fingerprint) ?? firing[0]!;
  const incident = await reopenResolvedIncident(trx, candidate.id, now);
  if (!incident) {
    const open = await findOpenIncidentByGroupKey(trx, groupKey);
    return open ? { incident: open } : undefined;
  }
  const count = (await reopenCount(trx, incident.id)) + 1;
  const minutes = minutesAfterResolve(candidate.resolvedAt, now);
  await appendEvents(trx, [
    {
      incidentId: incident.id,
      type: 'incident.reopened',
      actor: 'copilot',
      at: now,
      dedupeKey: `reopened:${incident.id}:${count}`,
      data: {
        reopenCount: count,
        alertname: alert.alertname,
        fingerprint: alert.fingerprint,
        resolvedAt: candidate.resolvedAt.toISOString(),
        minutesAfterResolve: minutes,
      },
    },
  ]);
  await requestPresentation(
    ctx,
    PostIncidentNote,
    { incidentId: incident.id, note: { kind: 'reopened', alertname: alert.alertname, minutesAfterResolve: minutes } },
    { jobId: `reopened-note:${incident.id}:${count}`, trx },
  );
  // The old diagnosis may be of a failure already fixed: the reopened incident is investigated again, and paged again.
  const trigger: InvestigationTrigger = { reason: 'reopened', source: alert.source, fingerprint: alert.fingerprint };
  await ctx.queue.enqueue(
    InvestigateIncident.name,
    { incidentId: incident.id, trigger },
    { jobId: investigateJobId(incident.id, `r${count}`), trx },
  );
  await ctx.queue.enqueue(
    StartEscalation.name,
    { incidentId: incident.id },
    { jobId: `start-escalation-${incident.id}-r${count}`, trx },
  );
  return { incident, reopened: count };
}
