// Use case: a person's message in an incident channel becomes a timeline event (text kept as data, never acted on).
import type { AppContext } from '../context.js';
import { findIncidentByChannel } from './repository.js';
import { appendEvent } from './timeline-repository.js';

/** Appends the message to its incident's timeline; false when the channel is no incident's or it was already recorded. */
export async function recordChannelMessage(
  ctx: AppContext,
  msg: { channel: string; user: string; text: string; ts: string; thread_ts?: string | undefined },
): Promise<boolean> {
  const incident = await findIncidentByChannel(ctx.knex, msg.channel);
  if (!incident) return false;
  return appendEvent(ctx.knex, {
    incidentId: incident.id,
    type: 'message',
    actor: msg.user,
    at: new Date(Math.round(Number(msg.ts) * 1000)),
    dedupeKey: `msg:${msg.channel}:${msg.ts}`,
    data: { text: msg.text.slice(0, 40_000), ts: msg.ts, ...(msg.thread_ts ? { threadTs: msg.thread_ts } : {}) },
  });
}
