// Presenter job: post one escalation note in the incident's channel; before it exists, the note joins the owning team's
// alerts-channel notice message (one message listing every such note, edited in place), so a storm of pages does not
// flood the alerts channel with a post per incident while their channels wait for Slack's channel budget.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { requestDigestItemIf } from '../../../src/incidents/digest-requests.js';
import { AnnounceEscalation, type AnnounceEscalationPayload } from '../../../src/oncall/presentations.js';
import { STALE_NOTICE_MS, heldNotice, heldNoticeMoot } from '../../../src/oncall/escalation-notice.js';
import { buildAllResolvedBlocks, buildEscalationNoticeText } from '../../../blocks/oncall.js';
import { deliverDigest } from '../chat-digest.js';
import { pagingStates } from '../../../src/oncall/escalation-state.js';
import { RateLimitedError } from '../../../src/errors.js';
import { openIncidentJobIds } from '../../../src/incidents/presentations.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** A stable 31-bit number for a notice's job id: its place among the incident's coalesced notices. */
function noticeNumber(jobId: string): number {
  let h = 0;
  for (const c of jobId) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}

/**
 * A note of an incident whose channel is being opened (no channel yet, no line in the alerts channel either, and its
 * open-incident job still to run or retry: the opening has not decided) waits for it this long at most, from its
 * job's first record, a second at a time: the note then goes to the incident's channel instead of a message of its
 * own in the alerts channel. Past it (chat down, the opening failing), it goes to the alerts channel.
 */
export const NOTE_WAITS_FOR_OPENING_MS = 5_000;

export function announceEscalationJob(ctx: AppContext): JobDefinition<AnnounceEscalationPayload> {
  return defineJob({
    name: AnnounceEscalation.name,
    schema: AnnounceEscalation.schema,
    ...PRESENTER_RETRY,
    async process(p, job) {
      const notice = p.notice;
      // The requester knew the incident's channel (recorded once, never changed): the note goes there, no read.
      if (p.channelId) {
        await post(ctx, p.channelId, p, notice, job.ageMs);
        return;
      }
      // No channel known: in one statement, whether the incident has one by now, its team's alerts channel and (when
      // it has none and the note is coalesced there) the note recorded in the alerts channel's notice message. The
      // "every alert resolved" note keeps its Resolve button, so it is posted on its own.
      const alerts = Object.fromEntries(
        ctx.config.file.teams.flatMap((t) => (t.alertsChannel ? [[t.name, t.alertsChannel]] : [])),
      );
      const coalesce = notice !== undefined && notice.kind !== 'all_resolved';
      const mayWait = job.ageMs < NOTE_WAITS_FOR_OPENING_MS;
      const openJobs = openIncidentJobIds(p.incidentId);
      const asked = await requestDigestItemIf(
        ctx.knex,
        {
          kind: 'notice',
          incidentId: p.incidentId,
          step: noticeNumber(job.jobId),
          ...(notice ? { data: notice } : {}),
          at: ctx.clock.now(),
        },
        {
          facts: `i.channel_id, cast(:nAlerts as jsonb) ->> i.team as alerts,
                  case when i.channel_id is null and :nCoalesce then cast(:nAlerts as jsonb) ->> i.team end as target,
                  (i.channel_id is null and not exists (select 1 from chat_digest_items ptr
                     where ptr.kind = 'pointer' and ptr.incident_id = i.id)
                   and exists (select 1 from jobs oj where oj.id in (:nOpenJob, :nOpenRetry)
                     and oj.status in ('pending', 'running'))) as opening`,
          when: 'not (f.opening and :nMayWait)',
          bindings: {
            nAlerts: JSON.stringify(alerts),
            nCoalesce: coalesce,
            nMayWait: mayWait,
            nOpenJob: openJobs.safetyNet,
            nOpenRetry: openJobs.retry,
          },
        },
      );
      if (!asked) return;
      if (mayWait && asked.facts.opening === true)
        throw new RateLimitedError('slack', `escalation note waits for incident ${p.incidentId}'s channel`, {
          retryAfterMs: 1000,
        });
      const channel = (asked.facts.channel_id as string | null) ?? (asked.facts.alerts as string | null);
      if (!channel) {
        ctx.logger.warn({ incidentId: p.incidentId }, 'escalation note has no channel to go to');
        return;
      }
      // No channel yet: coalesced in the alerts channel (held back long, the delivery shows it as post() does).
      if (asked.item) {
        // Its last statement also marks this job completed (nothing of it can fail after that).
        await deliverDigest(ctx, 'notice', channel, asked.item.id, { completeJob: AnnounceEscalation.name });
        return;
      }
      await post(ctx, channel, p, notice, job.ageMs);
    },
  });
}

/**
 * Posts the note on its own in `channel` (a note recorded before notes were data, as it was worded then). Held back
 * longer than STALE_NOTICE_MS (`ageMs`: its job was first recorded that long ago), it is shown only while it holds and
 * says it is late.
 */
async function post(
  ctx: AppContext,
  channel: string,
  p: AnnounceEscalationPayload,
  recorded: AnnounceEscalationPayload['notice'],
  ageMs: number,
): Promise<void> {
  if (!recorded) {
    await ctx.chat.postMessage(channel, p.text ?? '', p.blocks);
    return;
  }
  if (ageMs > STALE_NOTICE_MS) {
    if (heldNoticeMoot(recorded, (await pagingStates(ctx.knex, [p.incidentId])).get(p.incidentId))) {
      ctx.logger.info(
        { incidentId: p.incidentId, ageMs },
        'escalation note held back long and no longer holds: not shown',
      );
      return;
    }
  }
  const notice = heldNotice(recorded, ageMs);
  await ctx.chat.postMessage(
    channel,
    buildEscalationNoticeText(notice),
    notice.kind === 'all_resolved' ? buildAllResolvedBlocks(notice) : undefined,
  );
}
