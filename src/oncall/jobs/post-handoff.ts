// Job: at a shift change, post the team's handoff for the shift that ended, then arm the next shift change.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { armHandoffTimers, postHandoff } from '../handoff.js';
import { JobNames } from '../job-names.js';

export const postHandoffPayload = z.object({ team: z.string().min(1), shiftEnd: z.string().datetime({ offset: true }) });
export type PostHandoffPayload = z.infer<typeof postHandoffPayload>;

export function postHandoffJob(ctx: AppContext): JobDefinition<PostHandoffPayload> {
  return {
    name: JobNames.postHandoff,
    schema: postHandoffPayload,
    async process(p) {
      const shiftEnd = new Date(p.shiftEnd);
      if (ctx.config.file.teams.some((t) => t.name === p.team)) await postHandoff(ctx, { team: p.team, shiftEnd });
      await armHandoffTimers(ctx, shiftEnd);
    },
  };
}
