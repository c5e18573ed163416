// Job: move a PagerDuty incident to the escalation level the copilot's chain has reached.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { JobNames } from '../job-names.js';
import { oncallServices } from '../services.js';

export const escalatePagerDutyPayload = z.object({ externalId: z.string().min(1), level: z.number().int().min(1) });
export type EscalatePagerDutyPayload = z.infer<typeof escalatePagerDutyPayload>;

export function escalatePagerDutyJob(ctx: AppContext): JobDefinition<EscalatePagerDutyPayload> {
  return {
    name: JobNames.escalatePagerDuty,
    schema: escalatePagerDutyPayload,
    async process(p) {
      const { pagerduty } = oncallServices(ctx);
      if (!pagerduty) return;
      await pagerduty.escalateIncident(p.externalId, p.level);
    },
  };
}
