// Messages posted in an incident channel are appended to the incident's timeline (Slack retries append once).
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { EventArgs } from '../listener-args.js';
import { recordChannelMessage } from '../../src/incidents/record-message.js';

const messageSchema = z.object({
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string().default(''),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
});

/** A message in a channel: a person's message in an incident channel joins its timeline; anything else is ignored. */
export async function handleChannelMessage(deps: HandlerDeps, { event }: EventArgs): Promise<void> {
  const parsed = messageSchema.safeParse(event);
  // Edits, joins, bot posts (including our own briefing) are not people talking.
  if (!parsed.success || parsed.data.subtype || parsed.data.bot_id) return;
  await recordChannelMessage(deps, parsed.data);
}

/** Registers the message listener for incident channels. */
export function registerIncidentMessages(app: App, deps: HandlerDeps): void {
  app.event('message', (args) => handleChannelMessage(deps, args));
}
