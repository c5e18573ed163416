// Job: page one responder by Slack DM with an Acknowledge button, and count the page (table pages) for on-call load.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { findIncident } from '../../incidents/repository.js';
import { buildPageBlocks, buildPageText } from '../../../blocks/oncall.js';
import { isBusinessHours, teamHours } from '../business-hours.js';
import { loadSnapshot } from '../escalation-policy.js';
import { pageView } from '../page-view.js';
import { JobNames } from '../job-names.js';

export const pageResponderPayload = z.object({
  incidentId: z.number().int().positive(),
  round: z.number().int().min(0),
  step: z.number().int().min(0),
  steps: z.number().int().min(1),
  /** Slack user id. */
  user: z.string().min(1),
  lateByMs: z.number().min(0).default(0),
});
export type PageResponderPayload = z.infer<typeof pageResponderPayload>;

export function pageResponderJob(ctx: AppContext): JobDefinition<PageResponderPayload> {
  return {
    name: JobNames.pageResponder,
    schema: pageResponderPayload,
    attempts: 8,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident || incident.status !== 'triggered') return;
      const done = await ctx.knex('pages').where({ incident_id: p.incidentId, round: p.round, step: p.step, user: p.user }).first('id');
      if (done) return;
      const view = pageView(incident, await loadSnapshot(ctx.knex, p.incidentId), p);
      const posted = await ctx.chat.sendDirect(p.user, buildPageText(view), buildPageBlocks(view));
      const at = ctx.clock.now();
      await ctx
        .knex('pages')
        .insert({
          incident_id: p.incidentId,
          user: p.user,
          at,
          outside_hours: !isBusinessHours(at, teamHours(ctx.config.file.teams, incident.team)),
          round: p.round,
          step: p.step,
          channel: posted.channel,
          ts: posted.ts,
        })
        .onConflict(['incident_id', 'round', 'step', 'user'])
        .ignore();
    },
  };
}
