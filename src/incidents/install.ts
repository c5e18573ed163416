// Installs the incidents capability: its jobs (open channel, investigate, update briefing, post a note).
import type { AppContext } from '../context.js';
import { investigateIncidentJob } from './investigate-incident.js';
import { openIncidentJob } from './open-incident-channel.js';
import { postIncidentNoteJob } from './post-incident-note.js';
import { updateBriefingJob } from './update-briefing.js';

export function installIncidents(ctx: AppContext): void {
  ctx.queue.register(openIncidentJob(ctx));
  ctx.queue.register(investigateIncidentJob(ctx));
  ctx.queue.register(updateBriefingJob(ctx));
  ctx.queue.register(postIncidentNoteJob(ctx));
}
