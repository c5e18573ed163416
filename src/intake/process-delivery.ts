// Job: process one recorded webhook delivery: alerts join incidents, PagerDuty state changes apply, changes are stored.
import { sloSeverityOf } from '../slo/evaluate-burn.js';
import { specsFromConfig } from '../slo/model.js';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import type { JobDefinition } from '../jobs/job-queue.js';
import { PermanentJobError, formatZodIssues } from '../errors.js';
import { ingestAlerts, type FinishTail } from '../incidents/ingest-alerts.js';
import { OPENED_ONLY } from '../incidents/opening-repository.js';
import { acknowledgeIncident, resolveIncident, unacknowledgeIncident } from '../incidents/transitions.js';
import { findOpenIncidentByGroupKey, openIncidentIdsOfService } from '../incidents/repository.js';
import { appendEvent } from '../incidents/timeline-repository.js';
import { InvestigateIncident } from '../incidents/jobs/investigate-incident.js';
import {
  alertFromPagerDuty,
  alertmanagerPayloadSchema,
  alertsFromAlertmanager,
  changeEventPayloadSchema,
  pagerDutyIncidentId,
  pagerDutyPayloadSchema,
  type PagerDutyPayload,
} from './alert.js';
import { pageFromAlertmanager, pageFromPagerDuty } from '../investigation/page-summary.js';
import { storeChangeEvent } from './change-events-source.js';
import { requestDeployStatus } from '../slo/deploy-status.js';
import { deliveryCompletionParts, markDeliveryProcessed, readDelivery } from './deliveries-repository.js';
import { PROCESS_DELIVERY_JOB } from './record-delivery.js';

const payloadSchema = z.object({ deliveryId: z.number().int().positive() });

function parseOrFail<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  // The route validated it before storing: a stored body that no longer parses can never succeed.
  if (!r.success) throw new PermanentJobError(`${what}: ${formatZodIssues(r.error.issues).join('; ')}`);
  return r.data;
}

export async function processDelivery(ctx: AppContext, deliveryId: number): Promise<void> {
  const row = await readDelivery(ctx.knex, deliveryId);
  if (!row) throw new PermanentJobError(`delivery ${deliveryId} does not exist`);
  if (row.status === 'processed') return;
  // A new incident's statement marks the delivery processed (and this job completed) with everything it writes.
  const finish = (): FinishTail =>
    deliveryCompletionParts(deliveryId, ctx.clock.now(), PROCESS_DELIVERY_JOB, OPENED_ONLY);
  let finished = false;
  switch (row.source as string) {
    case 'alertmanager': {
      const payload = parseOrFail(alertmanagerPayloadSchema, row.body, 'alertmanager delivery');
      // Parsed once: the alerts and the page the incident keeps come from the same payload.
      const alerts = alertsFromAlertmanager(payload);
      // An SLO's burn alert opens its incident at the severity of the SLO's alerting definition.
      const severity = sloSeverityOf(specsFromConfig(ctx.config.file).specs, alerts);
      const outcomes = await ingestAlerts(ctx, alerts, {
        deliveryId,
        truncated: payload.truncatedAlerts,
        page: pageFromAlertmanager(payload),
        ...(severity ? { severity } : {}),
        finish,
      });
      finished = outcomes.some((o) => o.finished);
      break;
    }
    case 'pagerduty':
      finished = await processPagerDuty(
        ctx,
        parseOrFail(pagerDutyPayloadSchema, row.body, 'pagerduty delivery'),
        deliveryId,
        finish,
      );
      break;
    case 'events':
      await processChangeEvent(ctx, parseOrFail(changeEventPayloadSchema, row.body, 'events delivery'));
      break;
    default:
      throw new PermanentJobError(`unknown delivery source ${String(row.source)}`);
  }
  if (!finished) await markDeliveryProcessed(ctx.knex, deliveryId, ctx.clock.now(), PROCESS_DELIVERY_JOB);
}

/** What a PagerDuty event keeps on the timeline besides its id: the note, the update, the responder, the priority. */
function pagerDutyDetails(event: PagerDutyPayload['event']): Record<string, unknown> {
  const d = event.data;
  const details: Record<string, unknown> = { eventId: event.id, eventType: event.event_type };
  if (d.content !== undefined) details.note = d.content;
  if (d.message) details.message = d.message;
  if (d.user) details.responder = d.user.summary ?? d.user.id;
  if (d.state) details.state = d.state;
  if (d.priority) details.priority = d.priority.summary ?? d.priority.id;
  if (d.status) details.status = d.status;
  return details;
}

