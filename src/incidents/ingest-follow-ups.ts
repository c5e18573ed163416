// What a batch of alerts joining an open incident may ask for besides its alerts (called by ingest-alerts.ts inside its
// transaction): a new lead's investigation, whether the group fired again after every alert had resolved, and the
// timeline's record of alerts the sender left out.
import type { Knex } from 'knex';
import type { AppContext } from '../context.js';
import type { Alert } from '../intake/alert.js';
import type { InvestigationTrigger } from './investigate-incident.js';
import { InvestigateIncident, investigateJobId } from './jobs/investigate-incident.js';
import type { Incident } from './repository.js';
import { appendEvents, countEvents, type TimelineEventInput } from './timeline-repository.js';

/** Whether every alert of the incident had resolved, and none has fired again since. */
export async function firedSinceAllResolved(trx: Knex.Transaction, incidentId: number): Promise<boolean> {
  return (
    (await countEvents(trx, incidentId, ['alerts.all_resolved'])) >
    (await countEvents(trx, incidentId, ['alerts.firing_again', 'alerts.fired_again']))
  );
}

/** Where an alert points: its service and alert name. */
const leadKey = (service: string | null | undefined, alertname: string | null | undefined) =>
  `${service ?? ''}\u0000${alertname ?? ''}`;

/**
 * A firing alert new to an open incident that points elsewhere (a service or an alert name none of its alerts had) is
 * a new lead: it is recorded (`alert.new_lead`) and the incident is investigated again from it, once per lead; the
 * investigation tells the channel what changed. More firings of what the incident already knows change nothing.
 */
export async function investigateNewLead(
  ctx: AppContext,
  trx: Knex.Transaction,
  incident: Incident,
  alerts: Alert[],
  known: { service: string | null; alertname: string | null }[],
  now: Date,
): Promise<void> {
  if (known.length === 0) return;
  const seen = new Set(known.map((k) => leadKey(k.service, k.alertname)));
  const lead = alerts.find((a) => a.status === 'firing' && !seen.has(leadKey(a.service, a.alertname)));
  if (!lead) return;
  const key = `${lead.service ?? ''}:${lead.alertname}`;
  const written = await appendEvents(trx, [
    {
      incidentId: incident.id,
      type: 'alert.new_lead',
      actor: lead.source,
      at: now,
      dedupeKey: `lead:${incident.id}:${key}`,
      data: { fingerprint: lead.fingerprint, alertname: lead.alertname, service: lead.service ?? null },
    },
  ]);
  if (!written) return;
  const trigger: InvestigationTrigger = { reason: 'new_alert', source: lead.source, fingerprint: lead.fingerprint };
  await ctx.queue.enqueue(
    InvestigateIncident.name,
    { incidentId: incident.id, trigger },
    { jobId: investigateJobId(incident.id, `lead-${key}`), trx },
  );
}

/**
 * Keeps the timeline's `alerts.truncated` entry in step with the sender: a delivery that left alerts out records how
 * many, and the first complete delivery after that records 0 (`last` is the figure on the timeline). The briefing
 * shows the latest figure.
 */
export function truncationEvent(
  last: number,
  incidentId: number,
  origin: { truncated?: number; deliveryId?: number },
  now: Date,
): TimelineEventInput | undefined {
  const truncated = origin.truncated ?? 0;
  if (truncated === last) return undefined;
  return {
    incidentId,
    type: 'alerts.truncated',
    actor: 'alertmanager',
    at: now,
    dedupeKey: `alerts-truncated:${incidentId}:${origin.deliveryId}`,
    data: { truncated, deliveryId: origin.deliveryId },
  };
}
