// Installs the incidents capability: its jobs (investigate, and the periodic refresh). What it shows in chat is presenters/slack/'s.
import type { AppContext } from '../context.js';
import { investigateIncidentJob } from './jobs/investigate-incident.js';
import { reinvestigateIncidentJob } from './jobs/reinvestigate-incident.js';
import { finishMergeJob } from './split-merge-jobs.js';

export function installIncidents(ctx: AppContext): void {
  ctx.queue.register(investigateIncidentJob(ctx));
  ctx.queue.register(reinvestigateIncidentJob(ctx));
  ctx.queue.register(finishMergeJob(ctx));
}
