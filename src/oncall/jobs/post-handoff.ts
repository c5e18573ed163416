// Job: at a shift change, post the team's handoff for the shift that ended, then arm the next shift change.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { defineJob } from '../../jobs/define-job.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { postHandoff } from '../handoff.js';
import { listOverrides } from '../overrides.js';
import { currentOncall } from '../schedules.js';
import { timerRunAt } from '../timers.js';

export const postHandoffPayload = z.object({
  team: z.string().min(1),
  shiftEnd: z.string().datetime({ offset: true }),
});
export type PostHandoffPayload = z.infer<typeof postHandoffPayload>;

/** A timer per team and shift change: job id `handoff:<team>:<shift end>`. */
export const PostHandoff = { name: 'post-handoff', schema: postHandoffPayload } as const;

export function postHandoffJob(ctx: AppContext): JobDefinition<PostHandoffPayload> {
  return defineJob({
    ...PostHandoff,
    async process(p) {
      const shiftEnd = new Date(p.shiftEnd);
      if (ctx.config.file.teams.some((t) => t.name === p.team)) await postHandoff(ctx, { team: p.team, shiftEnd });
      // The next shift change after now, not after this one: a timer that fired late (the app was down for weeks, or
      // its clock runs in another frame than the queue's) posts the last shift once instead of one post per missed
      // week, each paced a second apart in the on-call channel and holding a worker while it waits its turn.
      const now = ctx.clock.now();
      await armHandoffTimers(ctx, now > shiftEnd ? now : shiftEnd);
    },
  });
}

/** Arms the automatic handoff at the next shift change of every team's config rotation (idempotent per shift). */
export async function armHandoffTimers(ctx: AppContext, after = ctx.clock.now()): Promise<void> {
  const file = ctx.config.file;
  for (const team of file.teams) {
    const schedule = team.schedule ? file.schedules.find((s) => s.name === team.schedule) : undefined;
    if (!schedule || schedule.pagerdutyId) continue;
    const shiftEnd = currentOncall(file, schedule.name, after, await listOverrides(ctx.knex, schedule.name)).shiftEnd;
    await ctx.queue.enqueue(
      PostHandoff.name,
      { team: team.name, shiftEnd: shiftEnd.toISOString() },
      { jobId: `handoff:${team.name}:${shiftEnd.toISOString()}`, runAt: timerRunAt(ctx.clock, shiftEnd) },
    );
  }
}
