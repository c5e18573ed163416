// Job: post one escalation note in the incident's channel, or in the owning team's alerts channel before it exists.
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { JobDefinition } from '../../jobs/job-queue.js';
import { findIncident } from '../../incidents/repository.js';
import { JobNames } from '../job-names.js';

export const announceEscalationPayload = z.object({
  incidentId: z.number().int().positive(),
  text: z.string().min(1),
  /** Block Kit for the note (e.g. a Resolve button); the text stays the notification's fallback. */
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type AnnounceEscalationPayload = z.infer<typeof announceEscalationPayload>;

export function announceEscalationJob(ctx: AppContext): JobDefinition<AnnounceEscalationPayload> {
  return {
    name: JobNames.announceEscalation,
    schema: announceEscalationPayload,
    async process(p) {
      const incident = await findIncident(ctx.knex, p.incidentId);
      if (!incident) return;
      const channel = incident.channelId ?? ctx.config.file.teams.find((t) => t.name === incident.team)?.alertsChannel;
      if (!channel) {
        ctx.logger.warn({ incidentId: p.incidentId }, 'escalation note has no channel to go to');
        return;
      }
      await ctx.chat.postMessage(channel, p.text, p.blocks);
    },
  };
}
