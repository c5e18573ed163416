// Installs the on-call capability: its jobs, its listeners on incident events, and the timers it keeps armed.
import type { AppContext } from '../context.js';
import { changeSeverity, escalateNow, raiseSev2JobId, startEscalation, stopEscalation } from './escalation.js';
import { findIncident } from '../incidents/repository.js';
import { escalationRunCount } from '../incidents/timeline-repository.js';
import { escalateIncidentJob } from './jobs/escalate-incident.js';
import { escalatePagerDutyJob } from './jobs/escalate-pagerduty-incident.js';
import { requestPagerDutyEvent, sendPagerDutyEventJob } from './jobs/send-pagerduty-event.js';
import { EscalationWatchdog, escalationWatchdogJob, watchdogJob } from './jobs/escalation-watchdog.js';
import { armHandoffTimers, postHandoffJob } from './jobs/post-handoff.js';
import { raiseUnresolvedSev2Job } from './jobs/raise-unresolved-sev2.js';
import { startEscalationJob } from './jobs/start-escalation.js';
import { stopPagingAllResolved } from './alerts-resolved.js';
import { resolveQuietIncidentJob } from './jobs/resolve-quiet-incident.js';
import { requestPresentation } from '../jobs/presentations.js';
import { UpdateAnsweredPages } from './presentations.js';

/** Registers the on-call jobs only (tests that drive a queue by hand use this); presenters/slack registers what they request. */
export function registerOncallJobs(ctx: AppContext): void {
  ctx.queue.register(startEscalationJob(ctx));
  ctx.queue.register(escalateIncidentJob(ctx));
  ctx.queue.register(escalatePagerDutyJob(ctx));
  ctx.queue.register(sendPagerDutyEventJob(ctx));
  ctx.queue.register(raiseUnresolvedSev2Job(ctx, changeSeverity));
  ctx.queue.register(escalationWatchdogJob(ctx));
  ctx.queue.register(postHandoffJob(ctx));
  ctx.queue.register(resolveQuietIncidentJob(ctx));
}

/** Asks for the page DMs and the alerts-channel pointer to say someone acknowledged or resolved. */
async function updateAnsweredPages(
  ctx: AppContext,
  incidentId: number,
  status: 'acknowledged' | 'resolved' | 'alerts_resolved',
  by: string,
): Promise<void> {
  await requestPresentation(
    ctx,
    UpdateAnsweredPages,
    { incidentId, status, by },
    { jobId: `answered-pages:${incidentId}:${status}:${ctx.clock.now().getTime()}` },
  );
}

/**
 * Starts escalation again, once, when an incident is unacknowledged or fires again (opening and reopening queue the
 * start-escalation job instead); stops it, once per run, when someone acknowledges or resolves it.
 */
export function listenForIncidentEvents(ctx: AppContext): void {
  // Opening and reopening queue a start-escalation job in their own transaction: that job starts the chain, once.
  ctx.events.on('incident.unacknowledged', async ({ incidentId }) => {
    await startEscalation(ctx, incidentId);
  });
  ctx.events.on('incident.firing_again', async ({ incidentId }) => {
    await startEscalation(ctx, incidentId);
  });
  ctx.events.on('incident.acknowledged', async ({ incidentId, by }) => {
    await stopEscalation(ctx, incidentId, by);
    await updateAnsweredPages(ctx, incidentId, 'acknowledged', by);
    await requestPagerDutyEvent(ctx, incidentId, 'acknowledge');
  });
  ctx.events.on('incident.updated', async ({ incidentId, reason }) => {
    if (reason !== 'alerts_resolved') return;
    await stopPagingAllResolved(ctx, incidentId);
    const incident = await findIncident(ctx.knex, incidentId);
    if (incident?.status === 'triggered') await updateAnsweredPages(ctx, incidentId, 'alerts_resolved', 'copilot');
  });
  ctx.events.on('incident.mitigated', async ({ incidentId }) => {
    await stopEscalation(ctx, incidentId, 'mitigation');
  });
  ctx.events.on('incident.resolved', async ({ incidentId, by }) => {
    await stopEscalation(ctx, incidentId, by);
    await updateAnsweredPages(ctx, incidentId, 'resolved', by);
    await ctx.queue.cancel(raiseSev2JobId(incidentId, await escalationRunCount(ctx.knex, incidentId)));
    // An alert triggered in PagerDuty's Events API (a page Slack refused) is resolved there too.
    await requestPagerDutyEvent(ctx, incidentId, 'resolve');
  });
  ctx.events.on('incident.escalation_requested', async ({ incidentId, by }) => {
    await escalateNow(ctx, incidentId, by);
  });
}

/**
 * The on-call capability: jobs, listeners, and the durable timers re-armed at every start (the escalation watchdog,
 * each team's next automatic handoff).
 * Timers are recorded in Postgres now and run once app.ts starts the queue.
 */
export async function installOncall(ctx: AppContext): Promise<void> {
  registerOncallJobs(ctx);
  listenForIncidentEvents(ctx);
  // The watchdog's cadence is real time (the queue's), whatever clock the product reads.
  await ctx.queue.enqueue(EscalationWatchdog.name, {}, watchdogJob(new Date()));
  await armHandoffTimers(ctx);
}
