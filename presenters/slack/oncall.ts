// The on-call presenters: pages by DM, escalation notes, answered pages, handoffs and their reminders, commander notes.
import type { AppContext } from '../../src/context.js';
import { announceCommanderJob } from './jobs/announce-commander.js';
import { announceEscalationJob } from './jobs/announce-escalation.js';
import { pageResponderJob } from './jobs/page-responder.js';
import { remindHandoffJob } from './jobs/remind-handoff.js';
import { showHandoffJob } from './jobs/show-handoff.js';
import { updateAnsweredPagesJob } from './jobs/update-answered-pages.js';

/** Registers the jobs that render what src/oncall/presentations.ts requests. */
export function registerOncallPresenters(ctx: AppContext): void {
  ctx.queue.register(pageResponderJob(ctx));
  ctx.queue.register(announceEscalationJob(ctx));
  ctx.queue.register(updateAnsweredPagesJob(ctx));
  ctx.queue.register(showHandoffJob(ctx));
  ctx.queue.register(remindHandoffJob(ctx));
  ctx.queue.register(announceCommanderJob(ctx));
}
