// Presenter job: an autonomy note in the incident's channel; an `escalated` one also goes by DM to each person paged.
import type { AppContext } from '../../../src/context.js';
import { PermanentJobError } from '../../../src/errors.js';
import { findIncident } from '../../../src/incidents/repository.js';
import type { ChatBlock } from '../../../src/incidents/chat-notifier.js';
import { defineJob } from '../../../src/jobs/define-job.js';
import type { JobDefinition } from '../../../src/jobs/job-queue.js';
import { PostAutonomyNote, type PostAutonomyNotePayload } from '../../../src/autonomy/presentations.js';
import { buildAutonomyNoteBlocks, buildAutonomyNoteText } from '../../../blocks/autonomy.js';
import { PRESENTER_RETRY } from './retry-policy.js';

export function postAutonomyNoteJob(ctx: AppContext): JobDefinition<PostAutonomyNotePayload> {
  return defineJob({
    ...PostAutonomyNote,
    ...PRESENTER_RETRY,
    async process({ incidentId, note }) {
      const incident = await findIncident(ctx.knex, incidentId);
      if (!incident) throw new PermanentJobError(`incident ${incidentId} does not exist`);
      if (!incident.channelId) throw new Error(`incident ${incident.publicId} has no channel yet`);
      const text = buildAutonomyNoteText(note);
      const blocks = buildAutonomyNoteBlocks(note) as unknown as ChatBlock[];
      // A retry after the channel post re-posts it; the DMs are what the on-call must not miss.
      await ctx.chat.postMessage(incident.channelId, text, blocks);
      if (note.kind === 'escalated')
        for (const user of note.paged) {
          const dm = `${text} The investigation and what the copilot did are in <#${incident.channelId}>.`;
          await ctx.chat.sendDirect(user, dm, blocks);
        }
    },
  });
}
