// Messages and mentions: a person's message in an incident channel joins its timeline (Slack retries append once), and
// a question for the copilot (a mention, a reply under its message, or a question it understands in an incident
// channel) is recorded and answered in the thread by the conversation capability.
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { HandlerDeps } from '../deps.js';
import type { EventArgs } from '../listener-args.js';
import { recordChannelMessage } from '../../src/incidents/record-message.js';
import { receiveChatMessage, type Received } from '../../src/conversation/receive-question.js';

const messageSchema = z.object({
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string().default(''),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  parent_user_id: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  edited: z.unknown().optional(),
});
type Message = z.infer<typeof messageSchema>;

/** A person's own new message: not an edit, a join, a bot's post (including our own briefing) or a deletion. */
function personMessage(event: unknown): Message | undefined {
  const parsed = messageSchema.safeParse(event);
  if (!parsed.success || parsed.data.subtype || parsed.data.bot_id || parsed.data.edited !== undefined)
    return undefined;
  return parsed.data;
}

async function receive(deps: HandlerDeps, msg: Message, mentioned: boolean, botUserId?: string): Promise<Received> {
  await recordChannelMessage(deps, msg);
  return receiveChatMessage(deps, {
    channel: msg.channel,
    user: msg.user,
    text: msg.text,
    ts: msg.ts,
    threadTs: msg.thread_ts,
    mentioned,
    underCopilot: botUserId !== undefined && msg.parent_user_id === botUserId,
  });
}

/** A message in a channel the copilot is in. A message mentioning the copilot is left to its `app_mention` event. */
export async function handleChannelMessage(deps: HandlerDeps, { event, context }: EventArgs): Promise<void> {
  const msg = personMessage(event);
  if (!msg) return;
  const botUserId = context?.botUserId;
  if (botUserId && msg.text.includes(`<@${botUserId}>`)) {
    await recordChannelMessage(deps, msg);
    return;
  }
  await receive(deps, msg, false, botUserId);
}

/** The copilot was mentioned: answered in an incident channel, told what it can do elsewhere. */
export async function handleAppMention(deps: HandlerDeps, { event, context }: EventArgs): Promise<void> {
  const msg = personMessage(event);
  if (!msg) return;
  await receive(deps, msg, true, context?.botUserId);
}

/** Registers the message and app_mention listeners. */
export function registerIncidentMessages(app: App, deps: HandlerDeps): void {
  app.event('message', (args) => handleChannelMessage(deps, args));
  app.event('app_mention', (args) => handleAppMention(deps, args));
}
