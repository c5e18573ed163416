// Job: tell PagerDuty's Events API v2 (PAGERDUTY_ROUTING_KEY) about an incident it did not start: trigger an alert when
// Slack refused a page for good, acknowledge and resolve it as the incident moves on.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { Severity } from '../../config.js';
import { findIncident, type Incident } from '../../incidents/repository.js';
import { appendEvent, countEvents, cycleKey, reopenCount } from '../../incidents/timeline-repository.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import type { PagerDutyAlertEvent } from '../ports.js';

const payloadSchema = z.object({
  incidentId: z.number().int().positive(),
  action: z.enum(['trigger', 'acknowledge', 'resolve']),
  /** Why PagerDuty is told (for a trigger: whose page Slack refused, and Slack's reason). */
  reason: z.string().max(500).optional(),
});
export type SendPagerDutyEventPayload = z.infer<typeof payloadSchema>;

/** Job ids `pd-event:<action>:<incident>:<cycle>`: one event of each kind per cycle of the incident, however often asked. */
export const SendPagerDutyEvent = { name: 'send-pagerduty-event', schema: payloadSchema } as const;

/** The alert's dedup key in PagerDuty: the incident's own key, so a retried trigger adds to one alert. */
export function pagerDutyDedupKey(incident: Pick<Incident, 'publicId'>): string {
  return `incident-copilot/${incident.publicId}`;
}

const PD_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning'> = {
  sev1: 'critical',
  sev2: 'error',
  sev3: 'warning',
};

/** Timeline types recording what PagerDuty accepted. */
const SENT_TYPE = {
  trigger: 'pagerduty.triggered',
  acknowledge: 'pagerduty.acknowledged',
  resolve: 'pagerduty.resolved',
} as const;

/**
 * Asks for one event, once per cycle of the incident: `trigger` only when PAGERDUTY_ROUTING_KEY is set and the
 * incident did not come from PagerDuty (one from PagerDuty moves there through the REST API instead);
 * `acknowledge` and `resolve` only when PagerDuty holds a trigger of the incident that was not resolved.
 */
export async function requestPagerDutyEvent(
  ctx: AppContext,
  incidentId: number,
  action: SendPagerDutyEventPayload['action'],
  reason?: string,
): Promise<boolean> {
  if (!ctx.services.pagerdutyEvents) return false;
  if (action === 'trigger') {
    const incident = await findIncident(ctx.knex, incidentId);
    if (!incident || incident.source === 'pagerduty') return false;
  } else if (!(await pagerDutyHoldsAlert(ctx, incidentId))) return false;
  const cycle = await reopenCount(ctx.knex, incidentId);
  await ctx.queue.enqueue(
    SendPagerDutyEvent.name,
    { incidentId, action, ...(reason ? { reason: reason.slice(0, 500) } : {}) },
    { jobId: `pd-event:${action}:${incidentId}:${cycle}` },
  );
  return true;
}

/** True when a trigger of the incident reached PagerDuty and no resolve followed it. */
async function pagerDutyHoldsAlert(ctx: AppContext, incidentId: number): Promise<boolean> {
  const triggered = await countEvents(ctx.knex, incidentId, SENT_TYPE.trigger);
  return triggered > (await countEvents(ctx.knex, incidentId, SENT_TYPE.resolve));
}

function triggerEvent(incident: Incident, reason: string | undefined): PagerDutyAlertEvent {
  return {
    action: 'trigger',
    dedupKey: pagerDutyDedupKey(incident),
    summary: `${incident.publicId}: ${incident.title}`,
    source: incident.service ?? 'incident-copilot',
    severity: PD_SEVERITY[incident.severity] ?? 'error',
    timestamp: incident.openedAt.toISOString(),
    ...(incident.service ? { component: incident.service } : {}),
    ...(incident.team ? { group: incident.team } : {}),
    customDetails: {
      incident: incident.publicId,
      title: incident.title,
      severity: incident.severity,
      service: incident.service,
      team: incident.team,
      opened_at: incident.openedAt.toISOString(),
      slack_channel: incident.channelId,
      why: reason ?? 'a page could not be delivered in Slack',
    },
  };
}

export function sendPagerDutyEventJob(ctx: AppContext): JobDefinition<SendPagerDutyEventPayload> {
  return defineJob({
    lane: 'urgent',
    ...SendPagerDutyEvent,
    // Like a page DM: PagerDuty's 429 and 5xx are retried for hours (backoff doubling from 1 s, capped at an hour).
    attempts: 20,
    backoffMs: 1000,
    async process({ incidentId, action, reason }) {
      const events = ctx.services.pagerdutyEvents;
      if (!events) return;
      const incident = await findIncident(ctx.knex, incidentId);
      if (!incident) return;
      // Answered in the meantime: nobody needs waking; a resolve (or acknowledge) that follows finds no trigger to close.
      if (action === 'trigger' && incident.status !== 'triggered') return;
      const dedupKey = pagerDutyDedupKey(incident);
      // A 400 throws a permanent ExternalServiceError (dead-lettered with PagerDuty's reason, never the key).
      await events.send(action === 'trigger' ? triggerEvent(incident, reason) : { action, dedupKey });
      const cycle = await reopenCount(ctx.knex, incidentId);
      await appendEvent(ctx.knex, {
        incidentId,
        type: SENT_TYPE[action],
        actor: 'copilot',
        at: ctx.clock.now(),
        data: { dedupKey, ...(reason ? { reason } : {}) },
        dedupeKey: cycleKey(`pd-event:${action}:${incidentId}`, cycle),
      });
      if (action !== 'trigger') return;
      // Acknowledged or resolved while the trigger was on its way: tell PagerDuty now, since the listener saw no trigger.
      const now = await findIncident(ctx.knex, incidentId);
      if (now?.status === 'resolved') await requestPagerDutyEvent(ctx, incidentId, 'resolve');
      else if (now && now.status !== 'triggered') await requestPagerDutyEvent(ctx, incidentId, 'acknowledge');
    },
  });
}
