// Presenter job: page one responder by Slack DM with an Acknowledge button (coalesced with their other recent pages), and count the page (table pages) for on-call load.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { ExternalServiceError, PermanentJobError, RateLimitedError } from '../../../src/errors.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { findDigestItem, markDigestFailed } from '../../../src/incidents/digest-repository.js';
import { escalateNow } from '../../../src/oncall/escalation.js';
import { lastStep } from '../../../src/oncall/escalation-state.js';
import { EscalatePagerDuty } from '../../../src/oncall/jobs/escalate-pagerduty-incident.js';
import { requestPagerDutyEvent } from '../../../src/oncall/jobs/send-pagerduty-event.js';
import { PageResponder, type PageResponderPayload } from '../../../src/oncall/presentations.js';
import { oncallServices } from '../../../src/oncall/services.js';
import { deliverDigest, type PageAsk } from '../chat-digest.js';
import { PRESENTER_RETRY } from './retry-policy.js';
import { APP_LEVEL_SLACK_ERRORS, slackCodeOf } from '../../../src/adapters/slack/slack-errors.js';

/**
 * A page Slack refused for good (no such user, a bot, a revoked token): nobody reads it, so the incident moves on at
 * once to the next step of its escalation (unless a later step already ran) and, for a PagerDuty incident, to the
 * next level there; any other incident is triggered in PagerDuty's Events API when PAGERDUTY_ROUTING_KEY is set
 * (once: the job id and the dedup key are the incident's). When Slack refused the app itself (`appLevel`: its token,
 * scopes or message; APP_LEVEL_SLACK_ERRORS), the next step would fail the same way: the escalation is not advanced
 * (its timer goes on, and each later step moves an incident from PagerDuty up a level there as usual), and an
 * incident from PagerDuty is not moved up a level at once (PagerDuty alerted this step's level itself: moving it would
 * skip that person's window). Returns what was done, for the dead letter's reason.
 */
async function escalatePastUndeliverable(
  ctx: AppContext,
  p: PageResponderPayload,
  reason: string,
  appLevel: boolean,
): Promise<string> {
  const done: string[] = [];
  if (appLevel) done.push('Slack refuses the app itself, so no step can page through Slack until that is fixed');
  else {
    const last = await lastStep(ctx.knex, p.incidentId);
    if (!last || (last.round === p.round && last.step === p.step)) {
      const next = await escalateNow(ctx, p.incidentId, 'copilot');
      done.push(next ? `escalated to step ${next.step + 1}` : 'no further step to escalate to');
    } else done.push('a later step already ran');
  }
  const incident = await findIncident(ctx.knex, p.incidentId);
  const { pagerduty } = oncallServices(ctx);
  if (incident?.source === 'pagerduty' && incident.externalId && (appLevel || pagerduty)) {
    if (appLevel) done.push('the PagerDuty incident not moved now (its later steps move it as usual)');
    else {
      await ctx.queue.enqueue(
        EscalatePagerDuty.name,
        { externalId: incident.externalId, level: p.step + 2 },
        { jobId: `pd-escalate:${p.incidentId}:${p.round}:${p.step + 1}` },
      );
      done.push(
        `PagerDuty escalation to level ${p.step + 2} queued (the escalate-pagerduty-incident job says whether it went)`,
      );
    }
  } else if (
    await requestPagerDutyEvent(ctx, p.incidentId, 'trigger', `Slack refused the page to ${p.user}: ${reason}`)
  )
    done.push('a PagerDuty trigger queued (Events API; the send-pagerduty-event job says whether it went)');
  else if (appLevel) done.push('nobody else can be paged (PAGERDUTY_ROUTING_KEY is not set)');
  return done.join('; ');
}

/**
 * Idempotent: the page is recorded as waiting (once) before anything is sent, and a page already shown (its row in
 * `pages`) is not sent again. Several pages to one person within seconds share one DM (presenters/slack/chat-digest.ts).
 * Only Slack refusing for good dead-letters the job, after the incident was escalated past this person; a retryable
 * failure (5xx, network, `internal_error`) keeps retrying (PRESENTER_RETRY) and never escalates: the escalation timer
 * runs on its own.
 */
export function pageResponderJob(ctx: AppContext): JobDefinition<PageResponderPayload> {
  return defineJob({
    lane: 'urgent',
    name: PageResponder.name,
    schema: PageResponder.schema,
    ...PRESENTER_RETRY,
    async process(p) {
      // The delivery's first statement records the page as waiting, only while the incident is triggered and this
      // page was not shown (a page that had failed for good, its dead job retried by hand, waits again), with the
      // pages asked of the same delivery; its last statement also marks this job completed (nothing of it can fail
      // after that).
      const ask: PageAsk = {
        request: {
          incidentId: p.incidentId,
          round: p.round,
          step: p.step,
          steps: p.steps,
          lateByMs: p.lateByMs,
          ...(p.lateCause ? { data: { lateCause: p.lateCause } } : {}),
          at: ctx.clock.now(),
        },
      };
      try {
        await deliverDigest(ctx, 'page', p.user, undefined, { completeJob: PageResponder.name, ask });
      } catch (err) {
        // Not recorded (its statement failed): retried. Nothing to page (another page of the delivery failed): done.
        if (!ask.recorded) throw err;
        const item = ask.item;
        if (!item) return;
        const permanent = err instanceof ExternalServiceError && !err.retryable;
        // A rate limit or a transient failure is retried; only a permanent refusal makes the page undeliverable.
        if (err instanceof RateLimitedError || !permanent) throw err;
        // Another job's delivery may have shown this page before Slack refused a later message.
        if ((await findDigestItem(ctx.knex, item.id))?.ts) return;
        const reason = err instanceof Error ? err.message : String(err);
        await markDigestFailed(ctx.knex, item.id, reason);
        const code = slackCodeOf(err);
        const then = await escalatePastUndeliverable(ctx, p, reason, !!code && APP_LEVEL_SLACK_ERRORS.has(code));
        ctx.logger.error({ incidentId: p.incidentId, user: p.user, reason }, `page undeliverable; ${then}`);
        throw new PermanentJobError(`page to ${p.user} undeliverable (${reason}); ${then}`, { cause: err });
      }
    },
  });
}
