// Job: move a PagerDuty incident to the escalation level the copilot's chain has reached.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { oncallServices } from '../services.js';

export const escalatePagerDutyPayload = z.object({ externalId: z.string().min(1), level: z.number().int().min(1) });
export type EscalatePagerDutyPayload = z.infer<typeof escalatePagerDutyPayload>;

/** Job id `pd-escalate:<incident>:<round>:<step>`. */
export const EscalatePagerDuty = { name: 'escalate-pagerduty-incident', schema: escalatePagerDutyPayload } as const;

export function escalatePagerDutyJob(ctx: AppContext): JobDefinition<EscalatePagerDutyPayload> {
  return defineJob({
    lane: 'urgent',
    ...EscalatePagerDuty,
    async process(p) {
      const { pagerduty } = oncallServices(ctx);
      if (!pagerduty) return;
      await pagerduty.escalateIncident(p.externalId, p.level);
    },
  });
}
