// Presenter job: post one escalation note in the incident's channel, or in the owning team's alerts channel before it exists.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { AnnounceEscalation, type AnnounceEscalationPayload } from '../../../src/oncall/presentations.js';
import { buildAllResolvedBlocks, buildEscalationNoticeText } from '../../../blocks/oncall.js';
import { PRESENTER_RETRY } from './retry-policy.js';

export function announceEscalationJob(ctx: AppContext): JobDefinition<AnnounceEscalationPayload> {
  return defineJob({
    name: AnnounceEscalation.name,
    schema: AnnounceEscalation.schema,
    ...PRESENTER_RETRY,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident) return;
      const channel = incident.channelId ?? ctx.config.file.teams.find((t) => t.name === incident.team)?.alertsChannel;
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
      await ctx.chat.postMessage(
        channel,
        buildEscalationNoticeText(notice),
        notice.kind === 'all_resolved' ? buildAllResolvedBlocks(notice) : undefined,
      );
    },
  });
}
