// Job: at the end of the business day a SEV2 was paged in, raise it to SEV1 if it is still unresolved.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { findIncident } from '../../incidents/repository.js';
import type { changeSeverity } from '../escalation.js';

export const raiseUnresolvedSev2Payload = z.object({ incidentId: z.number().int().positive() });
export type RaiseUnresolvedSev2Payload = z.infer<typeof raiseUnresolvedSev2Payload>;

/** Job id raiseSev2JobId(incident, reopens) (src/oncall/escalation.ts). */
export const RaiseUnresolvedSev2 = { name: 'raise-unresolved-sev2', schema: raiseUnresolvedSev2Payload } as const;

/**
 * `change` is src/oncall/escalation.ts's changeSeverity, handed in by install.ts: escalation.ts arms this timer, so
 * importing it here would make a cycle.
 */
export function raiseUnresolvedSev2Job(
  ctx: AppContext,
  change: typeof changeSeverity,
): JobDefinition<RaiseUnresolvedSev2Payload> {
  return defineJob({
    ...RaiseUnresolvedSev2,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident || incident.status === 'resolved' || incident.severity !== 'sev2') return;
      await change(ctx, p.incidentId, 'sev1', 'copilot', 'still unresolved at the end of the business day');
    },
  });
}
