// The Slack presenters: jobs and domain-event listeners that turn what the core recorded into Slack posts and updates.
import type { AppContext } from '../../src/context.js';
import { postIncidentNoteJob } from './jobs/post-incident-note.js';
import { registerOncallPresenters } from './oncall.js';
import { registerRemediationPresenters } from './remediation.js';

/** Registers every Slack presenter job with the queue and every presenter listener with the domain events. */
export function registerSlackPresenters(ctx: AppContext): void {
  ctx.queue.register(postIncidentNoteJob(ctx));
  registerOncallPresenters(ctx);
  registerRemediationPresenters(ctx);
}
