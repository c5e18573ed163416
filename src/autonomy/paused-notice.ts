// What the briefing (and /copilot) says while the kill switch is on.
import type { AppConfig } from '../config.js';
import type { Knex } from 'knex';
import { readPauseState, type PauseState } from './repository.js';

/** What the briefing says while paused; undefined when not paused. */
export async function pausedNotice(ctx: { knex: Knex; config: AppConfig }): Promise<string | undefined> {
  return pausedNoticeOf(await readPauseState(ctx.knex), ctx.config);
}

/** The same from a kill switch already read (the briefing reads it with its facts). */
export function pausedNoticeOf(stored: PauseState, config: AppConfig): string | undefined {
  if (stored.paused) return describePause(stored);
  if (config.file.autonomy.paused)
    return 'Autonomy is paused in the config (`autonomy.paused`): nothing runs without a person.';
  return undefined;
}

export function describePause(s: PauseState): string {
  const by = s.changedBy ? ` by <@${s.changedBy}>` : '';
  const why = s.reason ? `: ${s.reason}` : '';
  return `Autonomy is paused${by}${why}. Nothing runs without a person until \`/copilot resume\`.`;
}
