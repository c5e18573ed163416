// Presenter job: say in the incident channel who holds a role now (and who gave it). The briefing and the topic
// follow through the briefing update the assignment requested.
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { findIncident } from '../../../src/incidents/repository.js';
import { AnnounceRole, type AnnounceRolePayload } from '../../../src/incidents/roles.js';
import { buildRoleAnnouncement } from '../../../blocks/roles.js';
import { PRESENTER_RETRY } from './retry-policy.js';

export function announceRoleJob(ctx: AppContext): JobDefinition<AnnounceRolePayload> {
  return defineJob({
    name: AnnounceRole.name,
    schema: AnnounceRole.schema,
    ...PRESENTER_RETRY,
    async process({ incidentId, role, user, by }) {
      const incident = await findIncident(ctx.knex, incidentId);
      if (!incident?.channelId) return;
      await ctx.chat.postMessage(
        incident.channelId,
        buildRoleAnnouncement({ publicId: incident.publicId, role, user, by }),
      );
    },
  });
}
