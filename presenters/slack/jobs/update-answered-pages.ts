// Presenter job: once an incident is acknowledged or resolved (or every alert resolved), its page DMs and its alerts-channel pointer say so, and lose the Acknowledge button.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { loadSnapshot } from '../../../src/oncall/escalation-policy.js';
import { pageView } from '../../../src/oncall/page-view.js';
import { singleIncidentMessages } from '../../../src/oncall/pages-repository.js';
import { answerDigestItems } from '../../../src/incidents/digest-repository.js';
import { refreshDigestMessage } from '../chat-digest.js';
import { UpdateAnsweredPages, type UpdateAnsweredPagesPayload } from '../../../src/oncall/presentations.js';
import { buildAnsweredPageBlocks, buildPageAnswerLine, buildPageText } from '../../../blocks/oncall.js';
import { buildPointerBlocks, buildPointerText } from '../../../blocks/status.js';
import { PRESENTER_RETRY } from './retry-policy.js';

function mention(by: string): string {
  if (/^[UW][A-Z0-9]+$/.test(by)) return `<@${by}>`;
  if (by.startsWith('pagerduty:')) return `${by.slice('pagerduty:'.length)} (in PagerDuty)`;
  return by === 'copilot' ? 'the copilot' : by;
}

export function updateAnsweredPagesJob(ctx: AppContext): JobDefinition<UpdateAnsweredPagesPayload> {
  return defineJob({
    lane: 'urgent',
    name: UpdateAnsweredPages.name,
    schema: UpdateAnsweredPages.schema,
    ...PRESENTER_RETRY,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident) return;
      const answer = { status: p.status, by: mention(p.by) };
      const snapshot = await loadSnapshot(ctx.knex, p.incidentId);
      const steps = snapshot?.steps.length ?? 1;
      // Coalesced messages (several pages in one DM, several pointers in one message) are re-rendered whole, each
      // item with its own answer; a message sent before coalescing existed is updated on its own below.
      const digests = await answerDigestItems(ctx.knex, p.incidentId, answer);
      for (const d of digests) await refreshDigestMessage(ctx, d.kind, d.channel, d.ts);
      // Read after the refreshes, and only messages holding no coalesced item (one of the incident's items delivered
      // meanwhile is in a message listing others, which must not become this one line).
      const single = await singleIncidentMessages(ctx.knex, p.incidentId);
      for (const page of single.pages) {
        const view = pageView(incident, snapshot, { step: page.step, steps, round: page.round, lateByMs: 0 });
        await ctx.chat.updateMessage(
          page.channel,
          page.ts,
          `${buildPageText(view)} (${buildPageAnswerLine(answer)})`,
          buildAnsweredPageBlocks(view, answer),
        );
      }
      const at = single.pointer;
      if (at && incident.channelId) {
        const view = {
          publicId: incident.publicId,
          severity: incident.severity,
          title: incident.title,
          service: incident.service,
          channelId: incident.channelId,
        };
        const line = buildPageAnswerLine(answer);
        await ctx.chat.updateMessage(at.channel, at.ts, `${buildPointerText(view)} (${line})`, [
          ...buildPointerBlocks(view),
          { type: 'context', elements: [{ type: 'mrkdwn', text: line }] },
        ]);
      }
    },
  });
}
