// Job: at the end of the business day a SEV2 was paged in, raise it to SEV1 if it is still unresolved.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { findIncident } from '../../incidents/repository.js';
import { changeSeverity } from '../escalation.js';
import { JobNames } from '../job-names.js';

export const raiseUnresolvedSev2Payload = z.object({ incidentId: z.number().int().positive() });
export type RaiseUnresolvedSev2Payload = z.infer<typeof raiseUnresolvedSev2Payload>;

export function raiseUnresolvedSev2Job(ctx: AppContext): JobDefinition<RaiseUnresolvedSev2Payload> {
  return {
    name: JobNames.raiseUnresolvedSev2,
    schema: raiseUnresolvedSev2Payload,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident || incident.status === 'resolved' || incident.severity !== 'sev2') return;
      await changeSeverity(ctx, p.incidentId, 'sev1', 'copilot', 'still unresolved at the end of the business day');
    },
  };
}
