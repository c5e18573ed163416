// Use cases: `/copilot pause [reason]` and `/copilot resume`, the kill switch of everything the copilot runs alone.
// Who may is the authorization model's (`pause_autonomy`, `resume_autonomy`); the state survives restarts.
import type { AppContext } from '../context.js';
import { authorize } from '../authorization/authorize.js';
import { listOpenIncidents } from '../incidents/repository.js';
import { scheduleBriefingUpdate } from '../incidents/presentations.js';
import { describePause } from './paused-notice.js';
import { readPauseState, setPauseState } from './repository.js';

/** What the person who typed the command is told, and whether it is for the channel (a change) or only for them. */
export interface SwitchAnswer {
  changed: boolean;
  /** For the channel when `changed`; else only for the person. */
  text: string;
}

async function refreshBriefings(ctx: AppContext): Promise<void> {
  for (const incident of await listOpenIncidents(ctx.knex, { limit: 200 }))
    if (incident.channelId) await scheduleBriefingUpdate(ctx, incident.id);
}

/** Sets the kill switch for `userId` when the authorization model allows it; the open briefings say so. */
export async function setAutonomyPaused(
  ctx: AppContext,
  input: { userId: string; paused: boolean; reason?: string },
): Promise<SwitchAnswer> {
  const action = input.paused ? 'pause_autonomy' : 'resume_autonomy';
  const access = await authorize(ctx, { id: input.userId, via: 'command' }, action, { kind: 'copilot' });
  if (!access.allowed) return { changed: false, text: access.reason };
  const reason = input.paused ? (input.reason?.trim().slice(0, 500) ?? '') || null : null;
  const changed = await setPauseState(ctx.knex, {
    paused: input.paused,
    reason,
    by: input.userId,
    at: ctx.clock.now(),
  });
  ctx.logger.info({ actor: input.userId, paused: input.paused, changed }, 'autonomy kill switch');
  if (!changed) {
    const now = await readPauseState(ctx.knex);
    return {
      changed: false,
      text: input.paused ? `${describePause(now)} (It already was.)` : 'Autonomy is not paused; nothing changed.',
    };
  }
  await refreshBriefings(ctx);
  if (input.paused) return { changed: true, text: describePause(await readPauseState(ctx.knex)) };
  const still = ctx.config.file.autonomy.paused
    ? ' The config still says `autonomy.paused: true`, so nothing runs alone until it is changed.'
    : ' The autonomy policy decides again what runs alone.';
  return { changed: true, text: `Autonomy resumed by <@${input.userId}>.${still}` };
}
