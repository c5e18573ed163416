// Presenter job: page one responder by Slack DM with an Acknowledge button, and count the page (table pages) for on-call load.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { isBusinessHours, teamHours } from '../../../src/oncall/business-hours.js';
import { loadSnapshot } from '../../../src/oncall/escalation-policy.js';
import { pageView } from '../../../src/oncall/page-view.js';
import { hasPage, recordPage } from '../../../src/oncall/pages-repository.js';
import { PageResponder, type PageResponderPayload } from '../../../src/oncall/presentations.js';
import { buildPageBlocks, buildPageText } from '../../../blocks/oncall.js';

/** Idempotent: a page already recorded (its row in `pages`) is not sent again. */
export function pageResponderJob(ctx: AppContext): JobDefinition<PageResponderPayload> {
  return defineJob({
    name: PageResponder.name,
    schema: PageResponder.schema,
    attempts: 8,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident || incident.status !== 'triggered') return;
      const done = await hasPage(ctx.knex, p);
      if (done) return;
      const view = pageView(incident, await loadSnapshot(ctx.knex, p.incidentId), p);
      const posted = await ctx.chat.sendDirect(p.user, buildPageText(view), buildPageBlocks(view));
      const at = ctx.clock.now();
      await recordPage(ctx.knex, {
        incidentId: p.incidentId,
        user: p.user,
        at,
        outsideHours: !isBusinessHours(at, teamHours(ctx.config.file.teams, incident.team)),
        round: p.round,
        step: p.step,
        channel: posted.channel,
        ts: posted.ts,
      });
    },
  });
}
