// Presenter job: post one escalation note in the incident's channel; before it exists, the note joins the owning team's
// alerts-channel notice message (one message listing every such note, edited in place), so a storm of pages does not
// flood the alerts channel with a post per incident while their channels wait for Slack's channel budget.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { requestDigestItem } from '../../../src/incidents/digest-repository.js';
import { AnnounceEscalation, type AnnounceEscalationPayload } from '../../../src/oncall/presentations.js';
import { buildAllResolvedBlocks, buildEscalationNoticeText } from '../../../blocks/oncall.js';
import { deliverDigest } from '../chat-digest.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** A stable 31-bit number for a notice's job id: its place among the incident's coalesced notices. */
function noticeNumber(jobId: string): number {
  let h = 0;
  for (const c of jobId) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h & 0x7fffffff;
}

export function announceEscalationJob(ctx: AppContext): JobDefinition<AnnounceEscalationPayload> {
  return defineJob({
    name: AnnounceEscalation.name,
    schema: AnnounceEscalation.schema,
    ...PRESENTER_RETRY,
    async process(p, job) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident) return;
      const alerts = ctx.config.file.teams.find((t) => t.name === incident.team)?.alertsChannel;
      const channel = incident.channelId ?? alerts;
      if (!channel) {
        ctx.logger.warn({ incidentId: p.incidentId }, 'escalation note has no channel to go to');
        return;
      }
      const notice = p.notice;
      if (!notice) {
        // Recorded before notes were data: posted as it was worded then.
        await ctx.chat.postMessage(channel, p.text ?? '', p.blocks);
        return;
      }
      // No channel yet: coalesced in the alerts channel (the "every alert resolved" note keeps its Resolve button).
      if (!incident.channelId && notice.kind !== 'all_resolved') {
        const item = await requestDigestItem(ctx.knex, {
          kind: 'notice',
          target: channel,
          incidentId: incident.id,
          step: noticeNumber(job.jobId),
          data: notice,
          at: ctx.clock.now(),
        });
        await deliverDigest(ctx, 'notice', channel, item.id);
        return;
      }
      await ctx.chat.postMessage(
        channel,
        buildEscalationNoticeText(notice),
        notice.kind === 'all_resolved' ? buildAllResolvedBlocks(notice) : undefined,
      );
    },
  });
}
