// Presenter job: an SLO's error-budget policy state changed; posts it in the owning team's alerts channel.
import type { z } from 'zod';
import type { AppContext } from '../../../src/context.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { formatBudgetLeft } from '../../../src/slo/error-budget.js';
import { policyStateName } from '../../../src/slo/policy.js';
import { ShowPolicyChange } from '../../../src/slo/presentations.js';
import { buildPolicyChangeText } from '../../../blocks/slo.js';
import { PRESENTER_RETRY } from './retry-policy.js';

/** The owning team's alerts channel: the service's team, else the routing's default team; none without a team. */
export function teamChannelOf(ctx: AppContext, service: string): string | undefined {
  const f = ctx.config.file;
  const team = f.services.find((s) => s.name === service)?.team ?? f.routing.defaultTeam;
  return f.teams.find((t) => t.name === team)?.alertsChannel;
}

export function showSloPolicyChangeJob(ctx: AppContext): JobDefinition<z.infer<typeof ShowPolicyChange.schema>> {
  return defineJob({
    ...ShowPolicyChange,
    ...PRESENTER_RETRY,
    async process(p) {
      const channel = teamChannelOf(ctx, p.service);
      if (!channel) {
        ctx.logger.warn({ slo: p.sloId, service: p.service }, 'no team channel for the SLO policy change');
        return;
      }
      await ctx.chat.postMessage(
        channel,
        buildPolicyChangeText({
          slo: p.sloId,
          service: p.service,
          from: p.from ? policyStateName(p.from) : null,
          to: policyStateName(p.to),
          toState: p.to,
          reason: p.reason,
          budgetLeft: formatBudgetLeft(p.remaining),
        }),
      );
    },
  });
}