/**
 * Applies a PagerDuty v3 event. Every documented type is accepted: triggered and reopened open (or reopen) the
 * incident, acknowledged and resolved move it, unacknowledged puts it back to triggered so paging starts again;
 * notes, status updates, responders, priority, reassignment and the rest are kept on the timeline. Events about no
 * incident (pagey.ping, service.*) and about an incident the copilot does not track are recorded as processed only.
 * True when the delivery's completion went with the incident it opened (`finish`).
 */
async function processPagerDuty(
  ctx: AppContext,
  payload: PagerDutyPayload,
  deliveryId: number,
  finish: () => FinishTail,
): Promise<boolean> {
  const { event } = payload;
  const pdIncident =
    event.resource_type === 'incident' || event.event_type.startsWith('incident.')
      ? pagerDutyIncidentId(event)
      : undefined;
  if (!pdIncident) {
    ctx.logger.info(
      { eventType: event.event_type, eventId: event.id },
      'PagerDuty event about no incident: accepted, nothing to apply',
    );
    return false;
  }
  if (event.event_type === 'incident.triggered' || event.event_type === 'incident.reopened') {
    const known = ctx.config.file.services.map((s) => s.name);
    const alert = alertFromPagerDuty(payload, known);
    const outcomes = await ingestAlerts(ctx, [alert], { deliveryId, page: pageFromPagerDuty(payload), finish });
    return outcomes.some((o) => o.finished);
  }
  // The other events apply to the incident the copilot tracks for it, if any.
  const open = await findOpenIncidentByGroupKey(ctx.knex, `pagerduty:${pdIncident}`);
  const agent = event.agent?.summary ?? event.agent?.id ?? 'unknown';
  const actor = { id: `pagerduty:${agent}`, via: 'pagerduty' };
  switch (event.event_type) {
    case 'incident.acknowledged':
      if (open) await acknowledgeIncident(ctx, open.id, actor);
      return false;
    case 'incident.unacknowledged':
      if (open) await unacknowledgeIncident(ctx, open.id, actor);
      return false;
    case 'incident.resolved':
      if (open) await resolveIncident(ctx, open.id, actor, { summary: 'Resolved in PagerDuty' });
      return false;
    default:
      // Notes, status updates, responders, priority, reassignment, escalation, conference bridge, custom fields,
      // workflows: kept on the timeline as they happened.
      if (open) {
        await appendEvent(ctx.knex, {
          incidentId: open.id,
          type: `pagerduty.${event.event_type.replace(/^incident\./, '')}`,
          actor: actor.id,
          at: new Date(event.occurred_at),
          dedupeKey: `pagerduty:${event.id}`,
          data: pagerDutyDetails(event),
        });
      }
      return false;
  }
}

async function processChangeEvent(ctx: AppContext, event: z.infer<typeof changeEventPayloadSchema>): Promise<void> {
  const isNew = await storeChangeEvent(ctx.knex, event);
  // The error-budget verdict on the deploy's commit (once per event id, so a retried delivery asks once).
  await requestDeployStatus(ctx, event);
  if (!isNew) return;
  // New evidence for open incidents of the same service: note it and investigate again, so the briefing updates.
  for (const id of await openIncidentIdsOfService(ctx.knex, event.service)) {
    await ctx.knex.transaction(async (trx) => {
      const written = await appendEvent(trx, {
        incidentId: id,
        type: event.type === 'deploy' ? 'deploy.received' : 'change.received',
        at: ctx.clock.now(),
        actor: 'events',
        dedupeKey: `change:${id}:${event.id}`,
        data: {
          id: event.id,
          service: event.service,
          ts: event.ts,
          ...(event.type === 'deploy' ? { title: event.title } : { kind: event.kind, summary: event.summary }),
        },
      });
      if (written)
        await ctx.queue.enqueue(
          InvestigateIncident.name,
          // The trigger names the event, so the note under the briefing says what moved and why.
          { incidentId: id, trigger: { reason: event.type, eventId: event.id, service: event.service } },
          { jobId: `investigate-incident-${id}-${event.id.replace(/[^A-Za-z0-9_-]/g, '_')}`, trx },
        );
    });
  }
}

export function processDeliveryJob(ctx: AppContext): JobDefinition<z.infer<typeof payloadSchema>> {
  return {
    name: PROCESS_DELIVERY_JOB,
    schema: payloadSchema,
    lane: 'urgent',
    attempts: 10,
    backoffMs: 500,
    process: async ({ deliveryId }) => processDelivery(ctx, deliveryId),
  };
}
