// Presenter job: say in the incident channel who commands the incident now (and who gave it).
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { AnnounceCommander } from '../../../src/oncall/presentations.js';
import { escapeMrkdwn } from '../../../blocks/limits.js';
import { PRESENTER_RETRY } from './retry-policy.js';

type AnnounceCommanderPayload = { incidentId: number; commander: string; by: string };

/** A Slack mention for a user id; anything else is shown escaped, never as a mention. */
function mentionOrText(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

export function announceCommanderJob(ctx: AppContext): JobDefinition<AnnounceCommanderPayload> {
  return defineJob({
    lane: 'urgent',
    name: AnnounceCommander.name,
    schema: AnnounceCommander.schema,
    ...PRESENTER_RETRY,
    async process({ incidentId, commander, by }) {
      const incident = await findIncident(ctx.knex, incidentId);
      if (!incident?.channelId) return;
      const text = `${mentionOrText(commander)} is now the commander of ${escapeMrkdwn(incident.publicId)}${by === commander ? ' (took command)' : ` (given by ${mentionOrText(by)})`}.`;
      await ctx.chat.postMessage(incident.channelId, text);
    },
  });
}
